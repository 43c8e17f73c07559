"""Writes for the marketplace. Only approved providers may publish (accounts.services.provider_require_approved).

grep -n "^def " marketplace/services.py lists every action.
"""
from __future__ import annotations

import json
import logging
import re

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Organization, OrganizationKind, User
from accounts.services import audit_record, provider_require_approved
from core.errors import Conflict, DomainError, NotAllowed, NotFound
from core.states import transition
from tuning import planning
from tuning.backends.base import HYPERPARAMETER_RANGES, LORA_RANGES, SYSTEM_PROMPT_MAX_CHARS, in_range
from tuning.backends.models import BASE_MODELS
from tuning.models import FineTuningJob, JobStatus

from .languages import language_tags, normalize_language
from .models import (
    LISTING_TRANSITIONS,
    REVIEW_REVEAL_AFTER,
    Listing,
    ListingStatus,
    ListingStatusChange,
    Review,
    ReviewEvent,
    Technique,
)

LISTING_FIELDS = (
    "title", "description", "domain", "techniques", "base_models", "price_amount", "price_currency",
    "turnaround_days", "languages", "recipe",
)
MAX_PRICE = 100_000_000  # minor units
_CURRENCY = re.compile(r"^[a-z]{3}$")
_MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$")
_MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,63}$")

# Hyperparameters a listing may default (OpenAI's names, plus DPO's beta). "auto" lets the trainer choose.
logger = logging.getLogger(__name__)
DOMAIN_EVAL_MAX_BYTES = 5 * 1024 * 1024
DOMAIN_EVAL_MAX_ROWS = 5000


# --- listing validation -----------------------------------------------------------------------
def _bad(message: str, param: str, code: str = "invalid_listing") -> DomainError:
    return DomainError(message, param=param, code=code)


def _known_base_models() -> set[str]:
    return set(BASE_MODELS)


def _clean_recipe(recipe) -> dict:
    if recipe in (None, ""):
        recipe = {}
    if not isinstance(recipe, dict):
        raise _bad("recipe must be an object with hyperparameters, lora and system_prompt.", "recipe")
    unknown = set(recipe) - {"hyperparameters", "lora", "system_prompt", "accelerator"}
    if unknown:
        raise _bad(f"recipe has unknown keys: {', '.join(sorted(unknown))}.", "recipe")
    hp_in = recipe.get("hyperparameters") or {}
    if not isinstance(hp_in, dict):
        raise _bad("recipe.hyperparameters must be an object.", "recipe.hyperparameters")
    hp = {}
    for key, value in hp_in.items():
        if key not in HYPERPARAMETER_RANGES:
            raise _bad(
                f"recipe.hyperparameters.{key} is not supported; use {', '.join(HYPERPARAMETER_RANGES)}.",
                f"recipe.hyperparameters.{key}",
            )
        # The very rules a job's own hyper-parameters meet (tuning.planning.coerce), so a recipe's
        # default is never silently replaced by "auto" when a job is created.
        hp[key] = value if value == "auto" else planning.coerce(
            key, value, param=f"recipe.hyperparameters.{key}", code="invalid_listing")
    lora_in = recipe.get("lora") or {}
    if not isinstance(lora_in, dict) or set(lora_in) - {"r", "alpha", "dropout", "target_modules"}:
        raise _bad("recipe.lora takes r, alpha, dropout and target_modules.", "recipe.lora")
    # Only what the provider set is stored: the training backend owns the defaults.
    lora = {}
    for name, (kind, lo, hi) in LORA_RANGES.items():
        if name in lora_in:
            value = lora_in[name]
            if not in_range(LORA_RANGES, name, value) or (kind is int and not isinstance(value, int)):
                what = "an integer" if kind is int else "a number"
                raise _bad(f"recipe.lora.{name} must be {what} from {lo:g} to {hi:g}.", f"recipe.lora.{name}")
            lora[name] = kind(value)
    if "target_modules" in lora_in:
        modules = lora_in["target_modules"]
        if (not isinstance(modules, list) or not modules or len(modules) > 16
                or not all(isinstance(m, str) and _MODULE_NAME.match(m) for m in modules)):
            raise _bad("recipe.lora.target_modules must be a list of module names such as q_proj.",
                       "recipe.lora.target_modules")
        lora["target_modules"] = list(modules)
    prompt = recipe.get("system_prompt", "") or ""
    if not isinstance(prompt, str) or len(prompt) > SYSTEM_PROMPT_MAX_CHARS:
        raise _bad(f"recipe.system_prompt must be text of at most {SYSTEM_PROMPT_MAX_CHARS} characters.",
                   "recipe.system_prompt")
    out = {"hyperparameters": hp, "lora": lora, "system_prompt": prompt.strip()}
    # Where training runs (tuning.services reads it to pick the GPU backend and queue).
    if "accelerator" in recipe:
        if recipe["accelerator"] not in ("cpu", "gpu"):
            raise _bad('recipe.accelerator must be "cpu" or "gpu".', "recipe.accelerator")
        out["accelerator"] = recipe["accelerator"]
    return out


