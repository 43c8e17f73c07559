"""What screening returns: a Reason per finding, the ScreeningResult, the collector that
gathers them, and the wording customers see (public_reasons)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from . import policy
from .policy import CATEGORY_BY_ID, CONTENT_CATEGORY_IDS, Outcome


# --------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One matched reason. ``outcome`` is what this reason alone leads to.

    ``explanation`` is general (the category and where, never what matched) and is
    what a customer sees; ``detail``, ``matched``, ``score`` and ``example_index``
    are for reviewers only (see ``public_reasons``).
    """

    category: str
    outcome: Outcome
    source: str  # "use_case" | "system_prompt" | "example" | "dataset" | "persona" | "request"
    detector: str  # "rule" | "semantic" | "harmful_compliance" | "count" | "check"
    explanation: str
    matched: str = ""  # the matched text (rule) or the nearest exemplar (semantic)
    score: float | None = None  # similarity; 1.0 for a rule match
    example_index: int | None = None  # index into the training examples
    key: str | None = None  # persona key, for source == "persona"
    detail: str = ""  # for reviewers: the rule's name, the similarity, the role

    @property
    def location(self) -> str:
        if self.source == "example":
            return f"example[{self.example_index}]"
        if self.source == "persona" and self.key:
            return f"persona.{self.key}"
        return self.source

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcome"] = self.outcome.value
        data["location"] = self.location
        return data


@dataclass
class ScreeningResult:
    outcome: Outcome
    reasons: list[Reason]
    scores: dict[str, float]  # content category id -> highest score seen (0..1)
    high_risk: bool
    required_approvals: int  # distinct human approvals needed before training
    examples_total: int = 0
    examples_embedded: int = 0  # how many examples the semantic check saw
    examples_rule_checked: int = 0  # rules see every example
    sampled: bool = False  # True when only a sample of examples was embedded
    semantic_screened: bool = True
    notes: list[str] = field(default_factory=list)
    policy_version: str = policy.POLICY_VERSION
    # The composed system prompt that was screened: the exact string training,
    # evaluation and inference use (review.prompts.compose_system_prompt).
    system_prompt: str | None = None
    # Why the request is high risk: "domain:<id>" (the listing) and/or "content:<id>".
    high_risk_sources: list[str] = field(default_factory=list)

    @property
    def categories(self) -> set[str]:
        return {r.category for r in self.reasons}

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "reasons": [r.to_dict() for r in self.reasons],
            "scores": dict(self.scores),
            "high_risk": self.high_risk,
            "required_approvals": self.required_approvals,
            "examples_total": self.examples_total,
            "examples_embedded": self.examples_embedded,
            "examples_rule_checked": self.examples_rule_checked,
            "sampled": self.sampled,
            "semantic_screened": self.semantic_screened,
            "notes": list(self.notes),
            "policy_version": self.policy_version,
            "system_prompt": self.system_prompt,
            "high_risk_sources": list(self.high_risk_sources),
        }


# --------------------------------------------------------------------------
# screen_request
# --------------------------------------------------------------------------


class _Collector:
    """Gathers reasons and per-category scores."""

    def __init__(self) -> None:
        self.reasons: list[Reason] = []
        self.scores: dict[str, float] = {c: 0.0 for c in CONTENT_CATEGORY_IDS}
        # Example reasons are capped per (category, detector); the rest are counted.
        self.example_counts: dict[tuple[str, str], int] = {}
        self.semantic_example_hits: list[Reason] = []
        # (category, example index) of every example reason, listed or not.
        self.example_keys: set[tuple[str, int | None]] = set()
        # The same, for the reasons that count towards "many examples match" (see
        # policy.EXAMPLE_REJECT_MIN_COUNT): (category, example index, detector).
        self.volume_keys: set[tuple[str, int, str]] = set()
        self.turns_by_index: dict[int, _Turns] = {}
        self.embedded_indices: list[int] = []

    def score(self, category_id: str, value: float) -> None:
        if category_id in self.scores:
            self.scores[category_id] = max(self.scores[category_id], round(float(value), 4))

    def add(self, reason: Reason) -> None:
        if reason.score is not None:
            self.score(reason.category, reason.score)
        if reason.source == "example":
            self.example_keys.add((reason.category, reason.example_index))
            # A person at risk asking about self-harm or tracking is not a pattern of abuse.
            if reason.example_index is not None and not (
                    reason.detector == "harmful_compliance" and reason.category in policy.COMPLIANCE_REVIEW_ONLY):
                self.volume_keys.add((reason.category, reason.example_index, reason.detector))
            key = (reason.category, reason.detector)
            self.example_counts[key] = self.example_counts.get(key, 0) + 1
            if self.example_counts[key] > policy.MAX_EXAMPLE_REASONS_PER_CATEGORY:
                return
        self.reasons.append(reason)


_WHERE = {
    "use_case": "the use case",
    "system_prompt": "the system prompt",
    "example": "the training data",
    "dataset": "the training data",
    "persona": "the persona settings",
    "request": "the request",
}


def general_explanation(category_id: str, source: str, detector: str = "") -> str:
    """What a customer is told about a content reason: the category and where, never what matched."""
    title = CATEGORY_BY_ID[category_id].title
    if detector == "harmful_compliance":
        return f"{title}: the training data teaches the model to comply with requests in this category."
    if source == "dataset":
        return f"{title}: many training examples fall under this policy category."
    return f"{title}: {_WHERE.get(source, 'the request')} falls under this policy category."


def public_reasons(reasons: Iterable[Reason | dict]) -> list[dict[str, str]]:
    """Reasons as a customer sees them: category, title, outcome and a general explanation.

    No matched text, no example index, no score, no rule name: telling an attacker
    what matched tells them what to remove. Content reasons are re-worded from
    their category and source (so rows stored before this rule are safe to show
    too); procedural reasons (persona, verification, high risk) explain the
    customer's own settings and keep their text. One entry per (category, outcome).
    Reviewers see the full reasons in the admin.
    """
    out: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for reason in reasons:
        r = reason.to_dict() if isinstance(reason, Reason) else dict(reason)
        category_id, outcome = str(r.get("category") or ""), str(r.get("outcome") or "")
        category = CATEGORY_BY_ID.get(category_id)
        if (category_id, outcome) in seen:
            continue
        seen.add((category_id, outcome))
        if category is None:
            explanation, title = "This request needs a reviewer's decision.", category_id
        elif category.content:
            explanation, title = general_explanation(category_id, str(r.get("source") or ""),
                                                     str(r.get("detector") or "")), category.title
        else:
            explanation, title = str(r.get("explanation") or category.summary), category.title
        out.append({"category": category_id, "title": title, "outcome": outcome, "explanation": explanation})
    return out


@dataclass
class _Turns:
    system: list[str]
    pairs: list[tuple[str, str]]  # (user, the assistant reply that follows)


def _truncate(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
