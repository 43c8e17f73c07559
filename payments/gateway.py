"""The one adapter that talks to Stripe (the official `stripe` SDK).

Production talks to api.stripe.com (STRIPE_API_BASE unset); development, tests, CI and the demo talk
to localstripe (STRIPE_API_BASE=http://127.0.0.1:8420). Nothing else in the project imports `stripe`
for API calls. Functions here take and return plain values / Stripe objects and turn Stripe's errors
into the project's DomainErrors:

- a declined card (stripe.CardError)            -> PaymentRequired 402, code card_declined
- Stripe unreachable or failing (5xx, network)  -> PaymentProviderUnavailable 503 (tasks retry it)
- anything else Stripe refuses                  -> PaymentProviderError 502 (our bug or a config error)

Written so that both API shapes work: localstripe answers like Stripe's 2017 API, the SDK pins a 2025
one (e.g. `current_period_end` moved from the subscription to its items; `latest_charge` is an id on
Stripe and an expanded object on localstripe).
"""
from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import stripe
from django.conf import settings

from core.errors import API, DomainError, PaymentRequired

logger = logging.getLogger(__name__)

# https://docs.stripe.com/error-low-level#idempotency — the SDK also adds a key to its own retries.
MAX_NETWORK_RETRIES = 2


class PaymentProviderUnavailable(DomainError):
    status_code = 503
    type = API
    code = "payment_provider_unavailable"


class PaymentProviderError(DomainError):
    status_code = 502
    type = API
    code = "payment_provider_error"


class CardDeclined(PaymentRequired):
    code = "card_declined"


@functools.lru_cache(maxsize=8)
def _client_for(api_key: str, api_base: str) -> stripe.StripeClient:
    base = {"api": api_base} if api_base else {}
    return stripe.StripeClient(api_key, base_addresses=base, max_network_retries=MAX_NETWORK_RETRIES)


def client() -> stripe.StripeClient:
    """The configured client; settings are read on each call so tests can point it elsewhere."""
    if not settings.STRIPE_SECRET_KEY:
        raise PaymentProviderUnavailable("Payments are not configured (STRIPE_SECRET_KEY is empty).")
    return _client_for(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE or "")


class InvalidPaymentRequest(DomainError):
    code = "invalid_payment_request"


@contextmanager
def _stripe_errors(action: str, *, invalid_param: str | None = None, missing_ok: bool = False) -> Iterator[None]:
    """Translate Stripe's errors. With `invalid_param`, a 4xx refusal is the caller's bad input (400).
    With `missing_ok`, a 404 is an expected answer ("not there yet"), logged at debug, not as an error."""
    try:
        yield
    except stripe.CardError as exc:
        message = exc.user_message or "The card was declined."
        raise CardDeclined(f"{message.rstrip('.')} ({action}). Use another card: POST /v1/billing/payment_methods.",
                           param="payment_method") from exc
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        logger.warning("stripe unavailable during %s: %s", action, exc)
        raise PaymentProviderUnavailable(f"The payment provider is unavailable ({action}); try again shortly.") from exc
    except stripe.StripeError as exc:
        status = getattr(exc, "http_status", None) or 0
        if status >= 500:
            logger.error("stripe failed %s: %s %s", action, status, exc)
            raise PaymentProviderUnavailable(f"The payment provider failed ({action}); try again shortly.") from exc
        if invalid_param and isinstance(exc, stripe.InvalidRequestError):
            raise InvalidPaymentRequest(f"The payment provider refused {invalid_param} ({action}): "
                                        f"{exc.user_message or 'not found or not valid'}.",
                                        param=invalid_param) from exc
        if missing_ok and status == 404 and isinstance(exc, stripe.InvalidRequestError):
            logger.debug("stripe has no such object (%s): %s", action, exc)
        else:
            logger.error("stripe refused %s: %s %s", action, status, exc)
        raise PaymentProviderError(f"The payment provider refused the request ({action}).") from exc


def _opts(idempotency_key: str | None) -> dict:
    return {"idempotency_key": idempotency_key} if idempotency_key else {}


def is_not_found(exc: BaseException) -> bool:
    cause = exc.__cause__ if isinstance(exc, DomainError) else exc
    return isinstance(cause, stripe.InvalidRequestError) and getattr(cause, "http_status", None) == 404


