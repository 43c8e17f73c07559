"""Request screening: policy, persona allowlist and the screening engine.

Pure Python (no Django). The embedding model loads lazily on first use.
"""

from .persona import PersonaError, PersonaIssue, PersonaResult, persona_system_prompt, validate_persona
from .policy import CATEGORIES, CATEGORY_BY_ID, HIGH_RISK_DOMAINS, POLICY_VERSION, Outcome, Severity
from .prompts import compose_system_prompt
from .screening import (
    EmbeddingModelUnavailable,
    Reason,
    ScreeningResult,
    public_reasons,
    screen_request,
    screen_system_prompt,
    warm_up,
)

__all__ = [
    "CATEGORIES",
    "CATEGORY_BY_ID",
    "HIGH_RISK_DOMAINS",
    "POLICY_VERSION",
    "EmbeddingModelUnavailable",
    "Outcome",
    "PersonaError",
    "PersonaIssue",
    "PersonaResult",
    "Reason",
    "ScreeningResult",
    "Severity",
    "compose_system_prompt",
    "persona_system_prompt",
    "public_reasons",
    "screen_request",
    "screen_system_prompt",
    "validate_persona",
    "warm_up",
]
