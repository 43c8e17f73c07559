"""Writes for the marketplace. Only approved providers may publish (accounts.services.provider_require_approved)."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import OrganizationKind, User
from accounts.services import audit_record, provider_require_approved
from core.errors import DomainError, NotAllowed
from core.states import check_transition

from .models import Listing, ListingStatus, ListingStatusChange

LISTING_TRANSITIONS = {
    ListingStatus.DRAFT: {ListingStatus.PUBLISHED},
    ListingStatus.PUBLISHED: {ListingStatus.UNPUBLISHED},
    ListingStatus.UNPUBLISHED: {ListingStatus.PUBLISHED},
}


@transaction.atomic
def listing_create(*, user: User, publish: bool = False, **fields) -> Listing:
    org = user.organization
    if org is None or org.kind != OrganizationKind.PROVIDER:
        raise NotAllowed("Only provider organisations can create listings.", code="not_a_provider")
    listing = Listing.objects.create(provider=org, created_by=user, **fields)
    ListingStatusChange.objects.create(listing=listing, actor=user, from_status="", to_status=ListingStatus.DRAFT)
    if publish:
        listing = listing_publish(listing=listing, actor=user)
    return listing


@transaction.atomic
def listing_transition(*, listing: Listing, to: str, actor: User | None, reason: str = "") -> Listing:
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    check_transition(entity="listing", allowed=LISTING_TRANSITIONS, current=listing.status, to=to)
    from_status = listing.status
    listing.status = to
    if to == ListingStatus.PUBLISHED:
        listing.published_at = timezone.now()
    listing.save(update_fields=["status", "published_at", "updated_at"])
    ListingStatusChange.objects.create(listing=listing, actor=actor, from_status=from_status, to_status=to, reason=reason)
    audit_record(action=f"listing.{to}", actor=actor, organization=listing.provider, target=listing, reason=reason)
    return listing


def listing_publish(*, listing: Listing, actor: User) -> Listing:
    provider_require_approved(organization=listing.provider)
    return listing_transition(listing=listing, to=ListingStatus.PUBLISHED, actor=actor)


def listing_unpublish(*, listing: Listing, actor: User, reason: str) -> Listing:
    if not reason.strip():
        raise DomainError("A reason is required to unpublish a listing.", param="reason", code="reason_required")
    return listing_transition(listing=listing, to=ListingStatus.UNPUBLISHED, actor=actor, reason=reason)
