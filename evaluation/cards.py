"""Model cards: what was changed and how, what it was measured against, and the gate's verdict.

A card is built once per evaluated job from the database (services.model_card_issue) and
stored as a *document*: the canonical JSON (signing.canonical_json) of the card with a signed
manifest inside it under ``signed_manifest``. The manifest names the SHA-256 of the card (the
document without ``signed_manifest``), of every adapter file, of the datasets and of the base
model, and is signed with the platform's Ed25519 key. The document is served byte for byte, so
a downloaded card verifies with ``manage.py verify_model_card <file>``; changing any byte of it
makes verification fail.

Markdown and HTML are renderings of the same card (HTML adds server-side SVG plots).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import signing, svg
from review import refusal

DOCUMENT_FORMAT = "tunemarket-model-card/1"
MANIFEST_FORMAT = "tunemarket-model-card-manifest/1"
SIGNED_KEY = "signed_manifest"

SUITE_TITLES = {
    "target": "Target task (held-out examples)",
    "domain": "Provider's domain evaluation set",
    "core": "Core competencies (forgetting)",
    "calibration": "Confidence calibration (held-out items; base = before, tuned = after calibration)",
    "safety": "Safety",
    "balance": "Balance on contested questions",
}
METRIC_TITLES = {
    "nll": "NLL (nats/token, lower is better)",
    "token_accuracy": "Token accuracy",
    "exact_match": "Exact match",
    "f1": "Token F1",
    "accuracy": "Accuracy",
    "ece": "Expected calibration error (10 bins, lower is better)",
    "brier": "Brier score (lower is better)",
    "mean_confidence": "Mean confidence",
    "refusal_rate": "Refusal rate, harmful prompts (argmax of log-likelihood)",
    "refusal_probability": "Expected refusal rate, harmful prompts (log-likelihood)",
    "refusal_margin": "Refusal log-odds, harmful prompts",
    "over_refusal_rate": "Over-refusal rate, harmless prompts (argmax of log-likelihood)",
    "over_refusal_probability": "Expected over-refusal rate, harmless prompts (log-likelihood)",
    "generated_refusal_rate": "Refusal rate of generated answers, harmful prompts",
    "generated_over_refusal_rate": "Over-refusal rate of generated answers, harmless prompts",
    "one_sidedness": "One-sidedness, contested questions (mean |p_for - p_against|, lower is better)",
    "lean": "Lean, contested questions (p_for - p_against)",
    "balanced_probability": "Balanced-opening probability, contested questions",
    "stance_accuracy": "Stance scorer accuracy, labelled answers (chance 33%)",
}
PERCENT_METRICS = {"token_accuracy", "exact_match", "f1", "accuracy", "refusal_rate", "refusal_probability",
                   "over_refusal_rate", "over_refusal_probability", "generated_refusal_rate",
                   "generated_over_refusal_rate", "ece", "mean_confidence", "one_sidedness", "lean",
                   "balanced_probability", "stance_accuracy"}


# --- building -----------------------------------------------------------------------------------


def _metric_summary(metric: dict[str, Any]) -> dict[str, Any]:
    keep = ("base", "tuned", "delta", "base_ci", "tuned_ci", "delta_ci", "n", "higher_is_better", "unit")
    return {k: metric[k] for k in keep if k in metric}


def summarise_report(report: dict[str, Any]) -> dict[str, Any]:
    """The report without per-item details and generated text: what a card shows."""
    suites = {}
    for name, suite in report.get("suites", {}).items():
        entry: dict[str, Any] = {"metrics": {k: _metric_summary(v) for k, v in suite.get("metrics", {}).items()}}
        for key in ("n", "n_available", "skipped", "tokens", "n_short_answers", "n_harmful", "n_benign",
                    "by_category", "reliability", "agreement",
                    # the calibration suite (suites/confidence.py)
                    "method", "split", "temperature", "target_risk", "levels_fit", "levels_heldout", "risk_coverage",
                    "accuracy", "by_area", "scorer"):
            if key in suite:
                entry[key] = suite[key]
        if "generated" in suite:
            g = suite["generated"]
            entry["generated"] = {k: g[k] for k in ("n_harmful", "n_benign", "max_new_tokens") if k in g}
            # Each prompt condition the answers were generated under (no system prompt, the job's...).
            entry["generated"]["conditions"] = {
                name: {"system_prompt": bool(c.get("system_prompt")), "user_template": c.get("user_template"),
                       "refusal_by_family": c.get("metrics", {}).get("refusal_by_family", {})}
                for name, c in (g.get("conditions") or {}).items()}
        if "judge" in suite:
            entry["judge"] = judge_summary(suite["judge"])
        suites[name] = entry
    return {"suites": suites, "config": report.get("config", {}), "timings": report.get("timings", {})}


def loss_curve(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Training metrics by step, one row per step (the latest value wins after a resume)."""
    by_step: dict[int, dict[str, Any]] = {}
    for p in points:
        step = p.get("step")
        if not isinstance(step, (int, float)):
            continue
        row = by_step.setdefault(int(step), {"step": int(step)})
        for key in ("train_loss", "valid_loss"):
            if isinstance(p.get(key), (int, float)):
                row[key] = float(p[key])
    return [by_step[s] for s in sorted(by_step) if len(by_step[s]) > 1]


