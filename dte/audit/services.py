"""Writing to and verifying the audit trail."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timezone as dt_timezone

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .context import current_actor
from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _json_safe(value):
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def event_hash(fields: dict) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict:
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.astimezone(dt_timezone.utc).isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "ip": event.ip,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "division_code": event.division_code,
        "organisation_id": event.organisation_id,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }


def audit_record(
    action: str,
    *,
    obj=None,
    before: dict | None = None,
    after: dict | None = None,
    actor=None,
    ip: str | None = None,
    division_code: str = "",
    organisation_id: int | None = None,
) -> AuditEvent:
    """Append one event. `actor`/`ip` default to the current request or command.

    The chain head stays locked until the surrounding transaction commits, so that events
    are chained in commit order; call this as the last step of a transaction (after the
    domain rows are locked and written) to keep that lock short and the lock order fixed."""
    context = current_actor()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            actor_id=actor.pk if actor is not None else context.user_id,
            actor_label=actor.get_username() if actor is not None else context.label,
            ip=ip or context.ip or "",
            action=action,
            object_type=obj._meta.label if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            division_code=division_code,
            organisation_id=organisation_id,
            before=_json_safe(before),
            after=_json_safe(after),
            prev_hash=head.hash,
        )
        event.hash = event_hash(_hashed_fields(event))
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # edited | deleted | reordered | truncated
    detail: str

    def __str__(self) -> str:
        return f"row seq={self.seq}: {self.kind} — {self.detail}"


def audit_verify() -> list[ChainProblem]:
    """Recompute the chain; return every problem found (empty list = intact)."""
    problems: list[ChainProblem] = []
    expected_seq, previous_hash = 1, GENESIS
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            problems.append(ChainProblem(expected_seq, "deleted", f"rows {expected_seq}..{event.seq - 1} are missing"))
        if event_hash(_hashed_fields(event)) != event.hash:
            problems.append(ChainProblem(event.seq, "edited", "content no longer matches its hash"))
        elif event.prev_hash != previous_hash:
            problems.append(ChainProblem(event.seq, "reordered", "does not follow the row before it in the chain"))
        expected_seq, previous_hash = event.seq + 1, event.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and head.seq >= expected_seq:
        problems.append(ChainProblem(expected_seq, "truncated", f"rows {expected_seq}..{head.seq} are missing at the end"))
    return problems
