"""A small, explicit state machine: an ALLOWED table, one transition function, a history row.

Every stateful entity (provider application, organisation verification, listing, job, licence)
uses `check_transition`; an illegal move raises `IllegalTransition`, never passes quietly.
"""
from collections.abc import Mapping, Iterable

from .errors import IllegalTransition


def check_transition(*, entity: str, allowed: Mapping[str, Iterable[str]], current: str, to: str) -> None:
    if to not in allowed.get(current, ()):
        raise IllegalTransition(
            f"A {entity} cannot move from '{current}' to '{to}'.", code="illegal_transition", param="status"
        )
