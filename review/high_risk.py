"""Many-examples findings and high risk from the content (medical or HR work ordered through another
listing): what sends a request to two reviewers."""
from __future__ import annotations

import re

from . import exemplars, policy
from .embeddings import _chunks, _encode
from .policy import CATEGORY_BY_ID, Outcome, Severity
from .reasons import Reason, _Collector, _truncate, general_explanation
from .rules import _FLAGS


# --------------------------------------------------------------------------
# Dataset-level checks: many matching examples, high risk from the content
# --------------------------------------------------------------------------


def _many_examples_reasons(collector: _Collector) -> list[Reason]:
    """A reject-severity category matched by many examples rejects (policy.EXAMPLE_REJECT_MIN_*)."""
    rule_checked = max(1, len(collector.turns_by_index))
    embedded = set(collector.embedded_indices)
    by_category: dict[str, dict[str, set[int]]] = {}
    for category_id, index, detector in collector.volume_keys:
        entry = by_category.setdefault(category_id, {"all": set(), "rule": set()})
        entry["all"].add(index)
        if detector != "semantic":  # rules and rule-based compliance saw every example
            entry["rule"].add(index)
    rejected = {r.category for r in collector.reasons if r.outcome is Outcome.REJECT}
    out = []
    for category_id, entry in sorted(by_category.items()):
        category = CATEGORY_BY_ID[category_id]
        if category.severity is not Severity.REJECT or category_id in rejected:
            continue
        count = len(entry["all"])
        # Within the embedded sample both detectors saw every example; outside it only rules did.
        share = max(len(entry["rule"]) / rule_checked,
                    len(entry["all"] & embedded) / len(embedded) if embedded else 0.0)
        if count >= policy.EXAMPLE_REJECT_MIN_COUNT and share >= policy.EXAMPLE_REJECT_MIN_SHARE:
            out.append(Reason(
                category=category_id,
                outcome=Outcome.REJECT,
                source="dataset",
                detector="count",
                explanation=general_explanation(category_id, "dataset"),
                detail=(f"{count} training examples ({share:.0%} of those screened) match this category; "
                        f"at least {policy.EXAMPLE_REJECT_MIN_COUNT} and "
                        f"{policy.EXAMPLE_REJECT_MIN_SHARE:.0%} reject."),
                matched=", ".join(f"example[{i}]" for i in sorted(entry["all"])[:10]),
                score=round(share, 4),
            ))
    return out


_HIGH_RISK_RULES: dict[str, re.Pattern] = {
    "medical": re.compile(
        r"\b(diagnos\w*|symptoms?|triag\w* (patients?|symptoms|injur\w*|callers? with)|(patient|medical|clinical) triage|"
        r"prescrib\w*|dosages?|doses? of|how much \w+ (should|can) I take|"
        r"medical (history|histories|records?|advice|intake|questions|conditions?)|"
        r"patient (records?|notes|intake|histories|history|data|symptoms|questions about (their|symptoms|treatment))|"
        r"clinical (notes|advice|decisions?|questions|assessments?)|treatment (options|plans?|advice)|"
        r"medication (advice|questions|changes)|which (medication|medicine|drug)s? to take|drug interactions?|"
        r"discharge summar\w*|test results|blood (test|pressure) results|mental health (treatment|symptoms))\b",
        _FLAGS,
    ),
    "hr": re.compile(
        r"\b(screen\w*|rank\w*|shortlist\w*|assess\w*|evaluat\w*|scor\w*|rat(e|es|ing)|filter\w*|sort\w*|"
        r"select\w*|reject\w*|grad\w*|vet\w*)\b.{0,40}?\b(candidates?|applicants?|CVs?|résumés?|resumes?|"
        r"job applications?|interviewees?|new hires?)\b|"
        r"\b(hiring|promotion|dismissal|firing|redundancy|termination|disciplinary) (decisions?|recommendations?)\b|"
        r"\bwho (to|should we|we should) (hire|promote|fire|dismiss|let go|make redundant)\b|"
        r"\b(rate|rating|score|scoring|rank|ranking) (\w+ )?(employees?|staff|workers)('s?)? (performance|productivity)\b|"
        r"\b(terminat\w*|dismiss\w*|fir(e|ing)) (an? )?(employees?|staff|workers)\b",
        _FLAGS,
    ),
}
_high_risk_index = None