class TooManyRefusedPrompts(DomainError):
    status_code = 429
    type = "rate_limit_error"
    code = "too_many_refused_system_prompts"


def _refused_prompts_key(organization: Organization) -> str:
    return f"listing-prompt-refused:org:{organization.pk}"


def _recipe_prompt_screen(*, prompt: str, organization: Organization) -> None:
    """A listing's recipe system prompt is screened like a use case, before anything is saved.

    It is applied to every conversation a tuned model has (training, evaluation, inference), so a
    prompt that weakens safety or asks for prohibited content is refused (400, param
    recipe.system_prompt) with the category and a general reason only. Refusals are counted per
    organisation in the cache (they survive the rolled-back transaction); past the hourly limit the
    provider waits (429) rather than probing the screen with variations.
    """
    from review import policy
    from review.reasons import public_reasons
    from review.screening import screen_system_prompt

    if not prompt:
        return
    key = _refused_prompts_key(organization)
    if (cache.get(key) or 0) >= policy.REJECTION_LIMIT_PER_HOUR:
        raise TooManyRefusedPrompts(
            f"Too many recipe system prompts from this organisation were refused in the last "
            f"{policy.REJECTION_WINDOW_SECONDS // 60} minutes. Please wait before trying again.")
    result = screen_system_prompt(prompt)
    if result.outcome is not policy.Outcome.REJECT:
        return
    if cache.add(key, 1, timeout=policy.REJECTION_WINDOW_SECONDS) is False:
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=policy.REJECTION_WINDOW_SECONDS)
    # Reviewers' view (nothing is saved, so the log keeps the detail).
    logger.warning("Refused recipe.system_prompt for organisation %s: %s", organization.pk,
                   [(r.category, r.detector, r.detail) for r in result.reasons if r.outcome is policy.Outcome.REJECT])
    titles = "; ".join(r["title"] for r in public_reasons(result.reasons) if r["outcome"] == "reject")
    raise DomainError(
        f"recipe.system_prompt was refused by the tuning policy ({titles}). A system prompt applies to every "
        f"conversation the tuned model has, so it may not weaken refusals or safety or ask for prohibited "
        f"content. Rewrite it; see the tuning policy for the categories.",
        param="recipe.system_prompt", code="system_prompt_rejected",
    )


