"""Balanced perspectives ("multiple decision-makers"): viewpoint sets and the answers built from them.

A viewpoint set is data an admin approves (``ViewpointSet``): a name, the kind of question it is for,
and two to five viewpoints, each a name and a short description ("Patient: the person receiving
care..."). Every viewpoint is screened by the same policy screening as a system prompt
(``review.screening.screen_system_prompt``), on the text the admin wrote, before the set exists and
again when it is approved: a set that asks for a partisan, hateful or deceptive viewpoint is refused.
The fixed wording around a viewpoint (``viewpoint_instruction``) is never part of what is screened, so
it cannot soften a match ("balanced" and "neutral" are words some rules treat as benign).

A chat completion with ``perspectives`` (an approved set's id, or ``"auto"`` for the approved set whose
topic is nearest the question, by the screening embedding model) is answered in ``len(viewpoints) + 1``
model calls: one section per viewpoint, each generated under that viewpoint's instruction, then a
synthesis generated from the sections that names where they agree and where they disagree. Every part
goes through the chat guard (tuning.inference).
"""
from __future__ import annotations

import re
from typing import Any

from core.errors import DomainError, NotFound
from review.policy import Outcome

VIEWPOINTS_MIN = 2
VIEWPOINTS_MAX = 5
NAME_MAX_CHARS = 60
DESCRIPTION_MAX_CHARS = 300
TOPIC_MAX_CHARS = 300
SET_NAME_MAX_CHARS = 80
AUTO = "auto"
SYNTHESIS = "Synthesis"

_NAME = re.compile(r"^[\w][\w ,.'()/&-]*$")


def viewpoint_instruction(viewpoint: dict[str, str]) -> str:
    """The system prompt a section is generated under (fixed wording around the screened viewpoint)."""
    return (f"Answer the user's question from the viewpoint of {viewpoint['name']}: {viewpoint['description']} "
            "Say what matters most from this viewpoint and why, in two or three sentences. Describe this "
            "viewpoint; do not try to persuade the reader.")


SYNTHESIS_INSTRUCTION = (
    "You are given several viewpoints on one question. Write a short synthesis in two or three sentences: "
    "first say where the viewpoints agree, then where they disagree. Do not take a side.")


def synthesis_message(question: str, sections: list[tuple[str, str]]) -> str:
    parts = [f"Question: {question}"] + [f"{name}: {text}" for name, text in sections]
    return "\n\n".join(parts) + "\n\nWhere do these viewpoints agree, and where do they disagree?"


def render(sections: list[tuple[str, str]], synthesis: str) -> str:
    """The answer's text: one Markdown section per viewpoint, then the synthesis."""
    blocks = [f"## {name}\n{text.strip()}" for name, text in sections]
    blocks.append(f"## {SYNTHESIS}\n{synthesis.strip()}")
    return "\n\n".join(blocks)


def clean_viewpoints(viewpoints: Any) -> list[dict[str, str]]:
    """The viewpoints as stored, or a DomainError (400) naming the first problem; nothing is changed."""
    if not isinstance(viewpoints, list) or not VIEWPOINTS_MIN <= len(viewpoints) <= VIEWPOINTS_MAX:
        raise DomainError(f"viewpoints must be a list of {VIEWPOINTS_MIN} to {VIEWPOINTS_MAX} viewpoints.",
                          param="viewpoints", code="invalid_viewpoints")
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for k, item in enumerate(viewpoints):
        param = f"viewpoints[{k}]"
        if not isinstance(item, dict) or set(item) - {"name", "description"}:
            raise DomainError("Each viewpoint is an object with a name and a description.", param=param,
                              code="invalid_viewpoints")
        name, description = item.get("name"), item.get("description")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_MAX_CHARS \
                or not _NAME.match(name.strip()):
            raise DomainError(f"A viewpoint's name is 1 to {NAME_MAX_CHARS} letters, digits, spaces and simple "
                              "punctuation.", param=f"{param}.name", code="invalid_viewpoints")
        if not isinstance(description, str) or not description.strip() \
                or len(description.strip()) > DESCRIPTION_MAX_CHARS:
            raise DomainError(f"A viewpoint's description is 1 to {DESCRIPTION_MAX_CHARS} characters.",
                              param=f"{param}.description", code="invalid_viewpoints")
        if name.strip().lower() in seen or name.strip().lower() == SYNTHESIS.lower():
            raise DomainError("Viewpoint names must be distinct (and not 'Synthesis').", param=f"{param}.name",
                              code="invalid_viewpoints")
        seen.add(name.strip().lower())
        out.append({"name": name.strip(), "description": " ".join(description.split())})
    return out


def screen_viewpoint_set(*, name: str, topic: str, viewpoints: list[dict[str, str]]) -> dict[str, Any]:
    """Policy screening of everything an admin wrote: the set's name and topic and each viewpoint.

    Returns ``{"outcome", "reasons", "parts"}``: the strongest outcome over the parts, the reasons of
    every part (with where they came from), and each part's own outcome."""
    from review.screening import screen_system_prompt

    parts = [("set", f"{name}. {topic}")] + [(vp["name"], f"{vp['name']}: {vp['description']}") for vp in viewpoints]
    outcomes, reasons, per_part = [], [], []
    for where, text in parts:
        result = screen_system_prompt(text)
        outcomes.append(result.outcome)
        per_part.append({"part": where, "outcome": result.outcome.value})
        reasons.extend({**r.to_dict(), "part": where} for r in result.reasons)
    return {"outcome": Outcome.strongest(outcomes).value, "reasons": reasons, "parts": per_part}


def refused(screening: dict[str, Any]) -> bool:
    return screening.get("outcome") == Outcome.REJECT.value


def refusal_error(screening: dict[str, Any]) -> DomainError:
    from review.reasons import public_reasons

    reasons = public_reasons(screening.get("reasons") or [])
    titles = sorted({r["title"] for r in reasons if r["outcome"] == Outcome.REJECT.value})
    parts = sorted({p["part"] for p in screening.get("parts", []) if p["outcome"] == Outcome.REJECT.value})
    return DomainError(
        f"This viewpoint set is refused by policy screening ({'; '.join(titles) or 'policy'}), in: "
        f"{', '.join(parts)}. A viewpoint may describe a role's concerns, never argue for a party, a "
        "hateful view or a deception.", param="viewpoints", code="viewpoint_set_refused")


def choose_auto(question: str, sets: list) -> Any:
    """The approved set whose name, topic and viewpoint names are nearest the question (cosine, by the
    screening embedding model); NotFound when there is none."""
    if not sets:
        raise NotFound("No viewpoint set is approved yet.", param="perspectives", code="perspective_set_not_found")
    if len(sets) == 1:
        return sets[0]
    import numpy as np

    from review.embeddings import _encode

    texts = [f"{s.name}. {s.topic}. " + ", ".join(vp["name"] for vp in s.viewpoints) for s in sets]
    vectors = _encode([question[:2000]] + texts)
    q, rest = vectors[0], vectors[1:]
    sims = rest @ q / (np.linalg.norm(rest, axis=1) * np.linalg.norm(q) + 1e-12)
    return sets[int(np.argmax(sims))]
