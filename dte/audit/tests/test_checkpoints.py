"""Issue 8, finding 5: a keyed chain and signed checkpoints outside the database.

The two attacks from the issue, done with raw SQL as someone with database access would:
(a) cut off the tail and move the chain head back; (b) rewrite an event and recompute every later hash."""

import hashlib
import json
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dte.audit.checkpoints import CheckpointRefused, checkpoint_create, checkpoints_load
from dte.audit.models import AuditEvent
from dte.audit.services import _hashed_fields, audit_record, audit_verify, audit_verify_chain
from dte.organisations.tests.factories import OrganisationFactory

from .test_chain import raw

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def checkpoint_dir(settings, tmp_path):
    settings.DTE_AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    return settings.DTE_AUDIT_CHECKPOINT_DIR


@pytest.fixture
def chain():
    org = OrganisationFactory()
    for n in range(5):
        audit_record("test.change", obj=org, before={"n": n}, after={"n": n + 1}, ip="10.0.0.1")
    return list(AuditEvent.objects.order_by("seq"))


def canonical(fields: dict) -> bytes:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def set_head(seq: int, digest: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditchainhead SET seq = %s, hash = %s WHERE id = 1", [seq, digest])


def test_checkpoint_is_a_signed_file_outside_the_database(chain, checkpoint_dir):
    checkpoint = checkpoint_create()
    assert checkpoint.path.parent == checkpoint_dir and checkpoint.seq == 5 and checkpoint.hash == chain[-1].hash
    data = json.loads(checkpoint.path.read_text())
    assert set(data) == {"version", "seq", "hash", "created_at", "signature"} and len(data["signature"]) == 64
    assert audit_verify() == []


def test_truncated_tail_with_head_moved_back_is_detected(chain):
    checkpoint_create()
    raw("DELETE FROM audit_auditevent WHERE seq >= 4")
    set_head(3, chain[2].hash)
    assert audit_verify_chain() == []  # the database alone looks intact: what `verify` used to check
    problems = audit_verify()
    assert [(p.seq, p.kind) for p in problems] == [(5, "truncated")]
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_rewrite_recomputing_every_later_hash_without_the_key_is_detected(chain):
    """The attacker rewrites event 3 and re-chains 3..5 with the (public) unkeyed SHA-256 recipe."""
    previous = chain[1].hash
    for event in chain[2:]:
        if event.seq == 3:
            event.ip = "192.0.2.66"
        event.prev_hash = previous
        digest = hashlib.sha256(canonical(_hashed_fields(event))).hexdigest()
        raw("UPDATE audit_auditevent SET ip = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [event.ip, previous, digest, event.seq])
        previous = digest
    set_head(5, previous)
    assert {(p.seq, p.kind) for p in audit_verify_chain()} >= {(3, "edited"), (4, "edited"), (5, "edited")}


def test_rewrite_with_the_key_is_still_caught_by_the_checkpoint(chain, settings):
    """Even an insider holding the key cannot rewrite history older than an exported checkpoint."""
    from dte.audit.services import event_hash

    checkpoint_create()
    previous = chain[1].hash
    for event in chain[2:]:
        if event.seq == 3:
            event.actor_label = "someone-else"
        event.prev_hash = previous
        digest = event_hash(_hashed_fields(event))
        raw("UPDATE audit_auditevent SET actor_label = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [event.actor_label, previous, digest, event.seq])
        previous = digest
    set_head(5, previous)
    assert audit_verify_chain() == []
    assert [(p.seq, p.kind) for p in audit_verify()] == [(5, "rewritten")]


def test_forged_checkpoint_is_reported(chain, checkpoint_dir):
    checkpoint = checkpoint_create()
    data = json.loads(checkpoint.path.read_text())
    data["seq"] = 2
    checkpoint.path.write_text(json.dumps(data))
    assert [c.signature_ok for c in checkpoints_load()] == [False]
    assert [p.kind for p in audit_verify()] == ["forged"]


def test_a_broken_chain_is_never_certified(chain, checkpoint_dir):
    raw("UPDATE audit_auditevent SET ip = %s WHERE seq = 2", ["192.168.1.1"])
    with pytest.raises(CheckpointRefused):
        checkpoint_create()
    assert not checkpoint_dir.exists() or not list(checkpoint_dir.iterdir())
    with pytest.raises(CommandError):
        call_command("audit", "checkpoint")


def test_command_and_daily_schedule(chain, capsys, settings):
    call_command("audit", "checkpoint")
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "seq=5" in out and "1 checkpoint(s) match" in out
    scheduled = {entry.get("args", [None])[0] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "audit.checkpoint" in scheduled
    from dte.jobs.models import Job
    from dte.jobs.tasks import start_scheduled

    assert start_scheduled("audit.checkpoint") == Job.Status.SUCCEEDED
    assert len(checkpoints_load()) == 2


def test_migration_rekeys_an_intact_legacy_chain_and_refuses_a_broken_one(chain):
    """0004 turns the old unkeyed SHA-256 chain into the keyed one."""
    migration = import_module("dte.audit.migrations.0004_rekey_chain_hmac")
    previous = "0" * 64
    for event in chain:  # rewrite the rows as the old code had written them
        event.prev_hash = previous
        digest = hashlib.sha256(canonical(_hashed_fields(event))).hexdigest()
        raw("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s", [previous, digest, event.seq])
        previous = digest
    set_head(5, previous)
    assert audit_verify_chain()  # legacy hashes do not pass as keyed ones
    editor = SimpleNamespace(connection=connection)  # all the migration uses of its schema editor
    migration.forwards(apps, editor)
    assert audit_verify_chain() == []
    raw("UPDATE audit_auditevent SET ip = %s WHERE seq = 2", ["192.168.1.1"])
    with pytest.raises(RuntimeError, match="does not verify"):
        migration.forwards(apps, editor)