def _clean_listing_fields(fields: dict, *, partial: bool) -> dict:
    unknown = set(fields) - set(LISTING_FIELDS)
    if unknown:
        raise _bad(f"Unknown listing fields: {', '.join(sorted(unknown))}.", sorted(unknown)[0])
    if not partial:
        missing = [f for f in ("title", "description", "domain", "techniques", "base_models", "price_amount",
                               "turnaround_days") if f not in fields]
        if missing:
            raise _bad(f"{missing[0]} is required.", missing[0], "missing_field")
    out = {}
    for key, value in fields.items():
        if key in ("title", "description"):
            value = (value or "").strip()
            limit = 200 if key == "title" else 20_000
            if not value or len(value) > limit:
                raise _bad(f"{key} must be 1 to {limit} characters.", key)
        elif key == "domain":
            from accounts.models import DOMAINS

            if value not in DOMAINS:
                raise _bad(f"domain must be one of {', '.join(DOMAINS)}.", key)
        elif key == "techniques":
            if not isinstance(value, list) or not value or any(v not in Technique.values for v in value):
                raise _bad(f"techniques must be a non-empty list of {', '.join(Technique.values)}.", key)
            value = list(dict.fromkeys(value))
        elif key == "base_models":
            if (not isinstance(value, list) or not value or len(value) > 10
                    or not all(isinstance(v, str) and _MODEL_NAME.match(v) for v in value)):
                raise _bad("base_models must be a non-empty list of model names.", key)
            known = _known_base_models()
            if (unknown_models := [v for v in value if v not in known]):
                raise _bad(f"Unknown base model '{unknown_models[0]}'; supported: {', '.join(sorted(known))}.", key,
                           "unknown_base_model")
            value = list(dict.fromkeys(value))
        elif key == "price_amount":
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_PRICE:
                raise _bad(f"price.amount must be an integer number of minor units from 0 to {MAX_PRICE}.",
                           "price.amount")
        elif key == "price_currency":
            value = (value or "").lower()
            if not _CURRENCY.match(value):
                raise _bad("price.currency must be a three-letter ISO currency code.", "price.currency")
        elif key == "turnaround_days":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 365:
                raise _bad("turnaround_days must be an integer from 1 to 365.", key)
        elif key == "languages":
            if not isinstance(value, list) or len(value) > 30:
                raise _bad("languages must be a list of language tags such as en-AU.", key)
            value = list(dict.fromkeys(normalize_language(v) for v in value))
            out["language_tags"] = language_tags(value)
        elif key == "recipe":
            value = _clean_recipe(value)
        out[key] = value
    return out


def _require_member(user: User, organization: Organization, what: str) -> None:
    if user is None or not user.is_authenticated or user.organization != organization:
        raise NotFound(f"No {what} with that id.")


# --- listings ---------------------------------------------------------------------------------
@transaction.atomic
def listing_create(*, user: User, publish: bool = False, **fields) -> Listing:
    org = user.organization
    if org is None or org.kind != OrganizationKind.PROVIDER:
        raise NotAllowed("Only provider organisations can create listings.", code="not_a_provider")
    fields.setdefault("recipe", {})
    fields.setdefault("languages", [])
    cleaned = _clean_listing_fields(fields, partial=False)
    _recipe_prompt_screen(prompt=cleaned["recipe"].get("system_prompt", ""), organization=org)
    listing = Listing.objects.create(provider=org, created_by=user, **cleaned)
    ListingStatusChange.objects.create(listing=listing, actor=user, from_status="", to_status=ListingStatus.DRAFT)
    audit_record(action="listing.created", actor=user, organization=org, target=listing)
    if publish:
        listing = listing_publish(listing=listing, actor=user)
    return listing


