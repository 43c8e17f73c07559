"""Automatic screening of a tuning request before any training.

``screen_request`` looks at the customer's written use case, the listing's
domain and technique, the organisation's verification, the persona settings
and the training examples, and returns ``approve``, ``needs_human_review`` or
``reject`` with the reasons that led there.

Two detectors run over the text: the rules (rules.py) over every training example, and semantic
similarity (semantic.py, with embeddings.py) of the use case and each training turn to the policy
exemplars in ``exemplars.py``. Training data is also checked for *harmful compliance*: a user turn
that asks for something in a category, answered by the assistant instead of refused. Refusals to
harmful requests are good safety data and are never flagged.

If the embedding model cannot be loaded, screening fails closed: the request goes to a human.
This package is pure Python (no Django), so a Celery task, an admin action and a test all call
the same function."""
from __future__ import annotations

import logging
import random
from dataclasses import replace
from typing import Any

import numpy as np

from . import policy
from .embeddings import EmbeddingModelUnavailable, _PolicyIndex, _chunks, _encode, _policy_index
from .high_risk import _high_risk_from_content, _many_examples_reasons
from .persona import validate_persona
from .policy import CATEGORY_BY_ID, Outcome
from .reasons import Reason, ScreeningResult, _Collector, _truncate, _Turns, general_explanation
from .refusal import is_refusal
from .rules import Rule, rule_hits
from .semantic import _Semantic, _score_vectors

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------
# Training examples
# --------------------------------------------------------------------------




