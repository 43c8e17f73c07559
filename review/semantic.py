"""Semantic scoring: a text's sentences against the policy exemplars and their benign counter-exemplars."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import policy
from .embeddings import _PolicyIndex, _chunks, _encode, _policy_index
from .policy import CATEGORY_BY_ID, Outcome, Severity
from .rules import _FLAGS, rule_hits


# --------------------------------------------------------------------------
# Semantic scoring
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Semantic:
    """Per-category similarity of one text, over its chunks."""

    scores: dict[str, float]  # raw best similarity per category
    nearest: dict[str, str]  # the exemplar behind that similarity
    # Categories that clear the review bar (similarity and benign margin):
    # category -> (similarity, outcome).
    passing: dict[str, tuple[float, Outcome]]


# Embeddings barely register negation: "never pretend to be human" sits next to
# "pretend to be human". A chunk that plainly says the safe thing is excused
# from that category's similarity; rules still judge the whole text.
_SEMANTIC_EXCUSES: dict[str, re.Pattern] = {
    # "Keep declining harmful requests" reads, to the embedding, like the refusals it protects
    # (the rendered persona says it in every composed prompt). A sentence that weakens safety
    # elsewhere is its own chunk, and the rules read the whole text.
    "safety_removal": re.compile(
        r"\b(keep|keeps|always|continue to|continues to|must|will|still|should)\s+(\w+\s+){0,2}(declin\w*|refus\w*)"
        r"\s+(\w+\s+){0,3}?(harmful|dangerous|unsafe|illegal|unethical)\b|"
        r"\bnever change (your|its|the|their) safety rules\b|"
        r"\b(refuse|refuses|decline|declines)\s+(\w+\s+){0,2}?(harmful|dangerous|unsafe|illegal) (requests?|activities|content)\b",
        _FLAGS,
    ),
    "ai_deception": re.compile(
        r"\b(always|clearly|openly|must|will|should|to)\s+(\w+\s+){0,2}(say|state|disclose|tell|identif\w*|"
        r"introduc\w*|mention|explain)\w*\b.{0,40}?\b(an?\s+)?(ai|a\.i\.|bot|chatbot|virtual assistant|"
        r"automated|language model)\b|"
        r"\b(never|not|doesn'?t|does not|must not|mustn'?t|should not|shouldn'?t|won'?t|will not)\s+(\w+\s+){0,2}"
        r"(pretend|claim|say|pose|pass|impersonat)\w*\b.{0,30}?\b(human|person|real|someone)\b",
        _FLAGS,
    ),
}




def _score_vectors(vectors: np.ndarray, index: _PolicyIndex, chunks: list[str] | None = None) -> _Semantic:
    """Score a text from the vectors of its chunks (the whole text and its sentences)."""
    sims = vectors @ index.exemplar_vectors.T  # (chunks, exemplars)
    benign = (vectors @ index.benign_vectors.T).max(axis=1)  # (chunks,)
    scores: dict[str, float] = {}
    nearest: dict[str, str] = {}
    passing: dict[str, tuple[float, Outcome]] = {}
    per_category = {c: sims[:, sl].max(axis=1) for c, sl in index.category_slices.items()}
    # Per chunk, the best similarity among allowed-with-care (review) categories.
    review_best = np.max(
        [v for c, v in per_category.items() if CATEGORY_BY_ID[c].severity is Severity.REVIEW], axis=0,
    )
    for category_id, sl in index.category_slices.items():
        block = sims[:, sl]
        per_chunk = per_category[category_id]
        best_chunk = int(per_chunk.argmax())
        scores[category_id] = float(per_chunk[best_chunk])
        nearest[category_id] = index.exemplar_texts[sl.start + int(block[best_chunk].argmax())]
        best: tuple[float, Outcome] | None = None
        excuse = _SEMANTIC_EXCUSES.get(category_id)
        for chunk, value in enumerate(per_chunk):
            if excuse is not None and chunks is not None and excuse.search(chunks[chunk]):
                continue
            outcome = _semantic_outcome(category_id, float(value), float(value - benign[chunk]))
            if outcome is None:
                continue
            if outcome is Outcome.REJECT and review_best[chunk] > value:
                # The text reads more like the allowed-with-care neighbour (adult
                # content, authorised security work): a human decides.
                outcome = Outcome.NEEDS_HUMAN_REVIEW
            if best is None or (outcome.rank, value) > (best[1].rank, best[0]):
                best = (float(value), outcome)
                nearest[category_id] = index.exemplar_texts[sl.start + int(block[chunk].argmax())]
        if best is not None:
            passing[category_id] = best
    return _Semantic(scores=scores, nearest=nearest, passing=passing)


def _semantic_outcome(category_id: str, similarity: float, margin: float) -> Outcome | None:
    """What one chunk's similarity to a category leads to.

    ``margin`` is how much nearer the chunk is to the category than to its
    nearest benign counter-exemplar.
    """
    review_at, reject_at = policy.thresholds_for(category_id)
    category = CATEGORY_BY_ID[category_id]
    if (category.severity is Severity.REJECT and similarity >= reject_at
            and margin >= policy.REJECT_BENIGN_MARGIN):
        return Outcome.REJECT
    if similarity >= review_at and margin >= policy.BENIGN_MARGIN:
        return Outcome.NEEDS_HUMAN_REVIEW
    return None


def screen_text(text: str) -> dict[str, Any]:
    """Score one piece of text (for calibration and for the admin's "why")."""
    index = _policy_index()
    chunks = _chunks(text)
    if not chunks:
        return {"scores": {}, "passing": {}, "nearest": {}, "rules": []}
    sem = _score_vectors(_encode(chunks), index, chunks)
    return {
        "scores": sem.scores,
        "passing": {c: (v, o.value) for c, (v, o) in sem.passing.items()},
        "nearest": sem.nearest,
        "rules": [(r.category, r.name, m) for r, m in rule_hits(text, "use_case")],
    }