@transaction.atomic
def listing_update(*, listing: Listing, user: User, **fields) -> Listing:
    """The owner edits its listing. Published listings stay published (buyers see the new text at once)."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    _require_member(user, listing.provider, "listing")
    cleaned = _clean_listing_fields(fields, partial=True)
    if not cleaned:
        return listing
    if "recipe" in cleaned:
        _recipe_prompt_screen(prompt=cleaned["recipe"].get("system_prompt", ""), organization=listing.provider)
    for key, value in cleaned.items():
        setattr(listing, key, value)
    listing.save(update_fields=[*cleaned, "updated_at"])
    audit_record(action="listing.updated", actor=user, organization=listing.provider, target=listing,
                 fields=sorted(k for k in cleaned if k != "language_tags"))
    return listing


@transaction.atomic
def listing_transition(*, listing: Listing, to: str, actor: User | None, reason: str = "",
                       held_by_admin: bool | None = None) -> Listing:
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    from_status = listing.status
    updates = {}
    if to == ListingStatus.PUBLISHED:
        updates["published_at"] = timezone.now()
    if held_by_admin is not None:
        updates["held_by_admin"] = held_by_admin
    transition(listing, to=to, allowed=LISTING_TRANSITIONS, entity="listing", actor=actor, reason=reason, updates=updates)
    ListingStatusChange.objects.create(listing=listing, actor=actor, from_status=from_status, to_status=to, reason=reason)
    audit_record(action=f"listing.{to}", actor=actor, organization=listing.provider, target=listing, reason=reason)
    return listing


def listing_publish(*, listing: Listing, actor: User) -> Listing:
    """The owner publishes: only approved providers, and not while an admin holds the listing."""
    _require_member(actor, listing.provider, "listing")
    provider_require_approved(organization=listing.provider)
    if Listing.objects.filter(pk=listing.pk, held_by_admin=True).exists():
        reason = listing.status_changes.filter(to_status=ListingStatus.UNPUBLISHED).values_list("reason", flat=True).last()
        raise NotAllowed(
            f"An admin unpublished this listing ({reason or 'no reason given'}); ask the marketplace team to review it.",
            code="listing_held",
        )
    return listing_transition(listing=listing, to=ListingStatus.PUBLISHED, actor=actor)


def listing_unpublish(*, listing: Listing, actor: User, reason: str = "") -> Listing:
    """The owner withdraws its listing; it can publish it again later."""
    _require_member(actor, listing.provider, "listing")
    return listing_transition(listing=listing, to=ListingStatus.UNPUBLISHED, actor=actor,
                              reason=reason.strip() or "Withdrawn by the provider.")


def _require_staff(actor: User) -> None:
    if actor is None or not actor.is_staff:
        raise NotAllowed("Only marketplace admins may moderate.", code="not_staff")


def listing_moderate_unpublish(*, listing: Listing, actor: User, reason: str) -> Listing:
    """An admin takes a listing down, with a reason; the provider cannot republish it on its own."""
    _require_staff(actor)
    if not (reason or "").strip():
        raise DomainError("A reason is required to unpublish a listing.", param="reason", code="reason_required")
    return listing_transition(listing=listing, to=ListingStatus.UNPUBLISHED, actor=actor, reason=reason,
                              held_by_admin=True)


def listing_moderate_republish(*, listing: Listing, actor: User, reason: str) -> Listing:
    """An admin lifts its hold and publishes the listing again (the provider must still be approved)."""
    _require_staff(actor)
    provider_require_approved(organization=listing.provider)
    return listing_transition(listing=listing, to=ListingStatus.PUBLISHED, actor=actor, reason=reason,
                              held_by_admin=False)


def _parse_domain_eval(raw: bytes) -> list[dict]:
    if len(raw) > DOMAIN_EVAL_MAX_BYTES:
        raise DomainError(f"The evaluation set is larger than {DOMAIN_EVAL_MAX_BYTES // (1024 * 1024)} MB.",
                          param="file", code="file_too_large")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DomainError("The evaluation set must be UTF-8 JSONL.", param="file", code="invalid_encoding")
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DomainError(f"Line {n} is not valid JSON: {exc.msg}.", param="file", code="invalid_jsonl")
        messages = row.get("messages") if isinstance(row, dict) else None
        prompt = row.get("prompt") if isinstance(row, dict) else None
        valid_messages = isinstance(messages, list) and messages and all(
            isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str)
            for m in messages
        )
        if not (valid_messages or (isinstance(prompt, str) and prompt.strip())):
            raise DomainError(
                f"Line {n} needs either \"messages\" (a list of {{role, content}}) or a non-empty \"prompt\".",
                param="file", code="invalid_eval_row",
            )
        rows.append(row)
        if len(rows) > DOMAIN_EVAL_MAX_ROWS:
            raise DomainError(f"The evaluation set has more than {DOMAIN_EVAL_MAX_ROWS} rows.", param="file",
                              code="too_many_rows")
    if not rows:
        raise DomainError("The evaluation set is empty.", param="file", code="empty_file")
    return rows


@transaction.atomic
def listing_domain_eval_set_upload(*, listing: Listing, user: User, content: bytes) -> Listing:
    """Validate and store the provider's domain evaluation set (JSONL) through Django's storage API."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    _require_member(user, listing.provider, "listing")
    rows = _parse_domain_eval(content)
    old = listing.domain_eval_set.name if listing.domain_eval_set else None
    listing.domain_eval_set.save("domain_eval.jsonl", ContentFile(content), save=False)
    listing.domain_eval_rows = len(rows)
    listing.save(update_fields=["domain_eval_set", "domain_eval_rows", "updated_at"])
    if old and old != listing.domain_eval_set.name:
        storage, name = listing.domain_eval_set.storage, old
        transaction.on_commit(lambda: storage.delete(name))
    audit_record(action="listing.domain_eval_set_uploaded", actor=user, organization=listing.provider,
                 target=listing, rows=len(rows))
    return listing


