"""Full-text search and JSON-list filters, on PostgreSQL and on the embedded SQLite default.

PostgreSQL: `websearch_to_tsquery('english', …)` against a weighted tsvector (A = title/headline,
B = description/bio) served by a GIN index (migration 0002), ranked with `ts_rank`. JSON lists are
filtered with jsonb containment (`@>`), served by jsonb_path_ops GIN indexes.

SQLite: every word must appear in the title or the description (icontains); the rank counts title hits
twice as much as description hits. JSON lists are filtered exactly with `json_each`.

Ranks are exposed as an integer `rank_key` so that keyset pagination compares them exactly.
"""
from __future__ import annotations

import re

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorExact,
    SearchVectorField,
)
from django.db import connections
from django.db.models import BigIntegerField, BooleanField, Case, Expression, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import F

MAX_TERMS = 8
_WORD = re.compile(r"\w+", re.UNICODE)


def is_postgres(qs: QuerySet) -> bool:
    return connections[qs.db].vendor == "postgresql"


def search_terms(text: str) -> list[str]:
    return _WORD.findall((text or "").lower())[:MAX_TERMS]


class ListingSearchVector(Expression):
    """The stored generated column `marketplace_listing.search_vector` (PostgreSQL only; see models.py)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        return f'{compiler.quote_name_unless_alias("marketplace_listing")}."search_vector"', []


def provider_vector() -> SearchVector:
    """Compiles to exactly the expression of the `marketplace_provider_search_gin` index (migration 0002)."""
    return SearchVector("provider_application__headline", weight="A", config="english") + SearchVector(
        "provider_application__bio", weight="B", config="english"
    )


class _RankKey(Func):
    """ts_rank scaled to an integer: keyset cursors compare it exactly (a float4 would not round-trip)."""

    template = "(%(expressions)s * 1000000)::bigint"
    output_field = BigIntegerField()


def _websearch(text: str) -> SearchQuery:
    return SearchQuery(text, config="english", search_type="websearch")


def listing_text_condition(vendor: str, text: str) -> tuple[list, Expression]:
    """(filter conditions, rank expression) matching listings against `text` (higher rank = more relevant)."""
    if vendor == "postgresql":
        query = _websearch(text)
        return [SearchVectorExact(ListingSearchVector(), query)], _RankKey(SearchRank(ListingSearchVector(), query))
    terms = search_terms(text)
    if not terms:
        return [Q(pk__in=[])], Value(0, output_field=IntegerField())
    conditions, rank = [], Value(0, output_field=IntegerField())
    for term in terms:
        conditions.append(Q(title__icontains=term) | Q(description__icontains=term))
        rank = rank + Case(
            When(title__icontains=term, then=Value(2)), When(description__icontains=term, then=Value(1)),
            default=Value(0), output_field=IntegerField(),
        )
    return conditions, rank


def listing_text_search(qs: QuerySet, text: str) -> QuerySet:
    """Filter listings matching `text` and annotate `rank_key`."""
    conditions, rank = listing_text_condition(connections[qs.db].vendor, text)
    return qs.filter(*conditions).annotate(rank_key=rank)


def provider_text_search(qs: QuerySet, text: str) -> QuerySet:
    """Filter provider organisations by their vetted profile (headline A, bio B) or name; annotate `rank_key`."""
    if is_postgres(qs):
        query = _websearch(text)
        name_hit = Case(When(name__icontains=text.strip(), then=Value(2_000_000)), default=Value(0),
                        output_field=BigIntegerField())
        return qs.alias(_pv=provider_vector()).filter(Q(_pv=query) | Q(name__icontains=text.strip())).annotate(
            rank_key=_RankKey(SearchRank(provider_vector(), query)) + name_hit
        )
    terms = search_terms(text)
    if not terms:
        return qs.none().annotate(rank_key=Value(0, output_field=IntegerField()))
    rank = Value(0, output_field=IntegerField())
    for term in terms:
        qs = qs.filter(
            Q(name__icontains=term) | Q(provider_application__headline__icontains=term)
            | Q(provider_application__bio__icontains=term)
        )
        rank = rank + Case(
            When(name__icontains=term, then=Value(3)),
            When(provider_application__headline__icontains=term, then=Value(2)),
            When(provider_application__bio__icontains=term, then=Value(1)),
            default=Value(0), output_field=IntegerField(),
        )
    return qs.annotate(rank_key=rank)


class JSONArrayHas(Expression):
    """SQLite: `EXISTS (SELECT 1 FROM json_each(<field>) WHERE value = %s)`, an exact element test."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, field: str, value: str):
        super().__init__()
        self.column = F(field) if isinstance(field, str) else field
        self.value = value

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection):
        col_sql, col_params = compiler.compile(self.column)
        return f"EXISTS (SELECT 1 FROM json_each({col_sql}) AS je WHERE je.value = %s)", [*col_params, self.value]


def json_list_condition(vendor: str, field: str, value: str):
    """A filter condition: the JSON list `field` contains the string `value` exactly (not as a substring)."""
    if vendor == "postgresql":
        return Q(**{f"{field}__contains": [value]})
    return JSONArrayHas(field, value)


def json_list_has(qs: QuerySet, field: str, value: str) -> QuerySet:
    return qs.filter(json_list_condition(connections[qs.db].vendor, field, value))
