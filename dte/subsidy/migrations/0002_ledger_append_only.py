"""On PostgreSQL, refuse UPDATE and DELETE on the ledger's rows at the database level
(as dte/audit does for its events). The hash chain (`dte ledger verify`) catches an edit made
with the trigger disabled, and every edit on SQLite."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION subsidy_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION subsidy_ledger_transaction_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.hash = '' AND NEW.hash <> '' AND ROW(NEW.kind, NEW.key, NEW.memo, NEW.line_id, NEW.prev_hash, NEW.created_at)
                IS NOT DISTINCT FROM ROW(OLD.kind, OLD.key, OLD.memo, OLD.line_id, OLD.prev_hash, OLD.created_at) THEN
            RETURN NEW;  -- the hash is written once, in the posting's own transaction
        END IF;
    END IF;
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER subsidy_ledgertransaction_append_only BEFORE UPDATE OR DELETE ON subsidy_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION subsidy_ledger_transaction_append_only();
CREATE TRIGGER subsidy_ledgerentry_append_only BEFORE UPDATE OR DELETE ON subsidy_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION subsidy_ledger_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS subsidy_ledgertransaction_append_only ON subsidy_ledgertransaction;
DROP TRIGGER IF EXISTS subsidy_ledgerentry_append_only ON subsidy_ledgerentry;
DROP FUNCTION IF EXISTS subsidy_ledger_append_only();
DROP FUNCTION IF EXISTS subsidy_ledger_transaction_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("subsidy", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
