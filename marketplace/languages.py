"""Language and locale tags (BCP 47, the subset listings need): `en`, `en-AU`, `zh-Hant-TW`, `es-419`."""
from __future__ import annotations

import re

from core.errors import DomainError

_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def normalize_language(tag: str, *, param: str = "languages") -> str:
    """`EN-au` → `en-AU`; `zh-hant-tw` → `zh-Hant-TW`. Raises a DomainError for anything else."""
    tag = (tag or "").strip().replace("_", "-")
    if not _TAG.match(tag) or len(tag) > 35:
        raise DomainError(
            f"'{tag}' is not a language tag; use a BCP 47 tag such as 'en' or 'en-AU'.",
            param=param, code="invalid_language",
        )
    primary, *rest = tag.split("-")
    parts = [primary.lower()]
    for sub in rest:
        if len(sub) == 2 and sub.isalpha() or len(sub) == 3 and sub.isdigit():
            parts.append(sub.upper())  # region
        elif len(sub) == 4 and sub.isalpha():
            parts.append(sub.title())  # script
        else:
            parts.append(sub.lower())
    return "-".join(parts)


def language_tags(languages: list[str]) -> list[str]:
    """The stored filter tags: each normalised tag and its primary language, without duplicates."""
    out: list[str] = []
    for tag in languages or []:
        try:
            norm = normalize_language(tag)
        except DomainError:
            continue
        for t in (norm, norm.split("-")[0]):
            if t not in out:
                out.append(t)
    return out
