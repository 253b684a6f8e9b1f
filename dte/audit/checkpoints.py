"""Signed checkpoints of the audit chain, exported outside the database (issue 8, finding 5).

A checkpoint records the chain's last sequence number, that event's hash and the time, signed
with an HMAC key derived from DTE_AUDIT_KEY. It is written as a JSON file to
DTE_AUDIT_CHECKPOINT_DIR (default var/audit-checkpoints/; in production a directory on another
host or a write-once mount), daily by Celery beat and on demand with `dte audit checkpoint`.
`dte audit verify` then checks the database against every checkpoint: an event at a checkpointed
sequence number that is missing (the tail cut off and the chain head moved back) or whose hash
differs (history rewritten) is reported, as is a checkpoint file whose signature does not match.
Events appended after the latest checkpoint are protected by the keyed chain only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import timezone as dt_timezone
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .keys import purpose_key
from .models import AuditChainHead, AuditEvent
from .services import GENESIS, ChainProblem, audit_verify_chain

VERSION = 1


class CheckpointRefused(RuntimeError):
    """The chain does not verify: a checkpoint would certify tampered history."""


@dataclass(frozen=True)
class Checkpoint:
    path: Path
    seq: int
    hash: str
    created_at: str
    signature_ok: bool


def checkpoint_dir() -> Path:
    return Path(settings.DTE_AUDIT_CHECKPOINT_DIR)


def _canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _sign(body: dict) -> str:
    return hmac.new(purpose_key(b"checkpoint"), _canonical(body), hashlib.sha256).hexdigest()


def checkpoint_create() -> Checkpoint:
    """Verify the chain, then export its head as a signed file. Refuses when the chain is broken."""
    problems = audit_verify_chain()
    if problems:
        raise CheckpointRefused(f"audit chain broken ({len(problems)} problem(s)); first: {problems[0]}")
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        seq, digest = (head.seq, head.hash) if head else (0, GENESIS)
    now = timezone.now().astimezone(dt_timezone.utc)
    body = {"version": VERSION, "seq": seq, "hash": digest, "created_at": now.isoformat()}
    directory = checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"checkpoint-{seq:012d}-{now.strftime('%Y%m%dT%H%M%S%fZ')}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({**body, "signature": _sign(body)}, indent=1) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return Checkpoint(path, seq, digest, body["created_at"], True)


def checkpoints_load() -> list[Checkpoint]:
    """Every checkpoint file, oldest first; unreadable or wrongly signed files have signature_ok=False."""
    directory = checkpoint_dir()
    if not directory.is_dir():
        return []
    found = []
    for path in sorted(directory.glob("checkpoint-*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            body = {key: data[key] for key in ("version", "seq", "hash", "created_at")}
            signature_ok = hmac.compare_digest(str(data.get("signature", "")), _sign(body))
            found.append(Checkpoint(path, int(body["seq"]), str(body["hash"]), str(body["created_at"]), signature_ok))
        except (ValueError, KeyError, TypeError, OSError):
            found.append(Checkpoint(path, 0, "", "", False))
    return sorted(found, key=lambda c: (c.seq, c.created_at))


def checkpoint_problems(checkpoints: list[Checkpoint] | None = None) -> list[ChainProblem]:
    """Compare the database with every signed checkpoint (the latest one last)."""
    problems: list[ChainProblem] = []
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    for checkpoint in checkpoints if checkpoints is not None else checkpoints_load():
        if not checkpoint.signature_ok:
            problems.append(ChainProblem(checkpoint.seq, "forged", f"checkpoint {checkpoint.path.name} has no valid signature"))
            continue
        if checkpoint.seq == 0:
            continue
        row = AuditEvent.objects.filter(seq=checkpoint.seq).values_list("hash", flat=True).first()
        if row is None or head_seq < checkpoint.seq:
            problems.append(ChainProblem(
                checkpoint.seq, "truncated",
                f"checkpoint {checkpoint.path.name} ({checkpoint.created_at}) certified events up to seq={checkpoint.seq}; "
                f"the database now ends at seq={head_seq}",
            ))
        elif not hmac.compare_digest(row, checkpoint.hash):
            problems.append(ChainProblem(
                checkpoint.seq, "rewritten",
                f"event differs from the one certified by checkpoint {checkpoint.path.name} ({checkpoint.created_at})",
            ))
    return problems
