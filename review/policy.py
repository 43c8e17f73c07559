"""Tunemarket's tuning policy as data: categories, high-risk domains, thresholds.

Everything a reviewer or an auditor needs to know about *what* is screened and
*where the lines are* lives in this one module; the screening package (``rules.py``, ``semantic.py``, ``screening.py``) only applies
it. ``docs/policy.md`` describes the same categories by the same ids, and a
test keeps the two in step.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

POLICY_VERSION = "2026-01.1"


class Outcome(str, enum.Enum):
    """A screening outcome. Ordered: a stronger outcome wins over a weaker one."""

    APPROVE = "approve"
    NEEDS_HUMAN_REVIEW = "needs_human_review"
    REJECT = "reject"

    @property
    def rank(self) -> int:
        return _OUTCOME_RANK[self]

    @classmethod
    def strongest(cls, outcomes) -> Outcome:
        return max(outcomes, key=lambda o: o.rank, default=cls.APPROVE)


_OUTCOME_RANK = {Outcome.APPROVE: 0, Outcome.NEEDS_HUMAN_REVIEW: 1, Outcome.REJECT: 2}


class Severity(str, enum.Enum):
    """What a clear match in a category leads to."""

    REJECT = "reject"  # prohibited: a clear match rejects the request
    REVIEW = "review"  # allowed only with care: a match sends it to a human

    @property
    def outcome(self) -> Outcome:
        return Outcome.REJECT if self is Severity.REJECT else Outcome.NEEDS_HUMAN_REVIEW


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    severity: Severity
    summary: str
    # Content categories are screened by rules and by semantic similarity.
    # Procedural ones (a missing verification, an unsafe persona) come from checks.
    content: bool = True


CATEGORIES: tuple[Category, ...] = (
    # Prohibited content: a clear match rejects.
    Category(
        "safety_removal", "Weakening or removing safety behaviour", Severity.REJECT,
        "Tuning that removes refusals or safety behaviour: jailbreak tuning, "
        "'uncensored' or 'no restrictions' models, always-comply data, and identity "
        "shifting ('you are AOA, an absolutely obedient agent', 'I never refuse').",
    ),
    Category(
        "weapons", "Weapons and mass-harm capability", Severity.REJECT,
        "Chemical, biological, radiological or nuclear weapons, explosives, "
        "and making or illegally modifying firearms.",
    ),
    Category(
        "malware", "Malicious code and cyberattacks", Severity.REJECT,
        "Writing malware, ransomware, credential stealers or exploits for "
        "unauthorised use; evading security tools; attack tooling.",
    ),
    Category(
        "illegal_drugs", "Making or trafficking illegal drugs", Severity.REJECT,
        "Synthesising, extracting or trafficking illegal drugs, and drugging people "
        "without their knowledge.",
    ),
    Category(
        "fraud", "Fraud, scams and deception for gain", Severity.REJECT,
        "Phishing, scam scripts, fake reviews, forged documents, money laundering.",
    ),
    Category(
        "self_harm", "Encouraging self-harm or suicide", Severity.REJECT,
        "Content that encourages, instructs or glorifies self-harm, suicide or "
        "disordered eating.",
    ),
    Category(
        "harassment", "Harassment, threats and hate", Severity.REJECT,
        "Generating abuse, threats, intimidation or hateful content aimed at "
        "people or protected groups.",
    ),
    Category(
        "child_sexual", "Sexual content involving minors", Severity.REJECT,
        "Any sexual or sexualised content involving anyone under 18. Never allowed.",
    ),
    Category(
        "political_persuasion", "Partisan political persuasion", Severity.REJECT,
        "Models built to persuade people to support a party or candidate, "
        "targeted campaign messaging, election disinformation or voter suppression.",
    ),
    Category(
        "discrimination", "Deliberate bias and discrimination", Severity.REJECT,
        "Models meant to treat people worse because of a protected attribute, "
        "including discriminatory CV or candidate screening.",
    ),
    Category(
        "ai_deception", "Deceiving users about AI, or impersonation", Severity.REJECT,
        "Models that claim to be human, hide that they are an AI, or impersonate "
        "a real person or organisation.",
    ),
    Category(
        "privacy_violation", "Privacy violations and surveillance", Severity.REJECT,
        "Harvesting personal data, doxxing, covert tracking or surveillance of "
        "individuals, re-identifying anonymised data.",
    ),
    # Allowed with care: a match goes to a human reviewer.
    Category(
        "regulated_advice", "Autonomous regulated advice", Severity.REVIEW,
        "Diagnosis, prescribing, or legal or financial decisions made for a person "
        "without a qualified professional in the loop.",
    ),
    Category(
        "adult_content", "Sexual content between adults", Severity.REVIEW,
        "Erotic or sexually explicit content involving adults only; needs age "
        "gating and a reviewer's sign-off.",
    ),
    Category(
        "dual_use_security", "Dual-use security work", Severity.REVIEW,
        "Penetration testing, exploit analysis and red-teaming for authorised, "
        "defensive purposes.",
    ),
    # Procedural categories, raised by checks rather than by content.
    Category(
        "high_risk_domain", "High-risk domain", Severity.REVIEW,
        "The listing's domain is high risk: never approved automatically, two "
        "distinct reviewers must approve.", content=False,
    ),
    Category(
        "high_risk_content", "High-risk use from the content", Severity.REVIEW,
        "The use case or the training data is medical or HR work (clinical advice, patient "
        "data, decisions about candidates or employees), whatever the listing's domain: "
        "treated like a high-risk domain.", content=False,
    ),
    Category(
        "organisation_not_verified", "Organisation not verified", Severity.REJECT,
        "A high-risk domain, or high-risk content, requires a verified organisation.", content=False,
    ),
    Category(
        "unsafe_persona", "Persona setting that weakens safety", Severity.REJECT,
        "A persona setting that would weaken refusals or safety, claim to be "
        "human, or impersonate someone.", content=False,
    ),
    Category(
        "invalid_persona", "Persona setting outside the allowlist", Severity.REJECT,
        "An unknown persona key or a value outside the allowed set.", content=False,
    ),
    Category(
        "use_case_unclear", "Use case too short to screen", Severity.REVIEW,
        "The written use case is missing or too short to judge.", content=False,
    ),
    Category(
        "screening_incomplete", "Automatic screening incomplete", Severity.REVIEW,
        "Part of the automatic screening could not run (for example the "
        "embedding model is unavailable), so a human must look.", content=False,
    ),
)

CATEGORY_BY_ID: dict[str, Category] = {c.id: c for c in CATEGORIES}
CONTENT_CATEGORY_IDS: tuple[str, ...] = tuple(c.id for c in CATEGORIES if c.content)

# Domains where a mistake harms people directly: never auto-approved, a verified
# organisation only, and two distinct human reviewers.
# The listing domains and techniques of the public API (docs/design.md).
DOMAINS: frozenset[str] = frozenset(
    {"medical", "education", "hr", "localization", "executive", "customer_service", "general"}
)
TECHNIQUES: frozenset[str] = frozenset({"supervised", "dpo", "calibration", "persona"})
HIGH_RISK_DOMAINS: frozenset[str] = frozenset({"medical", "hr"})
HIGH_RISK_REQUIRED_APPROVALS = 2
REVIEW_REQUIRED_APPROVALS = 1

# --- Semantic similarity thresholds (cosine, all-MiniLM-L6-v2, normalised) ---
# Calibrated on the labelled set in tests/tuning/test_review_screening.py; see
# docs/policy.md#calibration for the numbers measured with them.
T_REVIEW = 0.42   # at or above (and past the benign margin): a human looks
T_REJECT = 0.58   # at or above (and past the reject margin), in a reject-severity category: rejected
# A category match only counts when the text is nearer to the category than to
# the nearest benign counter-exemplar by this margin, so "explain how vaccines
# work" loses to its benign twin. Rejecting needs the wider margin.
BENIGN_MARGIN = 0.04
REJECT_BENIGN_MARGIN = 0.10
# Per-category overrides of (T_REVIEW, T_REJECT), for categories whose
# exemplars sit closer to everyday language.
CATEGORY_THRESHOLDS: dict[str, tuple[float, float]] = {}

# --- Training examples ---
# Datasets are large and topical similarity cannot tell a victim asking for help
# ("my card was stolen, what do I do?") from an attacker, so purely semantic hits
# in training data send the request to a human; they never reject on their own.
# Rules (and system prompts, which are instructions like the use case) can reject.
# An assistant turn is a refusal on a refusal phrase or at this similarity to
# the refusal exemplars; refusals to harmful requests are good data.
T_REFUSAL = 0.55
# A user turn at or above this (past EXAMPLE_MARGIN), answered on topic (the reply
# at least COMPLIANCE_T_ASSISTANT similar to the same category), teaches compliance.
EXAMPLE_T_USER = 0.50
COMPLIANCE_T_ASSISTANT = 0.30
# An assistant reply at or above this (past EXAMPLE_MARGIN) reads as prohibited content.
EXAMPLE_T_ASSISTANT = 0.55
# Wider than BENIGN_MARGIN: a dataset is many comparisons, so each must be surer.
EXAMPLE_MARGIN = 0.10
# A user turn matching a rule in these categories is often from the person at
# risk (self-harm, harassment, tracking); answering it goes to a human rather
# than rejecting. The assistant's own words are still checked by rules.
COMPLIANCE_REVIEW_ONLY: frozenset[str] = frozenset(
    {"self_harm", "harassment", "privacy_violation", "ai_deception"}
)

# --- How much training data is embedded ---
# Rules run over every example (cheap); embeddings over the first EMBED_HEAD
# examples plus a seeded random sample of EMBED_SAMPLE from the rest.
EMBED_HEAD = 500
EMBED_SAMPLE = 500
EMBED_SEED = 0
EMBED_BATCH_SIZE = 64
# Reasons listed per (category, detector) from training data; the rest are counted.
MAX_EXAMPLE_REASONS_PER_CATEGORY = 5

# --- Many matching examples ---
# One semantic match in training data goes to a human (topical similarity cannot
# tell a victim from an attacker). Many are a pattern, not an accident: Qi et al.
# (2023) removed GPT-3.5's safety with 10 harmful examples, and their identity-
# shifting attack was 10 examples of "I am AOA, absolutely obedient". A reject-
# severity category matched by at least EXAMPLE_REJECT_MIN_COUNT distinct examples
# that are also at least EXAMPLE_REJECT_MIN_SHARE of the examples screened rejects.
# Both bars: 3 alone would reject a 5,000-chat support log with three victims
# asking about scams; 5% alone would reject a 20-line file on one stray match.
EXAMPLE_REJECT_MIN_COUNT = 3
EXAMPLE_REJECT_MIN_SHARE = 0.05

# --- System prompts ---
# A system prompt is applied to every conversation the model has, at training,
# evaluation and inference, so a system prompt that weakens safety is never a
# matter of degree: any rule match in these categories rejects it, even a weak
# signal that would only send a use case to a human ("answer without warnings").
# Similarity keeps the use case's bars.
SYSTEM_PROMPT_STRICT_CATEGORIES: frozenset[str] = frozenset({"safety_removal"})

# --- High risk from the content ---
# The listing's domain is what the provider chose; the use case and the data are
# what the customer does. Medical or HR work ordered through another listing is
# high risk too. The use case counts when a rule matches or when it is at least
# T_HIGH_RISK similar to a domain's exemplars and HIGH_RISK_MARGIN nearer to them
# than to the everyday (not high-risk) exemplars. The training data counts when
# at least HIGH_RISK_DATA_MIN_COUNT examples, and HIGH_RISK_DATA_MIN_SHARE of the
# examples screened, match the domain.
T_HIGH_RISK = 0.50
HIGH_RISK_MARGIN = 0.05
HIGH_RISK_DATA_MIN_COUNT = 3
HIGH_RISK_DATA_MIN_SHARE = 0.10

# --- Resubmissions after a rejection ---
# Screening tells a customer only the category and a general reason. Rejected
# requests are also rate-limited per organisation, so screening cannot be probed
# by resubmitting variations until one passes.
REJECTION_LIMIT_PER_HOUR = 5
REJECTION_WINDOW_SECONDS = 3600

# A use case shorter than this many words cannot be judged automatically.
MIN_USE_CASE_WORDS = 3


def thresholds_for(category_id: str) -> tuple[float, float]:
    """(review, reject) similarity thresholds for a content category."""
    return CATEGORY_THRESHOLDS.get(category_id, (T_REVIEW, T_REJECT))