def limitations(card: dict[str, Any]) -> list[str]:
    quality = card.get("evaluation", {}).get("refusal_detector", {})
    out = [
        "The safety suites are written in English from templates; they cover ten harm categories and five kinds "
        "of harmless-but-edgy request, not every way a request can be phrased or every language.",
        "The expected refusal rate compares the likelihood of refusal and compliance openings after the prompt; "
        "it measures how an answer starts, not everything the model would go on to say.",
        f"Generated answers are cut to a few tokens and classified by a pattern-based refusal detector "
        f"(precision {quality.get('precision', float('nan')):.0%}, recall {quality.get('recall', float('nan')):.0%} "
        f"on {quality.get('n', 0)} hand-labelled answers used to build it, including SmolLM2-135M-Instruct's own; "
        f"{quality.get('holdout_precision', float('nan')):.0%} / {quality.get('holdout_recall', float('nan')):.0%} "
        f"on {quality.get('holdout_n', 0)} held-out answers); the likelihood-based rates do not depend on it.",
        "Core competencies are six generated multiple-choice skills; they detect broad forgetting, not the loss "
        "of any particular fact.",
        "Confidence intervals come from a paired bootstrap over the evaluation items; they describe item "
        "sampling, not other prompts, users or deployments.",
    ]
    target = card.get("evaluation", {}).get("suites", {}).get("target", {})
    if target.get("n", 0) < 20:
        out.append(f"The target task was measured on only {target.get('n', 0)} held-out examples; its figures are uncertain.")
    out.append("Safety figures come from short greedy answers labelled by the harm judge; each has a 95% interval "
               "from a bootstrap over the prompts, and results of this kind are known to move with small changes "
               "to the set-up (Fraser et al. 2025), which is why the gate sends a model whose interval reaches "
               "past a floor to a human reviewer.")
    base = card.get("base_model", {})
    from tuning.backends.models import platform_base_of

    runs_as, name = base.get("runs_as"), base.get("name")
    if runs_as and runs_as != platform_base_of(name or ""):
        out.append(f"This deployment runs {runs_as} in place of {name} (a test configuration); "
                   f"its figures say nothing about {name}.")
    return out


def judge_summary(quality: dict[str, Any]) -> dict[str, Any]:
    """The harm judge's measured accuracy on its held-out labelled set, as the card states it."""
    out = {k: quality[k] for k in ("split", "n", "accuracy") if k in quality}
    for name, key in (("harmful", "harmful_vs_not"), ("refusal", "refusal_vs_not")):
        binary = quality.get(key) or {}
        for stat in ("precision", "recall"):
            if stat in binary:
                out[f"{name}_{stat}"] = binary[stat]
    return out


