"""The administration log refuses UPDATE and DELETE in the database itself, so neither
the app, the admin nor a shell can rewrite it.

PostgreSQL (production) refuses both. SQLite refuses UPDATE only: the test runner empties
tables between transactional tests with DELETE on SQLite (TRUNCATE on PostgreSQL, which
row triggers do not see), and the model and its QuerySet refuse deletes anyway."""

from django.db import migrations

TABLE = "partnerships_administrationlogentry"

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION iop_administration_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Administrationsloggen kan bara utökas.';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER iop_administration_log_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION iop_administration_log_append_only();
"""
POSTGRES_BACKWARD = f"""
DROP TRIGGER IF EXISTS iop_administration_log_append_only ON {TABLE};
DROP FUNCTION IF EXISTS iop_administration_log_append_only();
"""
SQLITE_FORWARD = [
    f"""CREATE TRIGGER iop_administration_log_no_{verb.lower()}
    BEFORE {verb} ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'Administrationsloggen kan bara utökas.'); END;"""
    for verb in ("UPDATE",)
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS iop_administration_log_no_{verb}" for verb in ("update",)
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0012_administration_log_and_invitations")]

    operations = [migrations.RunPython(forward, backward)]
