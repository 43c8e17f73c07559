"""The earnings ledger: double entry, immutable, idempotent by key.

Accounts:
    customer_payments      money received from customers (negative: received, positive: given back)
    provider:<org id>      what the platform owes a provider (their balance)
    platform_fees          the platform's fee income
    payouts                money sent to providers through Stripe Connect

Every posting is one LedgerTransaction whose entries sum to zero, with a unique `key`
("capture:jpay_…", "refund:jref_…", "payout:pout_…") so a retried capture, a replayed webhook or a
second click posts nothing new.
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Sum

from .models import LedgerEntry, LedgerTransaction


class LedgerUnbalanced(ValueError):
    pass


def ledger_post(*, key: str, kind: str, currency: str, entries: Iterable[tuple[str, int]], memo: str = "",
                job_payment=None, refund=None, payout=None) -> LedgerTransaction:
    """Post a balanced transaction once. Returns the existing one when `key` was already posted."""
    legs = [(account, int(amount)) for account, amount in entries if int(amount) != 0]
    if sum(amount for _, amount in legs) != 0:
        raise LedgerUnbalanced(f"Ledger transaction {key} does not balance: {legs}")
    existing = LedgerTransaction.objects.filter(key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            txn = LedgerTransaction.objects.create(
                key=key, kind=kind, currency=currency, memo=memo[:255],
                job_payment=job_payment, refund=refund, payout=payout,
            )
            LedgerEntry.objects.bulk_create(
                [LedgerEntry(transaction=txn, account=account, amount=amount, currency=currency)
                 for account, amount in legs]
            )
    except IntegrityError:
        return LedgerTransaction.objects.get(key=key)
    return txn


def account_balance(*, account: str, currency: str) -> int:
    total = LedgerEntry.objects.filter(account=account, currency=currency).aggregate(total=Sum("amount"))["total"]
    return int(total or 0)
