"""Provider balances and payouts through the payout adapter (payments/payouts.py)."""
from __future__ import annotations

from django.db import transaction

from accounts.models import Organization, OrganizationKind, User
from accounts.services import audit_record
from core.errors import Conflict, DomainError, NotAllowed
from core.ids import new_public_id

from ..ledger import account_balance, ledger_post
from ..models import (
    ACCOUNT_PAYOUTS,
    LedgerKind,
    PayoutAccount,
    PayoutStatus,
    ProviderPayout,
    provider_account,
)


# --- payouts ----------------------------------------------------------------------------------
def provider_balance(*, provider: Organization, currency: str = "usd") -> int:
    return account_balance(account=provider_account(provider), currency=currency.lower())


@transaction.atomic
def payout_account_set(*, organization: Organization, stripe_account_id: str, actor: User | None) -> PayoutAccount:
    if organization.kind != OrganizationKind.PROVIDER:
        raise NotAllowed("Only provider organisations receive payouts.", code="not_a_provider")
    if not stripe_account_id.startswith("acct_"):
        raise DomainError("A Stripe Connect account id starts with acct_.", param="stripe_account_id",
                          code="invalid_account")
    account, _ = PayoutAccount.objects.update_or_create(organization=organization,
                                                        defaults={"stripe_account_id": stripe_account_id})
    audit_record(action="payout.account_set", actor=actor, organization=organization, target=account,
                 stripe_account_id=stripe_account_id)
    return account


@transaction.atomic
def provider_payout_create(*, provider: Organization, actor: User | None, currency: str = "usd",
                           amount: int | None = None) -> ProviderPayout:
    """Pay a provider's balance (or part of it) to their Stripe Connect account, through the payout adapter."""
    from ..payouts import payouts_adapter

    currency = currency.lower()
    account = PayoutAccount.objects.select_for_update().filter(organization=provider).first()
    if account is None:
        raise Conflict(f"{provider} has no Stripe Connect account for payouts yet.", code="payout_account_missing")
    balance = provider_balance(provider=provider, currency=currency)
    amount = balance if amount is None else int(amount)
    if not 0 < amount <= balance:
        raise DomainError(f"The payout must be between 1 and the balance ({balance} {currency}).", param="amount",
                          code="invalid_amount")
    public_id = new_public_id("pout_")
    transfer = payouts_adapter().transfer(
        amount=amount, currency=currency, destination=account.stripe_account_id,
        metadata={"tm_payout": public_id, "tm_provider": provider.public_id},
        idempotency_key=f"payout-{public_id}",
    )
    payout = ProviderPayout.objects.create(
        public_id=public_id, provider=provider, amount=amount, currency=currency,
        destination=account.stripe_account_id, status=PayoutStatus.PAID, transfer_id=transfer["id"], actor=actor,
    )
    ledger_post(
        key=f"payout:{payout.public_id}", kind=LedgerKind.PAYOUT, currency=currency, payout=payout,
        memo=f"Payout to {account.stripe_account_id}",
        entries=[(provider_account(provider), -amount), (ACCOUNT_PAYOUTS, amount)],
    )
    audit_record(action="payout.created", actor=actor, organization=provider, target=payout, amount=amount,
                 currency=currency, transfer=transfer["id"])
    return payout
