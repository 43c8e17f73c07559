"""Request review, evaluation runs and model cards.

State fields are not editable anywhere on the site: they change only in services.py. There is
no override field: nothing lets a licence, an admin or a reviewer release a model the release
gate blocked.
"""
from django.conf import settings
from django.db import models

from core.ids import PublicIdField


class ScreeningOutcome(models.TextChoices):
    APPROVE = "approve"
    NEEDS_HUMAN_REVIEW = "needs_human_review"
    REJECT = "reject"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for reviewers"
    APPROVED = "approved"
    REJECTED = "rejected"


# The automatic screening creates the review in its outcome's status; a person settles a pending one, once.
REVIEW_TRANSITIONS: dict[str, set[str]] = {
    ReviewStatus.PENDING: {ReviewStatus.APPROVED, ReviewStatus.REJECTED},
    ReviewStatus.APPROVED: set(),
    ReviewStatus.REJECTED: set(),
}


class RequestReview(models.Model):
    """The review of a tuning request before any training: the automatic screening and, when it
    asks for one, the human decision. One per job."""

    public_id = PublicIdField(prefix="rreview_")
    job = models.OneToOneField("tuning.FineTuningJob", on_delete=models.CASCADE, related_name="request_review")
    outcome = models.CharField(max_length=30, choices=ScreeningOutcome.choices, editable=False)
    status = models.CharField(max_length=20, choices=ReviewStatus.choices, editable=False, db_index=True)
    high_risk = models.BooleanField(default=False, editable=False)
    approvals_required = models.PositiveSmallIntegerField(default=0, editable=False)
    # Distinct reviewers who approved, recounted from ReviewDecision rows on every approval.
    approvals = models.PositiveSmallIntegerField(default=0, editable=False)
    # Each matched reason: category, outcome, source, detector, explanation, matched, score, location...
    reasons = models.JSONField(default=list, editable=False)
    scores = models.JSONField(default=dict, editable=False)
    # What was screened, as it was at the time: use case, domain, technique, verification, persona,
    # dataset statistics and the screening notes.
    evidence = models.JSONField(default=dict, editable=False)
    policy_version = models.CharField(max_length=40, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Review of {self.job}"


class ReviewDecisionKind(models.TextChoices):
    AUTO_APPROVE = "auto_approve", "Approved by automatic screening"
    AUTO_REJECT = "auto_reject", "Rejected by automatic screening"
    AUTO_REFER = "auto_refer", "Sent to human review by automatic screening"
    APPROVE = "approve", "Approved by a reviewer"
    REJECT = "reject", "Rejected by a reviewer"


class ReviewDecision(models.Model):
    """Every decision on a request, automatic or human: who, when, what and why. Written once."""

    review = models.ForeignKey(RequestReview, on_delete=models.CASCADE, related_name="decisions")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=ReviewDecisionKind.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # A reviewer's approval counts once: two approvals must come from two people.
            models.UniqueConstraint(
                fields=["review", "reviewer"], condition=models.Q(decision="approve"),
                name="review_decision_one_approval_per_reviewer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.reviewer or 'automatic'})"


class EvaluationStatus(models.TextChoices):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    ABANDONED = "abandoned"  # the job left `evaluating` (cancelled) before the verdict


EVALUATION_TRANSITIONS: dict[str, set[str]] = {
    EvaluationStatus.RUNNING: {EvaluationStatus.COMPLETED, EvaluationStatus.FAILED, EvaluationStatus.ABANDONED},
    # A superseded run whose worker finished after all keeps its figures as abandoned.
    EvaluationStatus.FAILED: {EvaluationStatus.ABANDONED},
    EvaluationStatus.COMPLETED: set(),
    EvaluationStatus.ABANDONED: set(),
}


class RunKind(models.TextChoices):
    RELEASE = "release"  # the evaluation that decides the release
    RECHECK = "recheck"  # a released model re-evaluated after the suites, the guard or the platform base changed


class EvaluationRun(models.Model):
    """One evaluation of a trained adapter against its base model, and the release gate's verdict."""

    public_id = PublicIdField(prefix="evalrun_")
    job = models.ForeignKey("tuning.FineTuningJob", on_delete=models.CASCADE, related_name="evaluation_runs")
    attempt = models.PositiveIntegerField(editable=False)
    status = models.CharField(max_length=20, choices=EvaluationStatus.choices, default=EvaluationStatus.RUNNING,
                              editable=False, db_index=True)
    base_model = models.CharField(max_length=100, editable=False)
    base_model_sha256 = models.CharField(max_length=64, editable=False)
    adapter_sha256 = models.CharField(max_length=64, editable=False)
    suite_config = models.JSONField(default=dict, editable=False)
    kind = models.CharField(max_length=10, choices=RunKind.choices, default=RunKind.RELEASE, editable=False)
    # evaluation.conf.safety_fingerprint() when the run started: a released model whose latest run has
    # another fingerprint is re-checked (evaluation.services.evaluation_rechecks_queue).
    safety_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    report = models.JSONField(default=dict, editable=False)
    # The release gate's verdict: read-only, and nothing anywhere overrides it.
    passed = models.BooleanField(null=True, editable=False)
    gate_reasons = models.JSONField(default=list, editable=False)
    gate_checks = models.JSONField(default=list, editable=False)
    gate_thresholds = models.JSONField(default=dict, editable=False)
    # gate.PASSED, gate.REVIEW or gate.BLOCKED ('' until settled).
    outcome = models.CharField(max_length=20, blank=True, default="", editable=False)
    # A reviewer's release decision on a run the gate sent to human review: {decision, reviewer, reason, at}.
    release_decision = models.JSONField(default=dict, blank=True, editable=False)
    error = models.TextField(blank=True, editable=False)
    # While running: {"phases": {phase: fraction done}, "phase": the current one} (selectors.evaluation_progress).
    progress = models.JSONField(default=dict, blank=True, editable=False)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "attempt"], condition=models.Q(status="completed", kind="release"),
                name="evaluation_one_completed_run_per_attempt",
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluation {self.public_id} of {self.job}"


class ModelCard(models.Model):
    """The signed model card of an evaluated job (released or blocked).

    ``document`` holds the exact bytes served and signed: canonical JSON of the card with its
    signed manifest inside (see cards.py)."""

    public_id = PublicIdField(prefix="card_")
    job = models.OneToOneField("tuning.FineTuningJob", on_delete=models.CASCADE, related_name="model_card")
    evaluation_run = models.ForeignKey(EvaluationRun, on_delete=models.PROTECT, related_name="+")
    document = models.TextField(editable=False)
    card_sha256 = models.CharField(max_length=64, editable=False)
    key_id = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Model card of {self.job}"
