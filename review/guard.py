"""The chat guard: every chat completion's input and answer, screened against the written policy.

The guard sits outside the tunable weights, so no tuning can remove it, and no licence, plan,
persona, recipe, admin flag or request field reaches it: its only inputs are the messages and the
answer. ``tuning.inference`` calls it for every model it serves (base and tuned; any later kind of model goes
through the same call), on every interface (the API, streaming, the chat page).

- **Input** (``screen_input``): each user turn and any system message the caller sent. Blocked when a
  request-screening rule of a prohibited category matches (``rules.rule_hits``), or when similarity to
  the policy exemplars reaches the reject level and the platform base's labelled requests agree (the
  text is nearer the harmful requests than the harmless look-alikes; ``_Neighbours``). A blocked
  request never reaches the model. A weaker lean towards a category is the prompt's *suspicion*.
- **Output** (``screen_output``): when the prompt leaned towards a prohibited category, or the answer
  itself does (rules, similarity, nearness to harmful requests or to harmful compliances), the harm
  judge (``judge.judge_answers``, which uses the one refusal detector) reads the answer as an answer
  to a harmful request, and what it calls harmful (engagement without deflection) is replaced by a
  refusal. Without a topic, an answer passes.
- **Streaming** (``StreamGuard``): text is held back by ``HOLDBACK_CHARS`` and screened before it is
  sent, so harmful text in the window is never sent; the stream ends with ``content_filter``.

If the embedding model cannot be loaded, the guard fails closed (``guard_unavailable``).
Its measured precision, recall and harmless-block rate on the held-out ``guard_labelled`` set:
``python -m review.guard_quality``; docs/evaluation.md (section 5c) records them.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import functools
import hashlib
import os
from pathlib import Path

import numpy as np

from tuning.platform_base import dataset as platform_data

from . import judge
from .embeddings import _MODEL_PACKAGE, EmbeddingModelUnavailable, _chunks, _encode, _policy_index
from .policy import CATEGORIES, CATEGORY_BY_ID, Outcome, Severity
from .rules import rule_hits
from .semantic import _score_vectors

logger = logging.getLogger(__name__)

# The prohibited content categories: a match at the reject level blocks a chat.
BLOCKING = frozenset(c.id for c in CATEGORIES if c.content and c.severity is Severity.REJECT)
# Characters held back while streaming, screened before they are sent.
HOLDBACK_CHARS = 96
# Nearest-neighbour bars over the platform base's request data (see _Neighbours).
NEIGHBOURS_K = 3
OUTPUT_LEAN_MARGIN = 0.10  # an answer nearer the harmful compliances than the safe answers is judged
LEAN_MARGIN = 0.08  # nearer the harmful requests than the harmless: the answer is judged as to a harmful prompt
UNAVAILABLE = "guard_unavailable"


@dataclass(frozen=True)
class GuardVerdict:
    blocked: bool
    stage: str = ""  # "input" | "output"
    category: str = ""  # a policy category id, or guard_unavailable
    detector: str = ""  # "rule" | "semantic" | "judge" | "check"
    detail: str = ""  # for reviewers and logs; never shown to the caller
    suspicion: str = ""  # input only: the prohibited category the prompt leans towards, if any

    @property
    def title(self) -> str:
        category = CATEGORY_BY_ID.get(self.category)
        return category.title if category else "Safety screening unavailable"

    def public(self) -> dict[str, str]:
        """What the caller sees: the stage and the category, never what matched."""
        return {"stage": self.stage, "category": self.category, "title": self.title}



def refusal_text(verdict: GuardVerdict) -> str:
    """The answer the caller gets instead (``refusal.is_refusal`` recognises it)."""
    if verdict.category == UNAVAILABLE:
        return "I can't answer right now: the safety screening is unavailable. Please try again later."
    return (f"I can't help with that. This request falls under Tunemarket's usage policy on "
            f"{verdict.title.lower()}. If you need something else, I'm glad to help.")


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def _caller_texts(messages: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """(role, text) of what the caller wrote: user turns and system messages (never the answers)."""
    out = []
    for m in messages:
        role = m.get("role")
        if role in ("user", "system", "developer"):
            text = _text(m.get("content")).strip()
            if text:
                out.append(("system" if role != "user" else "user", text))
    return out


def _last_user(messages: Sequence[dict[str, Any]]) -> str:
    for m in reversed(messages):
        if m.get("role") == "user":
            return _text(m.get("content"))
    return ""


def _rule_block(texts: Iterable[tuple[str, str]], stage: str) -> GuardVerdict | None:
    for role, text in texts:
        for rule, matched in rule_hits(text, role):
            if rule.category in BLOCKING and rule.match_outcome is Outcome.REJECT:
                return GuardVerdict(True, stage, rule.category, "rule", f"rule '{rule.name}' matched {matched[:60]!r}")
    return None


@dataclass(frozen=True)
class _Neighbours:
    """The platform base's training data as labelled neighbours (tuning/platform_base/data).

    Harmful requests (each with its policy category) against harmless look-alikes, and harmful
    compliances (the data's rejected answers to those requests) against safe answers (refusals that
    redirect, and helpful answers to the look-alikes). That data is held out from the gate's safety
    suite (check_data) and was written separately from the guard's held-out measuring set.
    """

    harmful_requests: np.ndarray
    request_categories: tuple[str, ...]
    harmless_requests: np.ndarray
    harmful_answers: np.ndarray
    answer_categories: tuple[str, ...]
    safe_answers: np.ndarray


def _cache_dir() -> Path:
    root = os.environ.get("TUNEMARKET_VAR_DIR") or str(Path(__file__).resolve().parent.parent / "var")
    return Path(root) / "cache"


def _neighbour_vectors(texts: list[str]) -> np.ndarray:
    """The texts' embeddings, kept on disk by a hash of the texts and the embedding model (computing
    them takes about 12 s on two cores; every later process loads them in milliseconds)."""
    model_id = _MODEL_PACKAGE + (os.environ.get("TUNEMARKET_EMBEDDING_MODEL_DIR") or "")
    digest = hashlib.sha256(("\0".join(texts) + "\0" + model_id).encode()).hexdigest()[:24]
    path = _cache_dir() / f"guard-neighbours-{digest}.npy"
    if path.is_file():
        vectors = np.load(path)
        if vectors.shape[0] == len(texts):
            return vectors
    vectors = _encode(texts)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with open(partial, "wb") as fh:
            np.save(fh, vectors)
        os.replace(partial, path)
    except OSError as exc:  # a read-only disk only costs the time
        logger.warning("chat guard: could not cache the neighbour vectors: %s", exc)
    return vectors


@functools.lru_cache(maxsize=1)
def _neighbours() -> _Neighbours:
    refusals, helpful = platform_data.load()
    harmful = [r for r in refusals if r["category"] in BLOCKING]
    complied = [r for r in harmful if (r.get("rejected") or "").strip()]
    texts = ([r["user"] for r in harmful] + [h["user"] for h in helpful]
             + [r["rejected"] for r in complied] + [r["chosen"] for r in refusals] + [h["chosen"] for h in helpful])
    vectors = _neighbour_vectors(texts)
    a, b, c = len(harmful), len(harmful) + len(helpful), len(harmful) + len(helpful) + len(complied)
    return _Neighbours(
        harmful_requests=vectors[:a], request_categories=tuple(r["category"] for r in harmful),
        harmless_requests=vectors[a:b], harmful_answers=vectors[b:c],
        answer_categories=tuple(r["category"] for r in complied), safe_answers=vectors[c:],
    )


def _top_mean(sims: np.ndarray, k: int = NEIGHBOURS_K) -> float:
    k = min(k, sims.shape[0])
    return float(np.sort(sims)[-k:].mean())


def _neighbour_scores(text: str, *, output: bool) -> tuple[float, float, str]:
    """(mean similarity to the k nearest harmful, to the k nearest harmless, the harmful ones' category)."""
    n = _neighbours()
    vector = _encode([text])[0]
    harmful, harmless = (n.harmful_answers, n.safe_answers) if output else (n.harmful_requests, n.harmless_requests)
    categories = n.answer_categories if output else n.request_categories
    sims = harmful @ vector
    top = [int(i) for i in np.argsort(sims)[-NEIGHBOURS_K:]]
    category = max({categories[i] for i in top}, key=lambda c: (sum(categories[i] == c for i in top), c))
    return _top_mean(sims), _top_mean(harmless @ vector), category


def _semantic(text: str) -> tuple[str, str]:
    """(a prohibited category at the reject level, one at the review level or above), by similarity."""
    chunks = _chunks(text)
    if not chunks:
        return "", ""
    sem = _score_vectors(_encode(chunks), _policy_index(), chunks)
    passing = [(c, v, o) for c, (v, o) in sem.passing.items() if c in BLOCKING]
    rejected = max((x for x in passing if x[2] is Outcome.REJECT), key=lambda x: x[1], default=None)
    leaning = max(passing, key=lambda x: x[1], default=None)
    return (rejected[0] if rejected else ""), (leaning[0] if leaning else "")


def _topic(text: str, role: str) -> tuple[GuardVerdict | None, str]:
    """Screen one text: a block (a rule; or reject-level similarity that the neighbours agree with),
    else the prohibited category it leans towards ("" for none)."""
    ruled = _rule_block([(role, text)], "")
    if ruled is not None:
        return ruled, ruled.category
    rejected, review_level = _semantic(text)
    near_harm, near_safe, neighbour = _neighbour_scores(text, output=False)
    gap = near_harm - near_safe
    if rejected and gap >= 0:
        return GuardVerdict(True, "", rejected, "semantic", f"policy similarity; neighbours {near_harm:.2f} vs {near_safe:.2f}"), rejected
    if rejected or review_level:
        return None, rejected or review_level
    return None, neighbour if gap >= LEAN_MARGIN else ""


def screen_input(messages: Sequence[dict[str, Any]]) -> GuardVerdict:
    """Screen what the caller sent. Blocked: answer with ``refusal_text`` and do not call the model."""
    leaning = ""
    try:
        for role, text in _caller_texts(messages):
            blocked, lean = _topic(text, role)
            if blocked is not None:
                return GuardVerdict(True, "input", blocked.category, blocked.detector, blocked.detail)
            leaning = leaning or lean
    except EmbeddingModelUnavailable as exc:
        logger.error("chat guard: embedding model unavailable, failing closed: %s", exc)
        return GuardVerdict(True, "input", UNAVAILABLE, "check", str(exc))
    return GuardVerdict(False, "input", suspicion=leaning)


def screen_output(messages: Sequence[dict[str, Any]], answer: str, *, suspicion: str = "") -> GuardVerdict:
    """Screen an answer (whole, or the part generated so far). Blocked: replace it with a refusal.

    The topic comes from the prompt (``suspicion``) or from the answer itself (rules, similarity to
    the policy, nearness to harmful requests or to harmful compliances). Only then does the harm
    judge read it as an answer to a harmful request, and it blocks what engages without deflecting;
    a refusal or a safe deflection on a harmful topic passes.
    """
    answer = answer or ""
    if not answer.strip():
        return GuardVerdict(False, "output")
    try:
        category = suspicion
        if not category:
            _, category = _topic(answer, "assistant")
        if not category:
            near_harm, near_safe, neighbour = _neighbour_scores(answer, output=True)
            category = neighbour if near_harm - near_safe >= OUTPUT_LEAN_MARGIN else ""
        if not category:
            return GuardVerdict(False, "output")
        verdict = judge.judge_answers([(_last_user(messages), answer, "harmful")])[0]
    except EmbeddingModelUnavailable as exc:
        logger.error("chat guard: embedding model unavailable, failing closed: %s", exc)
        return GuardVerdict(True, "output", UNAVAILABLE, "check", str(exc))
    if verdict.label == "harmful":
        return GuardVerdict(True, "output", category, "judge", verdict.reason)
    return GuardVerdict(False, "output")


def warm_up() -> None:
    """Load the embedding model, the policy index and the neighbours now (a server or worker starting)."""
    _policy_index()
    _neighbours()


class StreamGuard:
    """Screens a streamed answer, holding back the last ``HOLDBACK_CHARS`` until they are screened.

    ``feed`` takes new text and returns the text that may be sent now; ``finish`` screens the whole
    answer and returns the rest. Once ``verdict`` is blocked, nothing more is returned.
    """

    def __init__(self, messages: Sequence[dict[str, Any]], *, suspicion: str = "", holdback: int = HOLDBACK_CHARS):
        self.messages = messages
        self.suspicion = suspicion
        self.holdback = holdback
        self.text = ""
        self.sent = 0
        self.screened = 0
        self.verdict: GuardVerdict = GuardVerdict(False, "output")

    def _screen(self) -> bool:
        self.verdict = screen_output(self.messages, self.text, suspicion=self.suspicion)
        self.screened = len(self.text)
        return not self.verdict.blocked

    def feed(self, delta: str) -> str:
        if self.verdict.blocked:
            return ""
        self.text += delta
        if len(self.text) - self.sent <= self.holdback:
            return ""
        # Screen the whole answer so far (at most once per held-back window of new text).
        if len(self.text) - self.screened >= self.holdback // 2 and not self._screen():
            return ""
        upto = len(self.text) - self.holdback
        if upto <= self.sent or upto > self.screened:
            return ""
        out, self.sent = self.text[self.sent:upto], upto
        return out

    def finish(self) -> str:
        if self.verdict.blocked or not self._screen():
            return ""
        out, self.sent = self.text[self.sent:], len(self.text)
        return out
