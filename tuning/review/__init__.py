"""Request screening: policy, persona allowlist and the screening engine.

Pure Python (no Django). The embedding model loads lazily on first use.
"""

from .persona import PersonaError, PersonaIssue, PersonaResult, persona_system_prompt, validate_persona
from .policy import CATEGORIES, CATEGORY_BY_ID, HIGH_RISK_DOMAINS, POLICY_VERSION, Outcome, Severity
from .screening import EmbeddingModelUnavailable, Reason, ScreeningResult, screen_request, warm_up

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
    "persona_system_prompt",
    "screen_request",
    "validate_persona",
    "warm_up",
]