def _high_risk_vectors():
    """(domain -> exemplar vectors, everyday vectors), embedded once per process."""
    global _high_risk_index
    if _high_risk_index is None:
        domains = {d: _encode(list(texts)) for d, texts in exemplars.HIGH_RISK_EXEMPLARS.items()}
        everyday = _encode(list(exemplars.NOT_HIGH_RISK))
        _high_risk_index = (domains, everyday)
    return _high_risk_index


def _high_risk_similar(texts: list[str]) -> dict[str, list[bool]]:
    """Per domain, whether each text reads as high-risk work (similarity and margin over everyday work)."""
    if not texts:
        return {d: [] for d in exemplars.HIGH_RISK_EXEMPLARS}
    domains, everyday = _high_risk_vectors()
    vectors = _encode([t[:2000] for t in texts])
    base = (vectors @ everyday.T).max(axis=1)
    out = {}
    for domain_id, exemplar_vectors in domains.items():
        best = (vectors @ exemplar_vectors.T).max(axis=1)
        out[domain_id] = [bool(b >= policy.T_HIGH_RISK and b - e >= policy.HIGH_RISK_MARGIN)
                          for b, e in zip(best, base)]
    return out


def _high_risk_from_content(use_case: str, collector: _Collector, *, semantic: bool) -> list[Reason]:
    """Medical or HR work found in the use case or the training data, whatever the listing says."""
    found: dict[str, Reason] = {}
    title = {"medical": "medical (clinical) work", "hr": "HR work (decisions about candidates or employees)"}
    for domain_id, pattern in _HIGH_RISK_RULES.items():
        m = pattern.search(use_case)
        if m:
            found[domain_id] = Reason(
                category="high_risk_content", outcome=Outcome.NEEDS_HUMAN_REVIEW, source="use_case",
                detector="rule", explanation=f"The use case describes {title[domain_id]}, which is high risk.",
                detail=f"High-risk rule '{domain_id}' matched the use case.", matched=_truncate(m.group(0)),
                key=domain_id,
            )
    sentences = _chunks(use_case)
    if semantic and sentences:
        similar = _high_risk_similar(sentences)
        for domain_id, flags in similar.items():
            if any(flags) and domain_id not in found:
                chunk = sentences[flags.index(True)]
                found[domain_id] = Reason(
                    category="high_risk_content", outcome=Outcome.NEEDS_HUMAN_REVIEW, source="use_case",
                    detector="semantic", explanation=f"The use case describes {title[domain_id]}, which is high risk.",
                    detail=f"The use case reads like the {domain_id} exemplars.", matched=_truncate(chunk),
                    key=domain_id,
                )
    turns = collector.turns_by_index
    if turns:
        texts = {i: " ".join([*t.system, *(u + " " + a for u, a in t.pairs)]) for i, t in turns.items()}
        embedded = [i for i in collector.embedded_indices if i in turns]
        users = {i: " ".join(u for u, _ in turns[i].pairs if u) for i in embedded}
        users = {i: u for i, u in users.items() if u}
        similar = _high_risk_similar(list(users.values())) if semantic and users else {}
        for domain_id, pattern in _HIGH_RISK_RULES.items():
            if domain_id in found:
                continue
            ruled = {i for i, text in texts.items() if pattern.search(text)}
            sem = {i for i, flag in zip(users, similar.get(domain_id, [])) if flag}
            count = len(ruled | sem)
            share = max(len(ruled) / len(texts), len((ruled | sem) & set(embedded)) / len(embedded) if embedded else 0.0)
            if count >= policy.HIGH_RISK_DATA_MIN_COUNT and share >= policy.HIGH_RISK_DATA_MIN_SHARE:
                found[domain_id] = Reason(
                    category="high_risk_content", outcome=Outcome.NEEDS_HUMAN_REVIEW, source="dataset",
                    detector="count", explanation=f"The training data is {title[domain_id]}, which is high risk.",
                    detail=f"{count} training examples ({share:.0%} of those screened) read as {domain_id} work.",
                    matched=", ".join(f"example[{i}]" for i in sorted(ruled | sem)[:10]), score=round(share, 4),
                    key=domain_id,
                )
    return [found[d] for d in sorted(found)]
