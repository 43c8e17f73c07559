"""The composed system prompt of a job: one function, used by job creation and by screening.

Training, evaluation and inference all read the job's ``training_config["system_prompt"]``,
which ``tuning.services.job_create`` builds with ``compose_system_prompt``. Screening is
given the same stored string, so what was screened is what the model is trained and
served with, byte for byte.
"""

from __future__ import annotations

from .persona import PersonaError, persona_system_prompt, validate_persona

__all__ = ["PersonaError", "compose_system_prompt"]

SEPARATOR = "\n\n"


def compose_system_prompt(*, recipe_prompt: str | None, persona: dict | None) -> str | None:
    """The listing's recipe system prompt, then the rendered persona; None when both are empty.

    Raises PersonaError when the persona settings do not validate: an invalid persona
    never reaches a prompt.
    """
    parts = [recipe_prompt or ""]
    if persona:
        checked = validate_persona(persona)
        if not checked.ok:
            raise PersonaError(checked)
        parts.append(persona_system_prompt(checked.settings))
    return SEPARATOR.join(p.strip() for p in parts if p and p.strip()) or None