def object_id(value) -> str | None:
    """An id whether Stripe sent the id or the expanded object."""
    if value is None or isinstance(value, str):
        return value
    return value.get("id")


# --- customers and payment methods -----------------------------------------------------------
def customer_create(*, name: str, email: str | None, metadata: dict, idempotency_key: str) -> stripe.Customer:
    params = {"name": name, "metadata": metadata}
    if email:
        params["email"] = email
    with _stripe_errors("create customer"):
        return client().v1.customers.create(params, _opts(idempotency_key))


def payment_method_attach(*, payment_method: str, customer: str) -> stripe.PaymentMethod:
    """Attach and return the attached method. Test ids such as `pm_card_visa` come back as a new pm_… id."""
    with _stripe_errors("attach payment method", invalid_param="payment_method"):
        return client().v1.payment_methods.attach(payment_method, {"customer": customer})


def customer_set_default_payment_method(*, customer: str, payment_method: str) -> stripe.Customer:
    with _stripe_errors("set default payment method"):
        return client().v1.customers.update(
            customer, {"invoice_settings": {"default_payment_method": payment_method}}
        )


# --- products, plans and subscriptions -----------------------------------------------------
def product_retrieve(product_id: str) -> stripe.Product | None:
    try:
        with _stripe_errors("retrieve product", missing_ok=True):
            return client().v1.products.retrieve(product_id)
    except PaymentProviderError as exc:
        if is_not_found(exc):
            return None
        raise


def product_create(*, product_id: str, name: str, metadata: dict) -> stripe.Product:
    with _stripe_errors("create product"):
        return client().v1.products.create({"id": product_id, "name": name, "metadata": metadata})


def product_update(*, product_id: str, name: str, metadata: dict) -> stripe.Product:
    with _stripe_errors("update product"):
        return client().v1.products.update(product_id, {"name": name, "metadata": metadata})


def plan_retrieve(plan_id: str) -> stripe.Plan | None:
    try:
        with _stripe_errors("retrieve plan", missing_ok=True):
            return client().v1.plans.retrieve(plan_id)
    except PaymentProviderError as exc:
        if is_not_found(exc):
            return None
        raise


def plan_create(*, plan_id: str, product_id: str, amount: int, currency: str, interval: str, nickname: str,
                metadata: dict) -> stripe.Plan:
    with _stripe_errors("create plan"):
        return client().v1.plans.create({
            "id": plan_id, "product": product_id, "amount": amount, "currency": currency,
            "interval": interval, "nickname": nickname, "metadata": metadata,
        })


def plan_update(*, plan_id: str, nickname: str, metadata: dict) -> stripe.Plan:
    with _stripe_errors("update plan"):
        return client().v1.plans.update(plan_id, {"nickname": nickname, "metadata": metadata})


def subscription_create(*, customer: str, plan_id: str, metadata: dict, idempotency_key: str) -> stripe.Subscription:
    # localstripe rejects `default_payment_method` here: the customer's invoice_settings carry it.
    # A 404 here usually means the Stripe plans were never created: run `manage.py stripe_sync_plans`.
    with _stripe_errors("subscribe"):
        return client().v1.subscriptions.create(
            {
                "customer": customer,
                "items": [{"plan": plan_id}],
                "metadata": metadata,
                "payment_behavior": "allow_incomplete",
            },
            _opts(idempotency_key),
        )


def subscription_retrieve(subscription_id: str) -> stripe.Subscription:
    with _stripe_errors("retrieve subscription"):
        return client().v1.subscriptions.retrieve(subscription_id)


def subscription_cancel_now(subscription_id: str) -> stripe.Subscription:
    with _stripe_errors("cancel subscription"):
        return client().v1.subscriptions.cancel(subscription_id)


def subscription_cancel_at_period_end(subscription_id: str) -> stripe.Subscription:
    with _stripe_errors("cancel subscription at period end"):
        return client().v1.subscriptions.update(subscription_id, {"cancel_at_period_end": True})


def subscription_period(sub) -> tuple[int | None, int | None]:
    """(start, end) as unix seconds, from the subscription (old API) or its first item (2025 API)."""
    start, end = sub.get("current_period_start"), sub.get("current_period_end")
    if start is None or end is None:
        items = (sub.get("items") or {}).get("data") or []
        if items:
            start, end = items[0].get("current_period_start"), items[0].get("current_period_end")
    return start, end


