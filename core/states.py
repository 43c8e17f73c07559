"""The one state-machine primitive: a table of allowed moves, one transition function, a history row.

Every stateful entity (provider application, organisation verification, listing, dataset file, job,
request review, evaluation run, licence, job payment) declares its `*_TRANSITIONS` table next to its
model and changes status only through `transition`, which

- checks the move against the table and raises `IllegalTransition` (HTTP 409) on an illegal one;
- sets the field, and any other fields the move carries, and saves exactly those fields;
- writes a `core.StateChange` row: which entity, from, to, who, when and why.

`grep -rn "transition(" --include=*.py` finds every move. Nothing else assigns a status field.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .errors import IllegalTransition


def check_transition(*, entity: str, allowed: Mapping[str, Iterable[str]], current: str, to: str) -> None:
    if to not in allowed.get(current, ()):
        raise IllegalTransition(
            f"A {entity} cannot move from '{current}' to '{to}'.", code="illegal_transition", param="status"
        )


def is_allowed(*, allowed: Mapping[str, Iterable[str]], current: str, to: str) -> bool:
    return to in allowed.get(current, ())


def transition(
    obj: Any, *, to: str, allowed: Mapping[str, Iterable[str]], entity: str, field: str = "status",
    actor=None, reason: str = "", updates: Mapping[str, Any] | None = None, data: Mapping[str, Any] | None = None,
) -> Any:
    """Move `obj.<field>` to `to` (checked against `allowed`), save, and record the move.

    Call it inside the caller's transaction, on a row read with select_for_update when moves can race.
    """
    from .models import StateChange

    current = getattr(obj, field)
    check_transition(entity=entity, allowed=allowed, current=current, to=to)
    setattr(obj, field, to)
    fields = [field]
    for name, value in (updates or {}).items():
        setattr(obj, name, value)
        fields.append(name)
    if hasattr(obj, "updated_at") and "updated_at" not in fields:
        fields.append("updated_at")  # auto_now fields are written only when listed
    obj.save(update_fields=fields)
    StateChange.record(obj, field=field, from_state=current, to_state=to, actor=actor, reason=reason, data=data)
    return obj


def record_ignored(obj: Any, *, wanted: str, field: str = "status", actor=None, reason: str = "",
                   data: Mapping[str, Any] | None = None) -> None:
    """A move that was asked for (a stale or out-of-order outside event) and deliberately not made:
    recorded in the history with `applied: false`, so an ignored event is visible, never silent."""
    from .models import StateChange

    StateChange.record(obj, field=field, from_state=getattr(obj, field), to_state=wanted, actor=actor, reason=reason,
                       data={**(data or {}), "applied": False})