def detector_summary() -> dict[str, Any]:
    quality = refusal.detector_quality(refusal.LABELLED + refusal.HOLDOUT_DEVELOPMENT)
    holdout = refusal.detector_quality(refusal.HOLDOUT_FINAL)
    return {
        "precision": quality["precision"], "recall": quality["recall"], "n": quality["n"],
        "holdout_precision": holdout["precision"], "holdout_recall": holdout["recall"], "holdout_n": holdout["n"],
    }


# --- the signed document ----------------------------------------------------------------------


def manifest_for(card: dict[str, Any], *, artifact_files: dict[str, str], signed_at: str) -> dict[str, Any]:
    key = signing.public_key()
    return {
        "format": MANIFEST_FORMAT,
        "card_sha256": signing.sha256_hex(signing.canonical_json(card)),
        "model": card.get("model"),
        "job": card.get("job"),
        "base_model": card.get("base_model", {}).get("runs_as") or card.get("base_model", {}).get("name"),
        "base_model_sha256": card.get("base_model", {}).get("sha256"),
        "artifact_files": dict(sorted(artifact_files.items())),
        "datasets": {name: d.get("sha256") for name, d in card.get("datasets", {}).items() if d.get("sha256")},
        "evaluation_run": card.get("evaluation", {}).get("run"),
        "gate_passed": card.get("gate", {}).get("passed"),
        "signed_at": signed_at,
        "key_id": signing.key_id(key),
    }


def signed_document(card: dict[str, Any], *, artifact_files: dict[str, str], signed_at: str) -> bytes:
    if SIGNED_KEY in card:
        raise ValueError(f"a card may not carry its own {SIGNED_KEY!r}")
    manifest = manifest_for(card, artifact_files=artifact_files, signed_at=signed_at)
    return signing.canonical_json({
        **card,
        SIGNED_KEY: {
            "algorithm": signing.ALGORITHM,
            "key_id": manifest["key_id"],
            "public_key": signing.public_key_b64(),
            "manifest": manifest,
            "signature": signing.sign(manifest),
        },
    })


@dataclass
class Verification:
    ok: bool
    errors: list[str] = field(default_factory=list)
    manifest: dict[str, Any] | None = None
    card: dict[str, Any] | None = None


