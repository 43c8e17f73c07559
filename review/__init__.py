"""Request screening: policy, persona allowlist and the screening engine.

- `policy`, `exemplars`: the written policy's categories, thresholds and exemplars;
- `rules`: the policy rules as data (regular expressions per category);
- `embeddings`, `semantic`: the embedding model and similarity to the exemplars;
- `reasons`, `high_risk`, `screening`: findings, high-risk routing and `screen_request`;
- `refusal`: the one refusal detector; `persona`, `prompts`: persona allowlist and system prompts.

Pure Python (no Django). The embedding model loads lazily on first use.
"""

from .persona import PersonaError, PersonaIssue, PersonaResult, persona_system_prompt, validate_persona
from .policy import CATEGORIES, CATEGORY_BY_ID, HIGH_RISK_DOMAINS, POLICY_VERSION, Outcome, Severity
from .prompts import compose_system_prompt
from .embeddings import EmbeddingModelUnavailable, warm_up
from .reasons import Reason, ScreeningResult, public_reasons
from .screening import screen_request, screen_system_prompt

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
