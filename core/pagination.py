"""OpenAI-style lists: {"object": "list", "data": [...], "has_more": bool}, `limit` and `after`.

Keyset pagination: `after` is the public id of the last object seen. The page continues strictly
after that object in the list's ordering, so inserts never cause duplicates or gaps.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db.models import F, Q, QuerySet

from .errors import DomainError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def parse_limit(value) -> int:
    if value in (None, ""):
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except (TypeError, ValueError):
        raise DomainError("limit must be an integer between 1 and 100.", param="limit", code="invalid_limit")
    if not 1 <= limit <= MAX_LIMIT:
        raise DomainError("limit must be an integer between 1 and 100.", param="limit", code="invalid_limit")
    return limit


def _after_q(ordering: Sequence[str], anchor: dict) -> Q:
    """Rows strictly after `anchor` for a lexicographic ordering like ("-rank", "price", "-id")."""
    q = Q()
    equal = Q()
    for term in ordering:
        desc = term.startswith("-")
        field = term.lstrip("-")
        value = anchor[field]
        step = Q(**{f"{field}__lt" if desc else f"{field}__gt": value})
        q |= equal & step
        equal &= Q(**{field: value})
    return q


def keyset_page(
    queryset: QuerySet,
    *,
    ordering: Sequence[str],
    limit: int,
    after: str | None,
    id_field: str = "public_id",
) -> tuple[list, bool]:
    """One page of `queryset` in `ordering` (which must end in a unique field) after the object `after`.

    Sort keys must not be NULL (coalesce them in the selector). Costs two queries with a cursor
    (the anchor, the page) and one without, whatever the page size.
    """
    fields = [t.lstrip("-") for t in ordering]
    if after:
        anchor = queryset.filter(**{id_field: after}).values(*fields).first()
        if anchor is None:
            raise DomainError(f"No object with id '{after}' in this list.", param="after", code="invalid_cursor")
        queryset = queryset.filter(_after_q(ordering, anchor))
    order_by = [F(t[1:]).desc() if t.startswith("-") else F(t).asc() for t in ordering]
    rows = list(queryset.order_by(*order_by)[: limit + 1])
    return rows[:limit], len(rows) > limit


def list_response(data: list, has_more: bool, *, first_id: str | None = None, last_id: str | None = None) -> dict:
    body = {"object": "list", "data": data, "has_more": has_more}
    if data:
        body["first_id"] = first_id if first_id is not None else data[0].get("id")
        body["last_id"] = last_id if last_id is not None else data[-1].get("id")
    return body


def paginate(
    request,
    queryset: QuerySet,
    *,
    serialize: Callable[[object], dict],
    ordering: Sequence[str] = ("-created_at", "-id"),
    id_field: str = "public_id",
) -> dict:
    """The one helper every list endpoint uses."""
    limit = parse_limit(request.query_params.get("limit"))
    rows, has_more = keyset_page(
        queryset, ordering=ordering, limit=limit, after=request.query_params.get("after") or None, id_field=id_field
    )
    return list_response([serialize(r) for r in rows], has_more)
