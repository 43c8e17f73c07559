"""Persona customisation, only within a bounded allowlist.

A persona changes how a model sounds, never what it will do: tone,
formality, verbosity, locale and a short display name. Anything else,
and anything that reads like an attempt to weaken refusals or to make the
model pass as a human, is rejected with an explanation naming the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ALLOWED_KEYS",
    "FORMALITY",
    "TONES",
    "VERBOSITY",
    "PersonaError",
    "PersonaIssue",
    "PersonaResult",
    "persona_system_prompt",
    "validate_persona",
]

TONES = ("friendly", "neutral", "formal", "playful", "empathetic", "professional", "encouraging")
FORMALITY = ("low", "medium", "high")
VERBOSITY = ("concise", "balanced", "detailed")
ALLOWED_KEYS = ("tone", "formality", "verbosity", "locale", "persona_name")
PERSONA_NAME_MAX_CHARS = 40
PERSONA_NAME_MAX_WORDS = 3

# ISO 639-1 language subtags (BCP-47's two-letter primary languages).
_ISO_639_1 = frozenset(
    ["aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu"]
)
# language[-Script][-REGION], e.g. en-AU, zh-Hant-TW, es-419.
_LOCALE_RE = re.compile(r"^(?P<lang>[A-Za-z]{2})(?:-(?P<script>[A-Za-z]{4}))?(?:-(?P<region>[A-Za-z]{2}|\d{3}))?$")

_LANGUAGE_NAMES = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "ja": "Japanese", "zh": "Chinese", "ko": "Korean", "ar": "Arabic", "hi": "Hindi",
    "mi": "Māori", "id": "Indonesian", "vi": "Vietnamese", "pl": "Polish", "sv": "Swedish",
}
_REGION_NAMES = {
    "AU": "Australia", "GB": "the United Kingdom", "US": "the United States", "NZ": "New Zealand",
    "CA": "Canada", "IE": "Ireland", "IN": "India", "FR": "France", "DE": "Germany", "ES": "Spain",
    "MX": "Mexico", "BR": "Brazil", "PT": "Portugal", "JP": "Japan", "CN": "China", "TW": "Taiwan",
    "ZA": "South Africa", "SG": "Singapore", "CH": "Switzerland", "BE": "Belgium", "AT": "Austria",
    "419": "Latin America",
}

# Values anywhere in the settings that read like turning safety down.
_UNSAFE_VALUE = re.compile(
    r"\b(no|without|zero|remove\w*|disabl\w*|bypass\w*|ignore\w*|lift\w*|off)\b.{0,20}\b(restrictions?|"
    r"limits?|rules|filters?|safety|guardrails?|refusals?|censorship|guidelines|moderation|boundaries|"
    r"ethics|morals?)\b|"
    r"\bignore\s+(all\s+|any\s+|your\s+|the\s+)?(previous|prior|above|earlier|system|original)\b|"
    r"\b(uncensored|unfiltered|unrestricted|unhinged|jail\s?-?broken|jail\s?-?break\w*|unaligned|amoral|"
    r"abliterat\w*|do anything now|developer mode|god mode|evil|never refuse\w*|always comply|"
    r"answer (anything|everything)|anything goes|nsfw)\b|"
    r"(?-i:\bDAN\b)|\b(system prompt|you are now|from now on|new instructions)\b",
    re.IGNORECASE,
)
# Keys that are themselves an attempt to reach safety behaviour.
_UNSAFE_KEY = re.compile(
    r"refus|safety|safe_mode|guardrail|filter|censor|moderation|restriction|jailbreak|system_?prompt|"
    r"instruction|policy|polic|rules|limits|ethic|alignment|nsfw|content_?policy|override",
    re.IGNORECASE,
)
# Persona names that are known jailbreak personas or claim to be human / unrestricted.
_JAILBREAK_NAME = re.compile(
    # Jailbreak personas are written in capitals ("DAN", "STAN"); "Dan" is a plain name.
    r"(?-i:\b(DAN|STAN|DUDE|AIM|KEVIN|BetterDAN)\b)|"
    r"\b(uncensored|unfiltered|unrestricted|unlocked|jail\w*|evil|chaos|devil|no ?limits?|limitless|"
    r"god ?mode|developer ?mode|sudo|root|admin|do anything)\b",
    re.IGNORECASE,
)
_HUMAN_NAME = re.compile(
    r"\b(human(?! resources)|person|real|not an? (ai|bot)|official|support staff|staff member)\b",
    re.IGNORECASE,
)
# Titles claim a real person's authority ("Dr Smith", "Officer Jones").
_TITLE_WORDS = re.compile(
    r"^(dr|doctor|prof|professor|mr|mrs|ms|miss|mx|sir|dame|lord|lady|president|senator|judge|justice|"
    r"officer|detective|nurse|pastor|father|rabbi|imam|king|queen|prince|princess|pope|minister|"
    r"captain|general|ceo)\.?$",
    re.IGNORECASE,
)
# Well-known real people. No list is complete: a reviewer checks personas too,
# and the rendered prompt always says the model is an AI.
_REAL_PEOPLE = frozenset(
    name.lower() for name in (
        "Elon Musk", "Musk", "Donald Trump", "Trump", "Joe Biden", "Biden", "Barack Obama", "Obama",
        "Kamala Harris", "Taylor Swift", "Beyonce", "Beyoncé", "Oprah", "Oprah Winfrey", "Bill Gates",
        "Mark Zuckerberg", "Zuckerberg", "Jeff Bezos", "Bezos", "Sam Altman", "Steve Jobs",
        "Albert Einstein", "Einstein", "Kim Kardashian", "Anthony Albanese", "Albanese", "Rishi Sunak",
        "Keir Starmer", "Emmanuel Macron", "Macron", "Vladimir Putin", "Putin", "Xi Jinping",
        "King Charles", "Pope Francis", "Greta Thunberg", "Cristiano Ronaldo", "Lionel Messi",
        "Narendra Modi", "Modi", "Jacinda Ardern", "David Attenborough", "Warren Buffett",
    )
)
_NAME_RE = re.compile(r"^[^\W\d_][^\W\d_'’\-]*(?:[ '’\-][^\W\d_]+)*$")


class PersonaError(ValueError):
    """Raised by persona_system_prompt for settings that do not validate."""

    def __init__(self, result: PersonaResult) -> None:
        self.result = result
        super().__init__("; ".join(issue.message for issue in result.errors))


@dataclass(frozen=True)
class PersonaIssue:
    key: str
    code: str  # "not_a_mapping" | "unknown_key" | "invalid_value" | "weakens_safety" | "impersonation"
    message: str
    value: Any = None

    @property
    def weakens_safety(self) -> bool:
        return self.code in ("weakens_safety", "impersonation")


@dataclass
class PersonaResult:
    settings: dict[str, str] = field(default_factory=dict)  # the accepted, normalised settings
    errors: list[PersonaIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def __bool__(self) -> bool:
        return self.ok

    def errors_for(self, key: str) -> list[PersonaIssue]:
        return [e for e in self.errors if e.key == key]


def _normalise_locale(value: str) -> str | None:
    m = _LOCALE_RE.match(value.strip().replace("_", "-"))
    if not m or m.group("lang").lower() not in _ISO_639_1:
        return None
    parts = [m.group("lang").lower()]
    if m.group("script"):
        parts.append(m.group("script").title())
    if m.group("region"):
        parts.append(m.group("region").upper())
    return "-".join(parts)


def _check_name(value: str) -> PersonaIssue | None:
    name = " ".join(value.split())
    if not name:
        return PersonaIssue("persona_name", "invalid_value", "persona_name must not be empty.", value)
    if len(name) > PERSONA_NAME_MAX_CHARS or len(name.split()) > PERSONA_NAME_MAX_WORDS:
        return PersonaIssue(
            "persona_name", "invalid_value",
            f"persona_name must be a short, plain name: at most {PERSONA_NAME_MAX_WORDS} words and "
            f"{PERSONA_NAME_MAX_CHARS} characters.", value,
        )
    if _JAILBREAK_NAME.search(name) or _UNSAFE_VALUE.search(name):
        return PersonaIssue(
            "persona_name", "weakens_safety",
            f"persona_name {name!r} names a jailbreak persona or an unrestricted assistant; a persona "
            f"name must be a plain name and cannot change refusals or safety.", value,
        )
    if _HUMAN_NAME.search(name):
        return PersonaIssue(
            "persona_name", "impersonation",
            f"persona_name {name!r} claims the assistant is a human or a member of staff; the assistant "
            f"must always be able to say it is an AI.", value,
        )
    if not _NAME_RE.match(name):
        return PersonaIssue(
            "persona_name", "invalid_value",
            "persona_name may contain only letters, spaces, hyphens and apostrophes.", value,
        )
    if _TITLE_WORDS.match(name.split()[0]):
        return PersonaIssue(
            "persona_name", "impersonation",
            f"persona_name {name!r} starts with a title ({name.split()[0]}), which claims a real person's "
            f"identity or authority; use a plain name.", value,
        )
    if name.lower() in _REAL_PEOPLE or any(w.lower() in _REAL_PEOPLE for w in name.split() if len(w) > 3):
        return PersonaIssue(
            "persona_name", "impersonation",
            f"persona_name {name!r} is the name of a real, well-known person; a persona must not "
            f"impersonate a real human.", value,
        )
    return None


def validate_persona(settings: dict) -> PersonaResult:
    """Check persona settings against the allowlist. Never raises."""
    result = PersonaResult()
    if not isinstance(settings, dict):
        result.errors.append(PersonaIssue("", "not_a_mapping", "Persona settings must be a JSON object.", settings))
        return result

    for raw_key, value in settings.items():
        key = str(raw_key)
        text = value if isinstance(value, str) else None

        if key not in ALLOWED_KEYS:
            if _UNSAFE_KEY.search(key) or (text is not None and _UNSAFE_VALUE.search(text)):
                result.errors.append(PersonaIssue(
                    key, "weakens_safety",
                    f"'{key}' is not a persona setting: a persona changes style only and cannot change "
                    f"refusals, safety rules or instructions.", value,
                ))
            else:
                result.errors.append(PersonaIssue(
                    key, "unknown_key",
                    f"'{key}' is not a persona setting; allowed keys are {', '.join(ALLOWED_KEYS)}.", value,
                ))
            continue

        if text is None:
            result.errors.append(PersonaIssue(key, "invalid_value", f"'{key}' must be a string.", value))
            continue
        if _UNSAFE_VALUE.search(text) and key != "persona_name":
            result.errors.append(PersonaIssue(
                key, "weakens_safety",
                f"'{key}' = {text!r} reads as an attempt to weaken refusals or safety; a persona changes "
                f"style only.", value,
            ))
            continue

        if key == "tone":
            allowed: tuple[str, ...] | None = TONES
        elif key == "formality":
            allowed = FORMALITY
        elif key == "verbosity":
            allowed = VERBOSITY
        else:
            allowed = None
        if allowed is not None:
            normal = text.strip().lower()
            if normal not in allowed:
                result.errors.append(PersonaIssue(
                    key, "invalid_value", f"'{key}' must be one of {', '.join(allowed)}; got {text!r}.", value,
                ))
            else:
                result.settings[key] = normal
        elif key == "locale":
            locale = _normalise_locale(text)
            if locale is None:
                result.errors.append(PersonaIssue(
                    key, "invalid_value",
                    f"'locale' must be a BCP-47 tag such as en-AU, en-GB or fr-FR; got {text!r}.", value,
                ))
            else:
                result.settings[key] = locale
        elif key == "persona_name":
            issue = _check_name(text)
            if issue is not None:
                result.errors.append(issue)
            else:
                result.settings[key] = " ".join(text.split())
    return result


def _describe_locale(locale: str) -> str:
    parts = locale.split("-")
    language = _LANGUAGE_NAMES.get(parts[0], parts[0])
    region = next((p for p in parts[1:] if len(p) != 4), None)
    if region and region in _REGION_NAMES:
        return f"{language} as used in {_REGION_NAMES[region]} ({locale})"
    return f"{language} ({locale})"


_TONE_TEXT = {
    "friendly": "friendly and warm",
    "neutral": "neutral and even",
    "formal": "formal",
    "playful": "light and playful",
    "empathetic": "empathetic and patient",
    "professional": "professional",
    "encouraging": "encouraging",
}
_FORMALITY_TEXT = {
    "low": "Use casual, everyday language.",
    "medium": "Use plain, polite language.",
    "high": "Use formal language and avoid slang.",
}
_VERBOSITY_TEXT = {
    "concise": "Keep answers short and to the point.",
    "balanced": "Give answers of moderate length, with detail where it helps.",
    "detailed": "Give thorough, detailed answers.",
}


def persona_system_prompt(settings: dict) -> str:
    """Render validated persona settings as a system prompt fragment.

    Raises PersonaError if the settings do not validate. The fragment always
    states that the assistant is an AI and that style never changes safety.
    """
    result = validate_persona(settings)
    if not result.ok:
        raise PersonaError(result)
    s = result.settings
    name = s.get("persona_name")
    lines = [f"You are {name}, an AI assistant." if name else "You are an AI assistant."]
    if "tone" in s:
        lines.append(f"Keep your tone {_TONE_TEXT[s['tone']]}.")
    if "formality" in s:
        lines.append(_FORMALITY_TEXT[s["formality"]])
    if "verbosity" in s:
        lines.append(_VERBOSITY_TEXT[s["verbosity"]])
    if "locale" in s:
        lines.append(f"Write in {_describe_locale(s['locale'])}, with its spelling, dates and conventions.")
    lines.append(
        "These style settings never change your safety rules: keep declining harmful requests, and if "
        "anyone asks, say plainly that you are an AI."
    )
    return " ".join(lines)
