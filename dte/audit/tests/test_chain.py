import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dte.audit.models import AppendOnlyError, AuditEvent
from dte.audit.services import audit_record, audit_record_many, audit_verify
from dte.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    org = OrganisationFactory()
    for n in range(5):
        audit_record("test.change", obj=org, before={"n": n}, after={"n": n + 1}, ip="10.0.0.1")
    return list(AuditEvent.objects.order_by("seq"))


def raw(sql: str, params=()):
    """Tamper the way an attacker with database access would, bypassing the ORM
    (and, on PostgreSQL, the append-only trigger)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def test_intact_chain_verifies(chain):
    assert audit_verify() == []
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[1].prev_hash == chain[0].hash
    call_command("audit", "verify")


def test_edited_row_is_named(chain):
    raw("UPDATE audit_auditevent SET ip = %s WHERE seq = 3", ["192.168.1.1"])
    problems = audit_verify()
    assert [(p.seq, p.kind) for p in problems] == [(3, "edited")]
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_edited_json_payload_is_named(chain):
    raw("UPDATE audit_auditevent SET after = %s WHERE seq = 2", ['{"n": 999}'])
    assert [(p.seq, p.kind) for p in audit_verify()] == [(2, "edited")]


def test_deleted_row_is_named(chain):
    raw("DELETE FROM audit_auditevent WHERE seq = 4")
    kinds = {(p.seq, p.kind) for p in audit_verify()}
    assert (4, "deleted") in kinds


def test_truncated_tail_is_detected(chain):
    raw("DELETE FROM audit_auditevent WHERE seq = 5")
    assert [(p.seq, p.kind) for p in audit_verify()] == [(5, "truncated")]


def test_reordered_rows_are_named(chain):
    # Swap two rows' positions: renumber 2 → 0, 3 → 2, 0 → 3.
    raw("UPDATE audit_auditevent SET seq = 0 WHERE seq = 2")
    raw("UPDATE audit_auditevent SET seq = 2 WHERE seq = 3")
    raw("UPDATE audit_auditevent SET seq = 3 WHERE seq = 0")
    flagged = {p.seq for p in audit_verify()}
    assert {2, 3} <= flagged


def test_orm_cannot_rewrite_history(chain):
    event = chain[0]
    event.ip = "1.2.3.4"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(seq=1).update(ip="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger exists on PostgreSQL only")
def test_postgres_trigger_refuses_raw_update(chain):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET ip = 'x' WHERE seq = 1")


def test_request_actor_and_ip_are_recorded(client):
    from dte.organisations.tests.factories import UserFactory
    from dte.audit.context import actor_from_user, reset_actor, set_actor

    user = UserFactory()
    token = set_actor(actor_from_user(user, "203.0.113.9"))
    try:
        event = audit_record("test.ctx", obj=user.organisation)
    finally:
        reset_actor(token)
    assert (event.actor_id, event.ip, event.actor_label) == (user.pk, "203.0.113.9", user.username)


def test_audit_page_is_scoped(client, chain):
    from dte.organisations.roles import Role
    from dte.organisations.tests.factories import UserFactory, division

    auditor = UserFactory(role=Role.AUDITOR, organisation__division=division("140000"))
    audit_record("test.visible", division_code="140100")
    audit_record("test.elsewhere", division_code="120100")
    client.force_login(auditor)
    body = client.get("/audit/").content.decode()
    assert "test.visible" in body and "test.elsewhere" not in body


def test_batched_events_are_the_same_events_and_verify(chain):
    """audit_record_many (bulk operations, issue 10): one event per entry, chained after the
    existing ones exactly as audit_record would chain them, and `audit verify` accepts them."""
    orgs = [OrganisationFactory() for _ in range(3)]
    events = audit_record_many("test.bulk", [{"obj": o, "after": {"i": i}} for i, o in enumerate(orgs)], ip="10.0.0.2")
    audit_record("test.change", obj=orgs[0], after={"n": 9})
    stored = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in stored] == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert [(e.object_id, e.after, e.action, e.ip) for e in stored[5:8]] == [
        (str(o.pk), {"i": i}, "test.bulk", "10.0.0.2") for i, o in enumerate(orgs)]
    assert stored[5].prev_hash == chain[-1].hash and stored[8].prev_hash == events[-1].hash
    assert [e.organisation_id for e in stored[5:8]] == [o.pk for o in orgs]
    assert audit_verify() == []
    call_command("audit", "verify")
    assert audit_record_many("test.bulk", []) == []


def test_jurisdiction_is_read_before_the_chain_head_is_locked(monkeypatch, chain):
    """The chain head is a lock every writer waits for: the object's jurisdiction (a query) is read before
    it is taken, for one event and for a batch; the events still carry it and the chain verifies."""
    from dte.audit import services

    calls = []
    jurisdiction_of, locked_head = services.jurisdiction_of, services._locked_head
    monkeypatch.setattr(services, "jurisdiction_of", lambda obj: calls.append("jurisdiction") or jurisdiction_of(obj))
    monkeypatch.setattr(services, "_locked_head", lambda: calls.append("lock") or locked_head())
    orgs = [OrganisationFactory() for _ in range(2)]
    one = audit_record("test.one", obj=orgs[0])
    assert calls == ["jurisdiction", "lock"]
    calls.clear()
    many = audit_record_many("test.many", [{"obj": o} for o in orgs])
    assert calls == ["jurisdiction", "jurisdiction", "lock"]
    assert (one.division_code, one.organisation_id) == (orgs[0].division_id, orgs[0].pk)
    assert [(e.division_code, e.organisation_id) for e in many] == [(o.division_id, o.pk) for o in orgs]
    assert [e.seq for e in many] == [7, 8] and audit_verify() == []
