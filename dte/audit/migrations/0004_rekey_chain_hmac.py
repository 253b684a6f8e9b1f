"""Re-key the audit chain: every event hash becomes an HMAC-SHA256 keyed with DTE_AUDIT_KEY
(issue 8, finding 5). Before re-keying, the existing unkeyed SHA-256 chain is verified; a broken
chain stops the migration (re-keying would certify tampered history) unless the operator sets
DTE_AUDIT_REKEY_BROKEN=1 after investigating. The hashing below is frozen here on purpose: it
must stay what this migration wrote even if dte.audit.services changes later."""

import hashlib
import hmac
import json
import os
from datetime import timezone as dt_timezone

from django.db import migrations

GENESIS = "0" * 64


def _fields(event, prev_hash):
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
        "prev_hash": prev_hash,
    }


def _canonical(fields):
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def forwards(apps, schema_editor):
    from dte.audit.keys import purpose_key

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    events = list(AuditEvent.objects.order_by("seq"))
    if not events:
        return
    previous, broken = GENESIS, []
    for expected, event in enumerate(events, start=1):
        legacy = hashlib.sha256(_canonical(_fields(event, event.prev_hash))).hexdigest()
        if event.seq != expected or legacy != event.hash or event.prev_hash != previous:
            broken.append(event.seq)
        previous = event.hash
    if broken and os.environ.get("DTE_AUDIT_REKEY_BROKEN") != "1":
        raise RuntimeError(
            f"The audit chain does not verify at seq {broken[:10]}: investigate before re-keying it "
            "(set DTE_AUDIT_REKEY_BROKEN=1 to re-key anyway)."
        )
    key = purpose_key(b"chain")
    connection = schema_editor.connection
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_event_append_only")
        previous = GENESIS
        for event in events:
            digest = hmac.new(key, _canonical(_fields(event, previous)), hashlib.sha256).hexdigest()
            cursor.execute(f"UPDATE {table} SET prev_hash = %s, hash = %s WHERE id = %s", [previous, digest, event.pk])
            previous = digest
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER audit_event_append_only")
    AuditChainHead.objects.update_or_create(pk=1, defaults={"seq": events[-1].seq, "hash": previous})


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only_trigger")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