# --- reviews ----------------------------------------------------------------------------------
@transaction.atomic
def review_create(*, job: FineTuningJob, user: User, rating: int, body: str) -> Review:
    """The customer reviews one delivered (succeeded) job with its provider, once."""
    job = FineTuningJob.objects.select_for_update().get(pk=job.pk)
    org = user.organization if user is not None and user.is_authenticated else None
    if org is None or org != job.organization:
        raise NotFound(f"No fine-tuning job with id '{job.public_id}'.", param="job")
    if org.kind != OrganizationKind.CUSTOMER:
        raise NotAllowed("Only the customer who ordered a job may review it.", code="not_a_customer")
    if job.status != JobStatus.SUCCEEDED:
        raise Conflict(
            f"Only a delivered job can be reviewed; this job is {job.status}.", param="job", code="job_not_delivered"
        )
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise DomainError("rating must be an integer from 1 to 5.", param="rating", code="invalid_rating")
    body = (body or "").strip()
    if len(body) > 5000:
        raise DomainError("body must be at most 5000 characters.", param="body", code="body_too_long")
    if Review.objects.filter(job=job).exists():
        raise Conflict("This job already has a review.", param="job", code="review_exists")
    now = timezone.now()
    try:
        with transaction.atomic():
            review = Review.objects.create(
                job=job, provider=job.provider, customer=org, listing=job.listing, author=user,
                rating=rating, body=body, reveal_at=now + REVIEW_REVEAL_AFTER,
            )
    except IntegrityError:
        raise Conflict("This job already has a review.", param="job", code="review_exists")
    ReviewEvent.objects.create(review=review, actor=user, action="written")
    audit_record(action="review.created", actor=user, organization=org, target=review, job=job.public_id)
    return review


@transaction.atomic
def review_respond(*, review: Review, user: User, body: str) -> Review:
    """The provider answers once. Both sides have now written, so the review is revealed at once."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    _require_member(user, review.provider, "review")
    body = (body or "").strip()
    if not body:
        raise DomainError("body is required.", param="body", code="missing_body")
    if len(body) > 5000:
        raise DomainError("body must be at most 5000 characters.", param="body", code="body_too_long")
    if review.responded_at is not None:
        raise Conflict("This review already has your answer.", code="response_exists")
    now = timezone.now()
    review.response_body = body
    review.responded_at = now
    review.responded_by = user
    review.reveal_at = min(review.reveal_at, now)
    review.save(update_fields=["response_body", "responded_at", "responded_by", "reveal_at"])
    ReviewEvent.objects.create(review=review, actor=user, action="answered")
    audit_record(action="review.answered", actor=user, organization=review.provider, target=review)
    return review


@transaction.atomic
def review_hide(*, review: Review, actor: User, reason: str) -> Review:
    """An admin hides a review from profiles and ratings, with a reason recorded in its history."""
    _require_staff(actor)
    if not (reason or "").strip():
        raise DomainError("A reason is required to hide a review.", param="reason", code="reason_required")
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.hidden:
        raise Conflict("This review is already hidden.", code="review_hidden")
    review.hidden = True
    review.hidden_reason = reason.strip()
    review.save(update_fields=["hidden", "hidden_reason"])
    ReviewEvent.objects.create(review=review, actor=actor, action="hidden", reason=reason.strip())
    audit_record(action="review.hidden", actor=actor, organization=review.provider, target=review, reason=reason)
    return review


@transaction.atomic
def review_unhide(*, review: Review, actor: User, reason: str) -> Review:
    _require_staff(actor)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not review.hidden:
        raise Conflict("This review is not hidden.", code="review_not_hidden")
    review.hidden = False
    review.save(update_fields=["hidden"])
    ReviewEvent.objects.create(review=review, actor=actor, action="shown", reason=(reason or "").strip())
    audit_record(action="review.shown", actor=actor, organization=review.provider, target=review, reason=reason)
    return review
