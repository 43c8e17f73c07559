"""Every kind of mail Tunemarket sends, who receives it and its words (plain Python, no Django models).

A kind's ``subject`` and ``body`` are ``str.format`` templates filled from the context the caller passes
to ``notifications.services.notify``; a missing key is a programming error and raises at once, inside
the caller's transaction, so it is found by the caller's tests and never sends half a mail.

To add an event: add a kind here, call ``notify(kind, ...)`` at the one place the event happens, and
add it to the table in docs/notifications.md.
"""
from __future__ import annotations

from dataclasses import dataclass

PROVIDER = "provider"
CUSTOMER = "customer"


@dataclass(frozen=True)
class Kind:
    audience: str | tuple[str, ...]  # PROVIDER and/or CUSTOMER: the organisation kinds whose members receive it
    label: str     # what the dashboard's preferences form calls it
    subject: str
    body: str
    required: bool = False  # a safety notice: always sent, not offered on the preferences form

    @property
    def audiences(self) -> tuple[str, ...]:
        return (self.audience,) if isinstance(self.audience, str) else tuple(self.audience)


KINDS: dict[str, Kind] = {
    # --- to the provider's members -----------------------------------------------------------------
    "new_request": Kind(
        PROVIDER, "A customer orders one of my listings",
        "Tunemarket: new request {job} for {listing}",
        "{customer} ordered \"{listing}\" (job {job}).\n\nUse case: {use_case}\n\n"
        "Accept or decline it in your inbox: {url}\n",
    ),
    "delivery_accepted": Kind(
        PROVIDER, "A customer accepts a delivered model",
        "Tunemarket: {customer} accepted delivery of {job}",
        "{customer} accepted delivery of the model from job {job} (\"{listing}\").\n\nThe job: {url}\n",
    ),
    "payment_captured": Kind(
        PROVIDER, "A payment for my work is captured",
        "Tunemarket: payment captured for {job}",
        "The payment for job {job} (\"{listing}\") was captured: {amount}, of which {earned} is yours "
        "after the platform fee.\n\nYour earnings: {url}\n",
    ),
    # Sent by the specialist-model licence service: notify("specialist_licensed", obj=licence,
    # organization=<the provider org>, context={"model", "customer", "url"}).
    "specialist_licensed": Kind(
        PROVIDER, "An organisation licenses one of my specialist models",
        "Tunemarket: {customer} licensed {model}",
        "{customer} licensed your specialist model {model}.\n\n{url}\n",
    ),
    # --- to the customer's members -----------------------------------------------------------------
    "provider_answered": Kind(
        CUSTOMER, "The provider accepts or declines my job",
        "Tunemarket: {provider} {answer} job {job}",
        "{provider} {answer} your job {job} (\"{listing}\").\n\n{detail}\n\nThe job: {url}\n",
    ),
    "review_decided": Kind(
        CUSTOMER, "The safety review of my request is decided",
        "Tunemarket: your request {job} was {outcome} in review",
        "The safety review of your request {job} (\"{listing}\") is decided: {outcome}.\n\n"
        "Reasons:\n{reasons}\n\n{detail}\n\nThe job: {url}\n",
    ),
    "training_finished": Kind(
        CUSTOMER, "Training of my model finishes",
        "Tunemarket: training finished for {job}",
        "Training of job {job} (\"{listing}\") finished: {summary}\n\n"
        "The model is being evaluated against its base model now; nothing is released before the gate passes.\n\n"
        "The job: {url}\n",
    ),
    "gate_verdict": Kind(
        CUSTOMER, "The release gate gives its verdict",
        "Tunemarket: the release gate's verdict for {job}: {verdict}",
        "The release gate's verdict for job {job} (\"{listing}\"): {verdict}.\n\n{detail}\n\n"
        "Reasons:\n{reasons}\n\nThe evaluation report: {url}\n",
    ),
    "delivery_ready": Kind(
        CUSTOMER, "My model is ready for delivery",
        "Tunemarket: your model from {job} is ready",
        "Your model {model} (job {job}, \"{listing}\") passed the release gate and is ready.\n\n"
        "Try it and accept delivery on the job page: {url}\n",
    ),
    # --- to both: a released model's status moved (suspended, reinstated, revoked) -------------------
    # A safety notice, so nobody can turn it off: the model's owner and its provider always hear of it.
    "model_status": Kind(
        (CUSTOMER, PROVIDER), "A released model is suspended, reinstated or revoked",
        "Tunemarket: model {model} is now {status}",
        "The model {model} (job {job}) is now {status}.\n\nReason: {reason}\n{detail}",
        required=True,
    ),
}

AUDIENCES = (PROVIDER, CUSTOMER)


def kinds_for(audience: str) -> list[str]:
    """The kinds a member of an `audience` organisation may choose to receive (required ones are not a choice)."""
    return [name for name, kind in KINDS.items() if audience in kind.audiences and not kind.required]