def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts
        return " ".join(
            part.get("text", "") for part in content if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def _example_turns(example: Any) -> _Turns | None:
    """System texts and (user, assistant) pairs of a chat or DPO example."""
    if not isinstance(example, dict):
        return None
    messages = example.get("messages")
    if messages is None and isinstance(example.get("input"), dict):
        # DPO: what is taught is the input followed by the preferred output.
        preferred = example.get("preferred_output") or []
        messages = list(example["input"].get("messages") or []) + list(preferred if isinstance(preferred, list) else [])
    if not isinstance(messages, list):
        return None
    system: list[str] = []
    pairs: list[tuple[str, str]] = []
    pending_user: list[str] = []
    for message in messages:
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        text = _content_text(message.get("content")).strip()
        if not text:
            continue
        if role in ("system", "developer"):
            system.append(text)
        elif role == "user":
            pending_user.append(text)
        elif role == "assistant":
            pairs.append((" ".join(pending_user), text))
            pending_user = []
    if pending_user:
        pairs.append((" ".join(pending_user), ""))
    return _Turns(system=system, pairs=pairs[:8])


def _sample_indices(n: int, head: int, sample: int, seed: int) -> list[int]:
    chosen = list(range(min(n, head)))
    rest = range(len(chosen), n)
    if len(rest) > 0 and sample > 0:
        rng = random.Random(seed)
        chosen.extend(sorted(rng.sample(rest, min(sample, len(rest)))))
    return chosen




def _rule_reason(rule: Rule, matched: str, *, source: str, example_index: int | None = None,
                 detector: str = "rule", role: str = "") -> Reason:
    category = CATEGORY_BY_ID[rule.category]
    where = f" in the {role} text" if role else ""
    return Reason(
        category=rule.category,
        outcome=rule.match_outcome,
        source=source,
        detector=detector,
        explanation=general_explanation(rule.category, source),
        detail=f"Matched rule '{rule.name}'{where}.",
        matched=_truncate(matched),
        score=1.0,
        example_index=example_index,
    )


def _screen_instruction(text: str, collector: _Collector, sem: _Semantic | None, *, source: str,
                        role: str) -> None:
    """Screen an instruction: the use case, or a system prompt. Rules and similarity can reject.

    In a system prompt, any rule match in ``policy.SYSTEM_PROMPT_STRICT_CATEGORIES`` rejects, even
    a weak signal: the prompt is applied to every conversation, so weakening safety there is never a
    matter of degree. Similarity keeps the use case's bars (T_REVIEW, T_REJECT).
    """
    strict = policy.SYSTEM_PROMPT_STRICT_CATEGORIES if source == "system_prompt" else frozenset()

    def outcome_for(category_id: str, outcome: Outcome) -> Outcome:
        return Outcome.REJECT if category_id in strict else outcome

    for rule, matched in rule_hits(text, role):
        reason = _rule_reason(rule, matched, source=source)
        collector.add(replace(reason, outcome=outcome_for(rule.category, reason.outcome)))
    if sem is None:
        return
    for category_id, value in sem.scores.items():
        collector.score(category_id, value)
    for category_id, (value, outcome) in sem.passing.items():
        # Similarity keeps its own bars: a short, plain prompt ("You are a friendly support agent.")
        # sits near the identity-shift exemplars without meaning them, so only rules are strict.
        collector.add(Reason(
            category=category_id,
            outcome=outcome,
            source=source,
            detector="semantic",
            explanation=general_explanation(category_id, source),
            detail=f"The {source.replace('_', ' ')} is {value:.2f} similar to a policy exemplar.",
            matched=sem.nearest[category_id],
            score=round(value, 4),
        ))


def _screen_examples(examples: list, collector: _Collector, *, semantic: bool, head: int,
                     sample: int, seed: int) -> tuple[int, int, list[str]]:
    """Screen training examples. Returns (embedded, rule_checked, notes)."""
    notes: list[str] = []
    turns_by_index: dict[int, _Turns] = {}
    malformed = 0
    for i, example in enumerate(examples):
        turns = _example_turns(example)
        if turns is None:
            malformed += 1
            continue
        turns_by_index[i] = turns
    collector.turns_by_index = turns_by_index
    if malformed:
        notes.append(f"{malformed} training example(s) were not chat-format and were skipped.")

    # 1. Rules over every example.
    for i, turns in turns_by_index.items():
        for text in turns.system:
            for rule, matched in rule_hits(text, "system"):
                collector.add(_rule_reason(rule, matched, source="example", example_index=i, role="system"))
        for user, assistant in turns.pairs:
            refuses = is_refusal(assistant) if assistant else True
            if not refuses:
                for rule, matched in rule_hits(assistant, "assistant"):
                    collector.add(_rule_reason(rule, matched, source="example", example_index=i,
                                               role="assistant"))
                for rule, matched in rule_hits(user, "user"):
                    category = CATEGORY_BY_ID[rule.category]
                    # People ask about self-harm, harassment or tracking as the ones at risk;
                    # a reply to them is not harmful by itself, so a human looks.
                    outcome = (Outcome.NEEDS_HUMAN_REVIEW if rule.category in policy.COMPLIANCE_REVIEW_ONLY
                               else rule.match_outcome)
                    collector.add(Reason(
                        category=rule.category,
                        outcome=outcome,
                        source="example",
                        detector="harmful_compliance",
                        explanation=general_explanation(rule.category, "example", "harmful_compliance"),
                        detail=(f"The user asks for it (rule '{rule.name}') and the assistant complies "
                                f"instead of refusing."),
                        matched=_truncate(matched),
                        score=1.0,
                        example_index=i,
                    ))

    if not semantic or not turns_by_index:
        return 0, len(turns_by_index), notes

    # 2. Embeddings over a capped, seeded sample.
    valid = sorted(turns_by_index)
    chosen = [valid[j] for j in _sample_indices(len(valid), head, sample, seed)]
    collector.embedded_indices = list(chosen)
    if len(chosen) < len(valid):
        notes.append(
            f"Semantic screening embedded {len(chosen)} of {len(valid)} training examples: the first "
            f"{min(head, len(valid))} and a seeded random sample (seed {seed}) of "
            f"{len(chosen) - min(head, len(valid))} from the rest. Rules checked all {len(valid)}."
        )
    unique: dict[str, int] = {}
    for i in chosen:
        turns = turns_by_index[i]
        for text in turns.system:
            unique.setdefault(text[:2000], len(unique))
        for user, assistant in turns.pairs:
            if user and assistant:
                unique.setdefault(user[:2000], len(unique))
            if assistant:
                unique.setdefault(assistant[:2000], len(unique))
    if not unique:
        return len(chosen), len(turns_by_index), notes
    index = _policy_index()
    vectors = _encode(list(unique))
    table = _SimilarityTable(vectors, index)

    for i in chosen:
        turns = turns_by_index[i]
        for text in dict.fromkeys(turns.system):
            # A system prompt is an instruction, like the use case: same thresholds.
            sem = _score_vectors(vectors[unique[text[:2000]]][None, :], index, [text])
            for category_id, value in sem.scores.items():
                collector.score(category_id, value)
            for category_id, (value, outcome) in sem.passing.items():
                collector.semantic_example_hits.append(Reason(
                    category=category_id,
                    outcome=outcome,
                    source="example",
                    detector="semantic",
                    explanation=general_explanation(category_id, "example"),
                    detail=f"A system prompt in the data is {value:.2f} similar to a policy exemplar.",
                    matched=sem.nearest[category_id],
                    score=round(value, 4),
                    example_index=i,
                ))
        for user, assistant in turns.pairs:
            if not assistant:
                continue
            a_row = unique[assistant[:2000]]
            if is_refusal(assistant) or table.refusal[a_row] >= policy.T_REFUSAL:
                continue  # declining is what we want a model to learn
            for category_id, value in table.row_scores(a_row).items():
                collector.score(category_id, value)
            # The reply itself reads like prohibited content.
            for category_id, value in table.passing(a_row, policy.EXAMPLE_T_ASSISTANT).items():
                collector.semantic_example_hits.append(Reason(
                    category=category_id,
                    outcome=Outcome.NEEDS_HUMAN_REVIEW,
                    source="example",
                    detector="semantic",
                    explanation=general_explanation(category_id, "example"),
                    detail=f"The assistant reply is {value:.2f} similar to a policy exemplar.",
                    matched=table.nearest(a_row, category_id),
                    score=round(value, 4),
                    example_index=i,
                ))
            if not user:
                continue
            # The user asks for something in a category and the reply answers on topic.
            u_row = unique[user[:2000]]
            a_scores = table.row_scores(a_row)
            for category_id, value in table.passing(u_row, policy.EXAMPLE_T_USER).items():
                if a_scores[category_id] < policy.COMPLIANCE_T_ASSISTANT:
                    continue
                collector.score(category_id, value)
                collector.semantic_example_hits.append(Reason(
                    category=category_id,
                    outcome=Outcome.NEEDS_HUMAN_REVIEW,
                    source="example",
                    detector="harmful_compliance",
                    explanation=general_explanation(category_id, "example", "harmful_compliance"),
                    detail=(f"The user turn is {value:.2f} similar to a policy exemplar and the assistant "
                            f"answers it instead of refusing."),
                    matched=table.nearest(u_row, category_id),
                    score=round(value, 4),
                    example_index=i,
                ))
    return len(chosen), len(turns_by_index), notes


class _SimilarityTable:
    """Similarities of many single-chunk texts to the policy, computed at once."""

    def __init__(self, vectors: np.ndarray, index: _PolicyIndex) -> None:
        self.index = index
        self.category_ids = list(index.category_slices)
        starts = [index.category_slices[c].start for c in self.category_ids]
        self.sims = vectors @ index.exemplar_vectors.T
        self.per_category = np.maximum.reduceat(self.sims, starts, axis=1)  # (texts, categories)
        self.benign = (vectors @ index.benign_vectors.T).max(axis=1)
        self.refusal = (vectors @ index.refusal_vectors.T).max(axis=1)

    def row_scores(self, row: int) -> dict[str, float]:
        return {c: float(v) for c, v in zip(self.category_ids, self.per_category[row])}

    def passing(self, row: int, threshold: float) -> dict[str, float]:
        """Categories at or above ``threshold`` that beat the benign exemplars by EXAMPLE_MARGIN."""
        values = self.per_category[row]
        margins = values - self.benign[row]
        return {
            c: float(v) for c, v, m in zip(self.category_ids, values, margins)
            if v >= threshold and m >= policy.EXAMPLE_MARGIN
        }

    def nearest(self, row: int, category_id: str) -> str:
        sl = self.index.category_slices[category_id]
        return self.index.exemplar_texts[sl.start + int(self.sims[row, sl].argmax())]


def _settle_semantic_example_hits(collector: _Collector) -> None:
    """Add semantic example reasons, best first, except where a rule already said the same."""
    ruled = set(collector.example_keys)
    seen: set[tuple[str, int | None, str]] = set()
    for reason in sorted(collector.semantic_example_hits, key=lambda r: -(r.score or 0)):
        key = (reason.category, reason.example_index, reason.detector)
        if key in seen or (reason.category, reason.example_index) in ruled:
            continue
        seen.add(key)
        collector.add(reason)


# --------------------------------------------------------------------------
# screen_request
# --------------------------------------------------------------------------


def _semantic_of(text: str) -> _Semantic | None:
    chunks = _chunks(text)
    if not chunks:
        return None
    return _score_vectors(_encode(chunks), _policy_index(), chunks)


def screen_system_prompt(text: str) -> ScreeningResult:
    """Screen one system prompt on its own (a listing's recipe prompt), as ``screen_request`` does.

    Rules and similarity, like the use case; a match in
    ``policy.SYSTEM_PROMPT_STRICT_CATEGORIES`` rejects. If the embedding model is
    unavailable the rules still run and the result says so (``screening_incomplete``).
    """
    collector = _Collector()
    text = (text or "").strip()
    semantic = True
    sem = None
    if text:
        try:
            _policy_index()
            sem = _semantic_of(text)
        except EmbeddingModelUnavailable as exc:
            semantic = False
            logger.error("Semantic screening unavailable: %s", exc)
            collector.add(Reason(
                category="screening_incomplete", outcome=Outcome.NEEDS_HUMAN_REVIEW, source="request",
                detector="check", explanation="Semantic screening could not run; a human must review.",
                detail=str(exc),
            ))
        _screen_instruction(text, collector, sem, source="system_prompt", role="system")
    outcome = Outcome.strongest(r.outcome for r in collector.reasons)
    order = {Outcome.REJECT: 0, Outcome.NEEDS_HUMAN_REVIEW: 1, Outcome.APPROVE: 2}
    return ScreeningResult(
        outcome=outcome,
        reasons=sorted(collector.reasons, key=lambda r: (order[r.outcome], -(r.score or 0))),
        scores=dict(collector.scores),
        high_risk=False,
        required_approvals=0 if outcome is not Outcome.NEEDS_HUMAN_REVIEW else policy.REVIEW_REQUIRED_APPROVALS,
        semantic_screened=semantic,
        system_prompt=text or None,
    )


def screen_request(
    *,
    use_case: str,
    domain: str,
    technique: str,
    organization_verified: bool,
    examples: list[dict],
    persona: dict | None,
    system_prompt: str | None = None,
    embed_head: int = policy.EMBED_HEAD,
    embed_sample: int = policy.EMBED_SAMPLE,
    seed: int = policy.EMBED_SEED,
) -> ScreeningResult:
    """Screen a tuning request. Pure function of its inputs and the policy.

    ``system_prompt`` is the job's composed system prompt (recipe, persona), the
    exact string that training, evaluation and inference use: pass
    ``review.prompts.compose_system_prompt(...)`` or the job's stored
    ``training_config["system_prompt"]``, which was built by it.
    """
    collector = _Collector()
    notes: list[str] = []
    use_case = use_case or ""
    system_prompt = (system_prompt or "").strip() or None
    domain_id = (domain or "").strip().lower()
    high_risk_sources = [f"domain:{domain_id}"] if domain_id in policy.HIGH_RISK_DOMAINS else []
    examples = list(examples or [])
    technique_id = (technique or "").strip().lower()
    if domain_id not in policy.DOMAINS:
        notes.append(f"Unknown domain '{domain_id}': screened as a general-purpose request.")
    if technique_id not in policy.TECHNIQUES:
        notes.append(f"Unknown technique '{technique_id}'.")
    elif technique_id == "persona" and not persona:
        notes.append("Technique 'persona' without persona settings: only the training data was screened.")

    # Procedural checks.
    if high_risk_sources:
        collector.add(Reason(
            category="high_risk_domain",
            outcome=Outcome.NEEDS_HUMAN_REVIEW,
            source="request",
            detector="check",
            explanation=(f"The domain '{domain_id}' is high risk: it is never approved automatically and "
                         f"needs {policy.HIGH_RISK_REQUIRED_APPROVALS} distinct human approvals."),
            matched=domain_id,
        ))
    if len(use_case.split()) < policy.MIN_USE_CASE_WORDS:
        collector.add(Reason(
            category="use_case_unclear",
            outcome=Outcome.NEEDS_HUMAN_REVIEW,
            source="use_case",
            detector="check",
            explanation=(f"The use case has fewer than {policy.MIN_USE_CASE_WORDS} words, too little to "
                         f"screen automatically."),
            matched=_truncate(use_case),
        ))
    if persona is not None:
        result = validate_persona(persona)
        for issue in result.errors:
            category_id = "unsafe_persona" if issue.weakens_safety else "invalid_persona"
            collector.add(Reason(
                category=category_id,
                outcome=CATEGORY_BY_ID[category_id].severity.outcome,
                source="persona",
                detector="check",
                explanation=issue.message,
                matched=_truncate(str(issue.value)) if issue.value is not None else "",
                key=issue.key,
            ))

    # Content: the use case, the composed system prompt, then the training examples.
    semantic = True
    sem: _Semantic | None = None
    prompt_sem: _Semantic | None = None
    try:
        _policy_index()  # loads the model: fails here, not half-way, when it is unavailable
        sem = _semantic_of(use_case)
        if system_prompt:
            prompt_sem = _semantic_of(system_prompt)
    except EmbeddingModelUnavailable as exc:
        semantic = False
        logger.error("Semantic screening unavailable: %s", exc)
        collector.add(Reason(
            category="screening_incomplete",
            outcome=Outcome.NEEDS_HUMAN_REVIEW,
            source="request",
            detector="check",
            explanation="Semantic screening could not run; a human must review this request.",
            detail=str(exc),
        ))
    _screen_instruction(use_case, collector, sem, source="use_case", role="use_case")
    if system_prompt:
        _screen_instruction(system_prompt, collector, prompt_sem, source="system_prompt", role="system")
    embedded, rule_checked, example_notes = _screen_examples(
        examples, collector, semantic=semantic, head=embed_head, sample=embed_sample, seed=seed,
    )
    notes.extend(example_notes)
    _settle_semantic_example_hits(collector)
    for (category_id, detector), count in sorted(collector.example_counts.items()):
        if count > policy.MAX_EXAMPLE_REASONS_PER_CATEGORY:
            notes.append(f"{count} training examples matched {category_id} ({detector}); "
                         f"the first {policy.MAX_EXAMPLE_REASONS_PER_CATEGORY} are listed.")
    for reason in _many_examples_reasons(collector):
        collector.add(reason)

    # High risk from the content, whatever the listing's domain.
    for reason in _high_risk_from_content(use_case, collector, semantic=semantic):
        if f"domain:{reason.key}" not in high_risk_sources:
            high_risk_sources.append(f"content:{reason.key}")
            collector.add(reason)
    high_risk = bool(high_risk_sources)
    if high_risk and not organization_verified:
        where = ", ".join(s.split(":", 1)[1] + (" (listing domain)" if s.startswith("domain:") else " (content)")
                          for s in high_risk_sources)
        collector.add(Reason(
            category="organisation_not_verified",
            outcome=Outcome.REJECT,
            source="request",
            detector="check",
            explanation=(f"High-risk work ({where}) requires a verified organisation; request verification "
                         f"first."),
            matched=domain_id,
        ))

    outcome = Outcome.strongest(r.outcome for r in collector.reasons)
    if high_risk and outcome is Outcome.APPROVE:  # unreachable by construction; kept as a guard
        outcome = Outcome.NEEDS_HUMAN_REVIEW
    if outcome is Outcome.REJECT or outcome is Outcome.APPROVE:
        required = 0
    elif high_risk:
        required = policy.HIGH_RISK_REQUIRED_APPROVALS
    else:
        required = policy.REVIEW_REQUIRED_APPROVALS

    order = {Outcome.REJECT: 0, Outcome.NEEDS_HUMAN_REVIEW: 1, Outcome.APPROVE: 2}
    reasons = sorted(collector.reasons, key=lambda r: (order[r.outcome], -(r.score or 0)))
    return ScreeningResult(
        outcome=outcome,
        reasons=reasons,
        scores=dict(collector.scores),
        high_risk=high_risk,
        required_approvals=required,
        examples_total=len(examples),
        examples_embedded=embedded,
        examples_rule_checked=rule_checked,
        sampled=embedded < rule_checked,
        semantic_screened=semantic,
        notes=notes,
        system_prompt=system_prompt,
        high_risk_sources=high_risk_sources,
    )
