"""Human review of tuning requests, and read-only evaluation runs and model cards.

Reviewers see the evidence (matched reasons with scores, the matched training examples, the use
case, dataset statistics) and approve or reject through the same services as everything else.
The release gate's verdict is read-only: there is no action, field or form that overrides it.
"""
from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from core.admin_actions import ReadOnlyInline, ReadOnlyModelAdmin, reason_action

from . import services
from .models import EvaluationRun, ModelCard, RequestReview, ReviewDecision

MAX_EXAMPLE_CHARS = 600


class ReviewDecisionInline(ReadOnlyInline):
    model = ReviewDecision
    fields = ("created_at", "decision", "reviewer", "reason")
    readonly_fields = fields
    verbose_name_plural = "Decision history"


def _truncate(text: str, n: int = MAX_EXAMPLE_CHARS) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


@admin.register(RequestReview)
class RequestReviewAdmin(admin.ModelAdmin):
    list_display = ("job", "domain", "outcome", "status", "high_risk", "approvals", "created_at")
    list_filter = ("status", "outcome", "high_risk")
    search_fields = ("job__public_id", "job__use_case", "job__organization__name")
    ordering = ("-created_at",)
    readonly_fields = (
        "public_id", "job", "status", "outcome", "high_risk", "approvals", "policy_version", "created_at",
        "decided_at", "use_case", "request_facts", "dataset_stats", "reasons_table", "matched_examples",
        "category_scores",
    )
    fields = readonly_fields
    inlines = [ReviewDecisionInline]
    actions = [
        reason_action(services.review_approve, "Approve", "review", reason_required=False),
        reason_action(services.review_reject, "Reject", "review"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("job", "job__listing", "job__organization")

    @admin.display(description="Domain")
    def domain(self, obj):
        return obj.evidence.get("domain", "")

    @admin.display(description="Approvals")
    def approvals(self, obj):
        return f"{obj.approvals} of {obj.approvals_required}"

    @admin.display(description="Use case")
    def use_case(self, obj):
        return obj.evidence.get("use_case", "")

    @admin.display(description="Request")
    def request_facts(self, obj):
        e = obj.evidence
        rows = [
            ("Domain", e.get("domain")), ("Technique", e.get("technique")),
            ("Organisation verified", "yes" if e.get("organization_verified") else "no"),
            ("Verification category", e.get("organization_verification_category") or "—"),
            ("Persona", json.dumps(e.get("persona")) if e.get("persona") else "—"),
        ]
        return format_html("<dl>{}</dl>", format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows))

    @admin.display(description="Dataset statistics")
    def dataset_stats(self, obj):
        e = obj.evidence
        rows = [("Examples", e.get("examples_total")), ("Rule-checked", e.get("examples_rule_checked")),
                ("Embedded", e.get("examples_embedded")), ("Sampled", "yes" if e.get("sampled") else "no"),
                ("Semantic screening ran", "yes" if e.get("semantic_screened") else "no")]
        for name, d in (e.get("datasets") or {}).items():
            stats = ", ".join(f"{k}: {v}" for k, v in (d.get("stats") or {}).items() if not isinstance(v, (dict, list)))
            rows.append((f"{name} {d.get('id')}", f"{d.get('bytes')} bytes; {stats}"))
        for note in e.get("notes") or []:
            rows.append(("Note", note))
        return format_html("<dl>{}</dl>", format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows))

    @admin.display(description="Matched reasons")
    def reasons_table(self, obj):
        if not obj.reasons:
            return "No policy category matched."
        rows = [(r.get("category"), r.get("outcome"), r.get("detector"), r.get("location"),
                 "" if r.get("score") is None else f"{r['score']:.2f}",
                 " ".join(x for x in (r.get("explanation"), r.get("detail")) if x), r.get("matched") or "")
                for r in obj.reasons]
        return format_html(
            "<table><thead><tr><th>Category</th><th>Outcome</th><th>Detector</th><th>Where</th><th>Score</th>"
            "<th>Explanation</th><th>Matched</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description="Matched training examples")
    def matched_examples(self, obj):
        indices = sorted({r["example_index"] for r in obj.reasons if r.get("example_index") is not None})
        if not indices:
            return "No training example matched."
        try:
            from tuning import selectors as tuning_selectors

            examples = tuning_selectors.job_training_examples(obj.job)
        except Exception as exc:  # the data may have been deleted since screening
            return f"The training data cannot be read: {exc}"
        rows = []
        for i in indices[:20]:
            example = examples[i] if i < len(examples) else {}
            messages = example.get("messages") or (example.get("input") or {}).get("messages") or []
            turns = " | ".join(f"{m.get('role')}: {m.get('content')}" for m in messages if isinstance(m, dict))
            rows.append((i, _truncate(turns)))
        return format_html("<table><thead><tr><th>Example</th><th>Turns</th></tr></thead><tbody>{}</tbody></table>",
                           format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", rows))

    @admin.display(description="Highest score per category")
    def category_scores(self, obj):
        rows = sorted(obj.scores.items(), key=lambda kv: -kv[1])[:10]
        return ", ".join(f"{k}: {v:.2f}" for k, v in rows) or "—"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(EvaluationRun)
class EvaluationRunAdmin(ReadOnlyModelAdmin):
    """Read-only: the gate's verdict cannot be changed or overridden here (or anywhere)."""

    list_display = ("public_id", "job", "status", "outcome", "release_decision_summary", "started_at", "finished_at")
    list_filter = ("status", "outcome", "passed")
    search_fields = ("public_id", "job__public_id")
    readonly_fields = ("public_id", "job", "attempt", "status", "outcome", "passed", "release_decision_summary",
                       "gate_reason_list", "gate_check_table", "generated_samples",
                       "base_model", "base_model_sha256", "adapter_sha256", "started_at", "finished_at", "error")
    fields = readonly_fields
    # Only runs the gate sent to human review (every estimate passed; an interval reached past a floor)
    # can be released or blocked here; a blocked verdict has no action.
    actions = [
        reason_action(services.release_review_approve, "Release after review", "run"),
        reason_action(services.release_review_block, "Block after review", "run"),
    ]

    def has_change_permission(self, request, obj=None):
        # Only the changelist's release-review actions need it; a run's own page stays view-only.
        if obj is not None:
            return False
        return bool(request.user.is_active and request.user.is_staff
                    and request.user.has_perm("evaluation.change_evaluationrun"))

    def get_actions(self, request):
        actions = admin.ModelAdmin.get_actions(self, request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="Release review")
    def release_decision_summary(self, obj):
        d = obj.release_decision or {}
        if not d:
            return "waiting for a reviewer" if obj.outcome == "human_review" else "—"
        return f"{d.get('decision')} by {d.get('reviewer')}: {d.get('reason')}"

    @admin.display(description="Generated answers (no system prompt / the job's prompt)")
    def generated_samples(self, obj):
        samples = (obj.report.get("suites", {}).get("safety", {}).get("generated", {}) or {}).get("samples", [])
        rows = [(s.get("id"), _truncate(s.get("tuned", ""), 160), s.get("tuned_label"),
                 _truncate(s.get("tuned_job_prompt", ""), 160), s.get("tuned_job_prompt_label")) for s in samples[:60]]
        return format_html("<table><thead><tr><th>prompt</th><th>tuned</th><th>judge</th><th>tuned, job prompt</th>"
                           "<th>judge</th></tr></thead><tbody>{}</tbody></table>",
                           format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                                            rows))

    @admin.display(description="Gate reasons")
    def gate_reason_list(self, obj):
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((r,) for r in obj.gate_reasons)))

    @admin.display(description="Checks")
    def gate_check_table(self, obj):
        rows = [(c.get("label"), "pass" if c.get("passed") else ("REVIEW" if c.get("outcome") == "human_review" else "FAIL"),
                 c.get("explanation")) for c in obj.gate_checks]
        return format_html("<table><tbody>{}</tbody></table>",
                           format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows))


@admin.register(ModelCard)
class ModelCardAdmin(ReadOnlyModelAdmin):
    list_display = ("public_id", "job", "key_id", "created_at")
    search_fields = ("public_id", "job__public_id", "job__fine_tuned_model")
    readonly_fields = ("public_id", "job", "evaluation_run", "card_sha256", "key_id", "created_at")
    fields = readonly_fields
