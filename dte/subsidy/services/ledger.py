"""A small double-entry ledger in integer fen (own, not django-hordak: see docs/subsidy.md).

Accounts: `expense` (subsidy expense of a province's budget year), `payable` (owed to a payee for
a line), `bank` (the subsidy bank account), `receivable` (recoveries owed by an institution).
Postings: authorise (Dr expense / Cr payable), pay (Dr payable / Cr bank), recover (Dr receivable
/ Cr expense), repay (Dr bank / Cr receivable). Debits are positive, credits negative; each
transaction sums to zero. Every transaction has a unique `key` (one posting per event, so a
retried payment cannot post twice) and is hash-chained to the previous one; rows are
append-only (PostgreSQL trigger, migration 0002). `verify()` recomputes everything.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ..models import ClaimLine, LedgerEntry, LedgerHead, LedgerTransaction, PaymentItem, Recovery

GENESIS = "0" * 64


def _digest(prev_hash: str, tx: LedgerTransaction, entries: list[tuple[str, int]]) -> str:
    payload = {
        "prev": prev_hash, "id": tx.pk, "kind": tx.kind, "province": str(tx.province_id), "year": tx.budget_year,
        "institution": tx.institution_id, "line": tx.line_id, "key": tx.key, "memo": tx.memo,
        "at": tx.created_at.isoformat(), "entries": sorted(entries),
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def post(kind: str, key: str, *, line: ClaimLine, amount_fen: int, debit: str, credit: str, memo: str, by=None) -> LedgerTransaction:
    """Post one balanced transaction, once per key (a second call returns the first posting)."""
    if amount_fen <= 0:
        raise ValueError("ledger amounts are positive; the accounts carry the direction")
    with transaction.atomic():
        head, _ = LedgerHead.objects.get_or_create(pk=1)
        head = LedgerHead.objects.select_for_update().get(pk=1)
        existing = LedgerTransaction.objects.filter(key=key).first()
        if existing is not None:
            return existing
        claim = line.claim
        tx = LedgerTransaction.objects.create(
            kind=kind, key=key, province_id=claim.province_id, budget_year=claim.budget_year, institution_id=claim.institution_id,
            line=line, memo=memo[:255], created_by=by, created_at=timezone.now(), prev_hash=head.hash, hash="",
        )
        entries = [(debit, amount_fen), (credit, -amount_fen)]
        LedgerEntry.objects.bulk_create([LedgerEntry(transaction=tx, account=a, amount_fen=v) for a, v in entries])
        tx.hash = _digest(head.hash, tx, entries)
        LedgerTransaction.objects.filter(pk=tx.pk).update(hash=tx.hash)
        head.hash = tx.hash
        head.save(update_fields=["hash"])
        return tx


def balances(*, line=None, institution=None, province=None, budget_year=None) -> dict[str, int]:
    """Account balances (fen) over the entries matching the dimensions given."""
    rows = LedgerEntry.objects.all()
    if line is not None:
        rows = rows.filter(transaction__line=line)
    if institution is not None:
        rows = rows.filter(transaction__institution=institution)
    if province is not None:
        rows = rows.filter(transaction__province_id=getattr(province, "pk", province))
    if budget_year is not None:
        rows = rows.filter(transaction__budget_year=budget_year)
    return {r["account"]: r["total"] for r in rows.values("account").annotate(total=Sum("amount_fen")).order_by("account")}


@dataclass
class Verification:
    transactions: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


UNPAID_AUTHORISED = ("authorised", "released", "in_batch", "failed")


def verify() -> Verification:
    """Prove the ledger: every transaction balances and is unchanged (hash chain); per claim line,
    per institution and per budget year the balances equal what the claim, payment and recovery
    records say."""
    result = Verification()
    entries: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for tx_id, account, amount in LedgerEntry.objects.values_list("transaction_id", "account", "amount_fen").order_by("pk"):
        entries[tx_id].append((account, amount))
    prev = GENESIS
    by_line: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_institution: dict[int, int] = defaultdict(int)
    by_year: dict[tuple, int] = defaultdict(int)
    for tx in LedgerTransaction.objects.order_by("pk").iterator():
        result.transactions += 1
        rows = entries.pop(tx.pk, [])
        if len(rows) < 2 or sum(v for _, v in rows) != 0:
            result.problems.append(f"transaction {tx.pk} ({tx.key}) does not balance: {rows}")
        if tx.prev_hash != prev:
            result.problems.append(f"transaction {tx.pk} ({tx.key}) is not chained to its predecessor")
        if _digest(tx.prev_hash, tx, rows) != tx.hash:
            result.problems.append(f"transaction {tx.pk} ({tx.key}) was changed after posting (hash mismatch)")
        prev = tx.hash
        for account, amount in rows:
            by_line[tx.line_id][account] += amount
            if account == "receivable":
                by_institution[tx.institution_id] += amount
            if account == "expense":
                by_year[(str(tx.province_id), tx.budget_year)] += amount
    for tx_id in entries:
        result.problems.append(f"entries of missing transaction {tx_id}")
    head = LedgerHead.objects.filter(pk=1).first()
    if head is not None and head.hash != prev:
        result.problems.append("the ledger head does not match the last transaction (a transaction was removed)")
    _check_records(result, by_line, by_institution, by_year)
    return result


def _check_records(result: Verification, by_line, by_institution, by_year) -> None:
    recovered = defaultdict(int)
    for line_id, amount in Recovery.objects.values_list("line_id", "amount_fen"):
        recovered[line_id] += amount
    paid = set(PaymentItem.objects.filter(status="paid").values_list("line_id", flat=True))
    expected_year: dict[tuple, int] = defaultdict(int)
    lines = ClaimLine.objects.filter(status__in=("paid", *UNPAID_AUTHORISED)).values_list(
        "pk", "status", "amount_fen", "claim__province_id", "claim__budget_year")
    for pk, status, amount, province, year in lines:
        expected_year[(str(province), year)] += amount - recovered[pk]
        account = by_line.pop(pk, {})
        expense = account.get("expense", 0)
        if expense != amount - recovered[pk]:
            result.problems.append(f"line {pk}: expense {expense} fen, records say {amount - recovered[pk]} fen")
        payable = account.get("payable", 0)
        want = 0 if pk in paid else -amount
        if payable != want:
            result.problems.append(f"line {pk}: payable {payable} fen, records say {want} fen")
    for line_id, account in by_line.items():
        if any(account.values()):
            result.problems.append(f"line {line_id}: ledger has postings but the line is not authorised or paid")
    open_by_institution = defaultdict(int)
    for institution_id, amount in Recovery.objects.filter(status="open").values_list("line__claim__institution_id", "amount_fen"):
        open_by_institution[institution_id] += amount
    for institution_id in set(open_by_institution) | set(by_institution):
        if by_institution.get(institution_id, 0) != open_by_institution.get(institution_id, 0):
            result.problems.append(f"institution {institution_id}: receivable {by_institution.get(institution_id, 0)} fen, "
                                   f"open recoveries {open_by_institution.get(institution_id, 0)} fen")
    for key in set(expected_year) | set(by_year):
        if by_year.get(key, 0) != expected_year.get(key, 0):
            result.problems.append(f"budget {key[0]} {key[1]}: expense {by_year.get(key, 0)} fen, records say {expected_year.get(key, 0)} fen")