def invoice_subscription_id(invoice) -> str | None:
    sub = invoice.get("subscription")
    if sub:
        return object_id(sub)
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return object_id(details.get("subscription"))


# --- payment intents (job payments) ----------------------------------------------------------
def payment_intent_authorize(*, amount: int, currency: str, customer: str, payment_method: str, metadata: dict,
                             idempotency_key: str) -> stripe.PaymentIntent:
    """Place a hold (capture_method=manual) on the customer's saved card, off-session."""
    with _stripe_errors("authorise payment"):
        return client().v1.payment_intents.create(
            {
                "amount": amount,
                "currency": currency,
                "customer": customer,
                "payment_method": payment_method,
                "payment_method_types": ["card"],
                "capture_method": "manual",
                "confirm": True,
                "off_session": True,
                "metadata": metadata,
            },
            _opts(idempotency_key),
        )


def payment_intent_retrieve(payment_intent_id: str) -> stripe.PaymentIntent:
    with _stripe_errors("retrieve payment"):
        return client().v1.payment_intents.retrieve(payment_intent_id)


def payment_intent_capture(payment_intent_id: str, *, idempotency_key: str) -> stripe.PaymentIntent:
    with _stripe_errors("capture payment"):
        return client().v1.payment_intents.capture(payment_intent_id, {}, _opts(idempotency_key))


def payment_intent_cancel(payment_intent_id: str, *, idempotency_key: str) -> stripe.PaymentIntent:
    # localstripe accepts no parameters here (not even cancellation_reason).
    with _stripe_errors("release payment"):
        return client().v1.payment_intents.cancel(payment_intent_id, {}, _opts(idempotency_key))


def refund_create(*, payment_intent: str, amount: int, metadata: dict, idempotency_key: str) -> stripe.Refund:
    with _stripe_errors("refund payment"):
        return client().v1.refunds.create(
            {"payment_intent": payment_intent, "amount": amount, "metadata": metadata}, _opts(idempotency_key)
        )


# --- Connect transfers (provider payouts) ------------------------------------------------------
def transfer_create(*, amount: int, currency: str, destination: str, metadata: dict,
                    idempotency_key: str) -> stripe.Transfer:
    """A Stripe Connect transfer to a provider's connected account (acct_…).

    localstripe has no Connect: this is exercised against real Stripe only; tests check it at the HTTP
    boundary with the SDK's http client replaced (tests/payments/test_payouts.py).
    """
    with _stripe_errors("transfer to provider"):
        return client().v1.transfers.create(
            {"amount": amount, "currency": currency, "destination": destination, "metadata": metadata},
            _opts(idempotency_key),
        )


# --- webhooks ---------------------------------------------------------------------------------
class WebhookSignatureInvalid(DomainError):
    code = "invalid_signature"


def webhook_event_construct(*, payload: bytes, signature: str | None) -> dict:
    """Verify Stripe's signature on the raw body (with the configured tolerance) and parse the event."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        logger.error("STRIPE_WEBHOOK_SECRET is empty: refusing every webhook")
        raise PaymentProviderUnavailable("Webhooks are not configured.", code="webhook_not_configured")
    if not signature:
        raise WebhookSignatureInvalid("Missing Stripe-Signature header.", param="Stripe-Signature",
                                      code="missing_signature")
    try:
        # Verify first, then parse ourselves: stripe.Webhook.construct_event would build an Event from
        # whatever the JSON holds, and a correctly signed list or a deeply nested body made it raise a 500.
        text = payload.decode("utf-8") if isinstance(payload, bytes) else payload
        stripe.WebhookSignature.verify_header(text, signature, secret, tolerance=settings.STRIPE_WEBHOOK_TOLERANCE)
        data = json.loads(text)
    except stripe.SignatureVerificationError as exc:
        raise WebhookSignatureInvalid(f"Invalid Stripe signature: {exc.user_message or exc}",
                                      param="Stripe-Signature") from exc
    except (ValueError, RecursionError) as exc:  # bad JSON, a body that is not UTF-8, nesting past the limit
        raise DomainError("The webhook body is not valid JSON.", code="invalid_payload") from exc
    if not isinstance(data, dict):
        raise DomainError("The webhook body is not a Stripe event.", code="invalid_payload")
    if not data.get("id") or not data.get("type"):
        raise DomainError("The webhook body is not a Stripe event.", code="invalid_payload")
    return data
