"""The default four-phase process, and the database-level guard on the access log."""

from django.db import migrations

DEFAULT_PHASES = ["Inrekrytering", "Visionsbygge", "Aktivitet", "Utmatchning"]

# The application may add to the access log but never change or remove a row; this keeps
# it so even for someone with a database shell through the application's account.
CREATE_TRIGGER = """
CREATE OR REPLACE FUNCTION participants_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'participants_accesslog is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER participants_accesslog_no_change
    BEFORE UPDATE OR DELETE ON participants_accesslog
    FOR EACH ROW EXECUTE FUNCTION participants_accesslog_append_only();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS participants_accesslog_no_change ON participants_accesslog;
DROP FUNCTION IF EXISTS participants_accesslog_append_only();
"""


def add_default_phases(apps, schema_editor):
    Phase = apps.get_model("participants", "Phase")
    for position, name in enumerate(DEFAULT_PHASES):
        Phase.objects.get_or_create(agreement=None, name=name, defaults={"position": position})


def remove_default_phases(apps, schema_editor):
    apps.get_model("participants", "Phase").objects.filter(
        agreement=None, name__in=DEFAULT_PHASES
    ).delete()


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGER)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("participants", "0001_initial")]

    operations = [
        migrations.RunPython(add_default_phases, remove_default_phases),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