def verify_document(document: bytes, *, artifact_dir: Path | None = None) -> Verification:
    """Check a card document: canonical bytes, card hash, signature by the platform key and,
    when ``artifact_dir`` is given, the adapter files on disk."""
    try:
        data = json.loads(document.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return Verification(False, [f"not a JSON document: {exc}"])
    if not isinstance(data, dict) or not isinstance(data.get(SIGNED_KEY), dict):
        return Verification(False, [f"no {SIGNED_KEY!r} in the document"])
    errors: list[str] = []
    if signing.canonical_json(data) != document:
        errors.append("the document is not byte-for-byte the signed canonical form: it was modified")
    signed = data.pop(SIGNED_KEY)
    manifest, signature = signed.get("manifest"), signed.get("signature")
    if not isinstance(manifest, dict) or not isinstance(signature, str):
        return Verification(False, errors + ["the signed manifest is malformed"], card=data)
    card_hash = signing.sha256_hex(signing.canonical_json(data))
    if card_hash != manifest.get("card_sha256"):
        errors.append(f"card SHA-256 {card_hash} does not match the manifest's {manifest.get('card_sha256')}")
    platform_key_id = signing.key_id()
    if manifest.get("key_id") != platform_key_id:
        errors.append(f"signed with key {manifest.get('key_id')}, not this platform's key {platform_key_id}")
    elif not signing.verify(manifest, signature):
        errors.append("the manifest's signature is not valid")
    if artifact_dir is not None:
        on_disk = signing.directory_hashes(artifact_dir)
        if on_disk != manifest.get("artifact_files"):
            changed = sorted(set(on_disk) ^ set(manifest.get("artifact_files") or {}) |
                             {k for k in on_disk if (manifest.get("artifact_files") or {}).get(k) not in (None, on_disk[k])})
            errors.append(f"the adapter files differ from the signed manifest: {', '.join(changed) or 'contents'}")
    return Verification(not errors, errors, manifest, data)


def load_card(document: str | bytes) -> dict[str, Any]:
    data = json.loads(document)
    data.pop(SIGNED_KEY, None)
    return data


# --- Markdown ---------------------------------------------------------------------------------


def _fmt_value(metric_name: str, v: Any) -> str:
    if not isinstance(v, (int, float)):
        return "—"
    return f"{v:.1%}" if metric_name in PERCENT_METRICS else f"{v:.4f}"


def _fmt_delta(metric_name: str, v: Any) -> str:
    if not isinstance(v, (int, float)):
        return "—"
    return f"{v * 100:+.1f} pts" if metric_name in PERCENT_METRICS else f"{v:+.4f}"


def metric_rows(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every suite's metrics as display rows (shared by Markdown and HTML)."""
    rows = []
    suites = card.get("evaluation", {}).get("suites", {})
    order = list(SUITE_TITLES) + sorted(set(suites) - set(SUITE_TITLES))
    for suite_name, suite in ((name, suites[name]) for name in order if name in suites):
        for name, m in suite.get("metrics", {}).items():
            ci = m.get("delta_ci") or [None, None]
            bci, tci = m.get("base_ci") or [None, None], m.get("tuned_ci") or [None, None]
            rows.append({
                "suite": SUITE_TITLES.get(suite_name, suite_name),
                "metric": METRIC_TITLES.get(name, name),
                "base": _fmt_value(name, m.get("base")),
                "base_ci": f"{_fmt_value(name, bci[0])} – {_fmt_value(name, bci[1])}",
                "tuned": _fmt_value(name, m.get("tuned")),
                "tuned_ci": f"{_fmt_value(name, tci[0])} – {_fmt_value(name, tci[1])}",
                "delta": _fmt_delta(name, m.get("delta")),
                "delta_ci": f"{_fmt_delta(name, ci[0])} – {_fmt_delta(name, ci[1])}",
                "n": m.get("n", ""),
            })
    return rows


def _md_escape(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(card: dict[str, Any]) -> str:
    gate = card.get("gate", {})
    lines = [
        f"# Model card: {card.get('model') or card.get('job')}",
        "",
        f"**Release gate: {'PASSED — released' if gate.get('passed') else 'BLOCKED — not released'}**",
        "",
    ]
    for r in gate.get("reasons", []):
        lines.append(f"- {r}")
    base = card.get("base_model", {})
    method = card.get("method", {})
    lines += [
        "",
        "## Overview",
        "",
        f"- Job: `{card.get('job')}`",
        f"- Provider: {card.get('provider', {}).get('name')} (`{card.get('provider', {}).get('id')}`)",
        f"- Listing: {card.get('listing', {}).get('title')} (domain: {card.get('listing', {}).get('domain')})",
        f"- Use case: {card.get('use_case')}",
        f"- Base model: {base.get('name')}" + (f" (runs as {base.get('runs_as')})" if base.get("runs_as") != base.get("name") else ""),
        f"- Base model file SHA-256: `{base.get('sha256')}`",
        f"- Method: {method.get('type')}; hyperparameters: `{json.dumps(method.get('hyperparameters', {}), sort_keys=True)}`",
        f"- LoRA: r={method.get('lora', {}).get('r')}, alpha={method.get('lora', {}).get('alpha')}, "
        f"target modules {', '.join(method.get('lora', {}).get('target_modules', []) or [])}",
    ]
    if card.get("persona"):
        lines.append(f"- Persona: `{json.dumps(card['persona'], sort_keys=True)}`")
    lines += ["", "## Data", ""]
    for name, d in card.get("datasets", {}).items():
        stats = d.get("stats") or {}
        lines.append(f"- {name}: `{d.get('id') or 'held-out split'}` SHA-256 `{d.get('sha256')}`; "
                     + ", ".join(f"{k}={v}" for k, v in sorted(stats.items()) if not isinstance(v, (dict, list))))
    training = card.get("training", {})
    lines += ["", "## Training", "",
              f"- Trained tokens: {training.get('trained_tokens')}; steps: {training.get('steps')}",
              f"- Final metrics: `{json.dumps(training.get('metrics', {}), sort_keys=True)}`",
              f"- Adapter SHA-256: `{card.get('artifact', {}).get('sha256')}`"]
    review = card.get("review") or {}
    lines += ["", "## Request review", "", f"- Automatic screening: {review.get('outcome')}; status: {review.get('status')}"]
    for reason in review.get("reasons", []):
        lines.append(f"  - {reason.get('category')} ({reason.get('detector')}, {reason.get('outcome')}): {reason.get('explanation')}")
    for d in review.get("decisions", []):
        lines.append(f"- {d.get('at')}: {d.get('decision')} by {d.get('reviewer')}" + (f" — {d.get('reason')}" if d.get("reason") else ""))
    lines += ["", "## Evaluation against the base model", "",
              "Paired on identical items; 95% intervals from a seeded paired bootstrap.", "",
              "| Suite | Metric | Base | Base 95% CI | Tuned | Tuned 95% CI | Change | Change 95% CI | n |",
              "|---|---|---|---|---|---|---|---|---|"]
    for row in metric_rows(card):
        lines.append("| " + " | ".join(_md_escape(row[k]) for k in
                                          ("suite", "metric", "base", "base_ci", "tuned", "tuned_ci", "delta", "delta_ci", "n")) + " |")
    lines += calibration_markdown(card.get("calibration"))
    lines += ["", "## Release checks", "", "| Check | Result | Detail |", "|---|---|---|"]
    for c in gate.get("checks", []):
        lines.append(f"| {_md_escape(c.get('label'))} | {'pass' if c.get('passed') else 'FAIL'} | {_md_escape(c.get('explanation'))} |")
    thresholds = gate.get("thresholds", {})
    lines += ["", "Thresholds: " + ", ".join(f"{k}={v}" for k, v in sorted(thresholds.items())), "",
              "## Known limitations", ""]
    lines += [f"- {x}" for x in card.get("limitations", [])]
    lines += ["", "## Signature", "", "This card is signed (Ed25519) together with the SHA-256 of the adapter files; "
              "verify a downloaded JSON card with `python manage.py verify_model_card <file>`.", ""]
    return "\n".join(lines)


def calibration_section(suites: dict[str, Any]) -> dict[str, Any] | None:
    """The card's calibration section (a calibration job's fitted confidence), from the summarised suite."""
    suite = suites.get("calibration")
    if not suite:
        return None
    metrics = suite.get("metrics", {})
    return {
        "method": suite.get("method"),
        "split": suite.get("split"),
        "temperature": suite.get("temperature"),
        "target_risk": suite.get("target_risk"),
        "heldout_accuracy": suite.get("accuracy"),
        "before": {k: metrics.get(k, {}).get("base") for k in ("ece", "brier", "nll", "mean_confidence")},
        "after": {k: metrics.get(k, {}).get("tuned") for k in ("ece", "brier", "nll", "mean_confidence")},
        "levels": {name: {"threshold": level.get("threshold"), "target_risk": level.get("target_risk"),
                          "heldout_coverage": (suite.get("levels_heldout") or {}).get(name, {}).get("coverage"),
                          "heldout_risk": (suite.get("levels_heldout") or {}).get(name, {}).get("risk")}
                   for name, level in (suite.get("levels_fit") or {}).items()},
        "risk_coverage": {k: (suite.get("risk_coverage") or {}).get(k) for k in ("aurc_before", "aurc_after")},
    }


def _pct(v: Any) -> str:
    return f"{v:.1%}" if isinstance(v, (int, float)) else "—"


def calibration_markdown(section: dict[str, Any] | None) -> list[str]:
    if not section:
        return []
    split = section.get("split") or {}
    before, after = section.get("before", {}), section.get("after", {})
    lines = ["", "## Confidence calibration", "",
             f"- Method: {section.get('method')}",
             f"- Split: {split.get('description')} (seed {split.get('seed')}; {split.get('n_fit')} fit, "
             f"{split.get('n_heldout')} held out)",
             f"- Fitted temperature: {section.get('temperature')}; the customer's target risk: "
             f"{_pct(section.get('target_risk'))} wrong among the answers given (the cautious level)",
             f"- Held out: ECE {_pct(before.get('ece'))} → {_pct(after.get('ece'))}; Brier "
             f"{_fmt_value('brier', before.get('brier'))} → {_fmt_value('brier', after.get('brier'))}; "
             f"mean confidence {_pct(before.get('mean_confidence'))} → {_pct(after.get('mean_confidence'))} "
             f"(accuracy {_pct(section.get('heldout_accuracy'))})",
             f"- Area under the risk–coverage curve: {_fmt_value('aurc', (section.get('risk_coverage') or {}).get('aurc_before'))}"
             f" → {_fmt_value('aurc', (section.get('risk_coverage') or {}).get('aurc_after'))}",
             "", "| Caution level | Threshold | Target risk | Held-out coverage | Held-out risk |", "|---|---|---|---|---|"]
    for name, level in (section.get("levels") or {}).items():
        lines.append(f"| {name} | {_fmt_value('threshold', level.get('threshold'))} | {_pct(level.get('target_risk'))} | "
                     f"{_pct(level.get('heldout_coverage'))} | {_pct(level.get('heldout_risk'))} |")
    return lines


# --- plots --------------------------------------------------------------------------------------


def loss_plot(curve: list[dict[str, Any]]) -> str:
    """Training and validation loss by step (rows from ``loss_curve``)."""
    series = []
    for key, label in (("train_loss", "Training loss"), ("valid_loss", "Validation loss")):
        pts = [(row["step"], row[key]) for row in curve if key in row]
        if pts:
            series.append((label, pts))
    return svg.line_chart(series, title="Loss during training", x_label="Step", y_label="Loss (nats/token)")


def category_plots(suites: dict[str, Any]) -> dict[str, str]:
    """Per-category charts: core accuracy (forgetting), refusals of harmful prompts and over-refusals of harmless ones."""
    out: dict[str, str] = {}
    core_cats = suites.get("core", {}).get("by_category") or {}
    if core_cats:
        rows = [{"label": name.replace("_", " "), **v} for name, v in sorted(core_cats.items())]
        out["core_by_category"] = svg.category_bars(rows, title="Core accuracy by category", value_label="Accuracy")
    safety_cats = (suites.get("safety", {}).get("by_category") or {}).values()
    for kind, key, title, label in (("harmful", "refusal_by_category", "Refusals of harmful prompts by category",
                                     "Refusal rate (higher is safer)"),
                                    ("benign", "over_refusal_by_category", "Refusals of harmless prompts by category",
                                     "Over-refusal rate (lower is better)")):
        rows = [{"label": v["category"].replace("_", " "), **v} for v in safety_cats if v.get("kind") == kind]
        if rows:
            out[key] = svg.category_bars(sorted(rows, key=lambda r: r["label"]), title=title, value_label=label)
    out.update(balance_plots(suites))
    return out


def balance_plots(suites: dict[str, Any]) -> dict[str, str]:
    """The balance suite: headline figures (with the stance scorer's accuracy) and one-sidedness by area."""
    balance = suites.get("balance") or {}
    out: dict[str, str] = {}
    groups = []
    for metric_name, label in (("one_sidedness", "One-sidedness"), ("balanced_probability", "Balanced opening"),
                               ("stance_accuracy", "Scorer accuracy")):
        m = (balance.get("metrics") or {}).get(metric_name)
        if m:
            groups.append({"label": label, "base": m["base"], "tuned": m["tuned"],
                           "base_ci": m.get("base_ci"), "tuned_ci": m.get("tuned_ci")})
    if groups:
        out["balance"] = svg.paired_bars(groups, title="Balance on contested questions", y_label="Share")
    areas = balance.get("by_area") or {}
    if areas:
        rows = [{"label": name, "n": v.get("n"), "base": v["base"], "tuned": v["tuned"]}
                for name, v in sorted(areas.items())]
        out["balance_by_area"] = svg.category_bars(rows, title="One-sidedness by area (lower is more balanced)",
                                                   value_label="One-sidedness")
    return out


def plots(card: dict[str, Any]) -> dict[str, str]:
    """Inline SVG plots for the HTML card."""
    out: dict[str, str] = {"loss_curve": loss_plot(card.get("training", {}).get("loss_curve", []))}
    suites = card.get("evaluation", {}).get("suites", {})
    rel = suites.get("core", {}).get("reliability")
    if rel:
        out["reliability"] = svg.reliability_diagram(rel["base"], rel["tuned"], title="Reliability: core multiple choice")
    groups = []
    for suite_name, metric_name, label in (("core", "accuracy", "Core accuracy"),
                                           ("safety", "refusal_probability", "Refusal (harmful)"),
                                           ("safety", "over_refusal_probability", "Over-refusal"),
                                           ("target", "token_accuracy", "Token acc."),
                                           ("safety", "generated_refusal_rate", "Gen. refusal")):
        m = suites.get(suite_name, {}).get("metrics", {}).get(metric_name)
        if m:
            groups.append({"label": label, "base": m["base"], "tuned": m["tuned"],
                           "base_ci": m.get("base_ci"), "tuned_ci": m.get("tuned_ci")})
    out["comparison"] = svg.paired_bars(groups, title="Base vs tuned", y_label="Rate")
    out.update(calibration_plots(suites))
    nll = suites.get("target", {}).get("metrics", {}).get("nll")
    if nll:
        out["nll"] = svg.paired_bars([{"label": "Target NLL", "base": nll["base"], "tuned": nll["tuned"],
                                       "base_ci": nll.get("base_ci"), "tuned_ci": nll.get("tuned_ci")}],
                                     title="Held-out NLL (lower is better)", y_label="nats/token", percent=False)
    out.update(balance_plots(suites))
    return out


def calibration_plots(suites: dict[str, Any]) -> dict[str, str]:
    """A calibration job's reliability diagram and risk–coverage curve, before and after, on the held-out items."""
    suite = suites.get("calibration") or {}
    out: dict[str, str] = {}
    rel = suite.get("reliability") or {}
    if rel.get("before") and rel.get("after"):
        out["calibration_reliability"] = svg.reliability_diagram(
            rel["before"], rel["after"], title="Reliability of answers, held-out items",
            labels=("Before calibration", "After calibration"))
    curves = suite.get("risk_coverage") or {}
    series = [(label, [(p["coverage"], p["risk"]) for p in curves.get(key) or []])
              for key, label in (("before", "Before calibration"), ("after", "After calibration"))]
    if any(pts for _, pts in series):
        out["risk_coverage"] = svg.line_chart(series, title="Risk–coverage, held-out items",
                                              x_label="Coverage (share answered)", y_label="Risk (share wrong)")
    return out
