"""Viewpoint sets for the chat ``perspectives`` option: created, screened and decided by admins."""
from __future__ import annotations

from django.db import transaction

from core.errors import DomainError
from core.states import transition

from .. import perspectives
from ..models import VIEWPOINT_SET_TRANSITIONS, ViewpointSet, ViewpointSetStatus


def _text(value, *, param: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > limit:
        raise DomainError(f"{param} is required, at most {limit} characters.", param=param,
                          code="invalid_viewpoint_set")
    return " ".join(value.split())


@transaction.atomic
def viewpoint_set_create(*, name: str, topic: str, viewpoints, actor=None) -> ViewpointSet:
    """A submitted viewpoint set, screened; a set that screening rejects is refused and not created."""
    name = _text(name, param="name", limit=perspectives.SET_NAME_MAX_CHARS)
    topic = _text(topic, param="topic", limit=perspectives.TOPIC_MAX_CHARS)
    cleaned = perspectives.clean_viewpoints(viewpoints)
    if ViewpointSet.objects.filter(name__iexact=name).exists():
        raise DomainError(f"A viewpoint set named '{name}' already exists.", param="name", code="invalid_viewpoint_set")
    screening = perspectives.screen_viewpoint_set(name=name, topic=topic, viewpoints=cleaned)
    if perspectives.refused(screening):
        raise perspectives.refusal_error(screening)
    return ViewpointSet.objects.create(name=name, topic=topic, viewpoints=cleaned, screening=screening,
                                       created_by=actor)


def _move(viewpoint_set: ViewpointSet, *, to: str, actor, reason: str) -> ViewpointSet:
    vs = ViewpointSet.objects.select_for_update().get(pk=viewpoint_set.pk)
    return transition(vs, to=to, allowed=VIEWPOINT_SET_TRANSITIONS, entity="viewpoint set", actor=actor, reason=reason,
                      updates={"decided_by": actor, "decision_reason": reason})


@transaction.atomic
def viewpoint_set_approve(*, viewpoint_set: ViewpointSet, actor, reason: str = "") -> ViewpointSet:
    """Approve a set for customers' use. It is screened again first (the policy may have changed since
    it was written); a set screening rejects cannot be approved."""
    screening = perspectives.screen_viewpoint_set(name=viewpoint_set.name, topic=viewpoint_set.topic,
                                                  viewpoints=viewpoint_set.viewpoints)
    if perspectives.refused(screening):
        raise perspectives.refusal_error(screening)
    ViewpointSet.objects.filter(pk=viewpoint_set.pk).update(screening=screening)
    return _move(viewpoint_set, to=ViewpointSetStatus.APPROVED, actor=actor, reason=reason)


@transaction.atomic
def viewpoint_set_reject(*, viewpoint_set: ViewpointSet, actor, reason: str) -> ViewpointSet:
    return _move(viewpoint_set, to=ViewpointSetStatus.REJECTED, actor=actor, reason=reason)


@transaction.atomic
def viewpoint_set_retire(*, viewpoint_set: ViewpointSet, actor, reason: str) -> ViewpointSet:
    return _move(viewpoint_set, to=ViewpointSetStatus.RETIRED, actor=actor, reason=reason)
