# The monthly totals of 0002 become daily totals, so that any period (a year so far, an
# agreement starting mid-month) is summed from them without counting rows. The tables only
# hold counts derived from contacts and attendance: they are replaced and counted afresh.

import django.db.models.deletion
from django.db import migrations, models


def drop_monthly_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for rollup, source in (
                ("reporting_contactmonth", "participants_contact"),
                ("reporting_attendancemonth", "participants_attendance"),
            ):
                cursor.execute(f"DROP TRIGGER IF EXISTS {rollup}_sync ON {source}")
                cursor.execute(f"DROP TRIGGER IF EXISTS {rollup}_sync_update ON {source}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {rollup}_sync()")
            cursor.execute(
                "DROP TRIGGER IF EXISTS reporting_rollup_gender ON participants_participant"
            )
            cursor.execute("DROP FUNCTION IF EXISTS reporting_rollup_gender()")
        else:
            for rollup in ("reporting_contactmonth", "reporting_attendancemonth"):
                for event in ("insert", "delete", "update"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {rollup}_{event}")
            cursor.execute("DROP TRIGGER IF EXISTS reporting_rollup_gender")


def install_and_fill(apps, schema_editor):
    # Superseded by 0004, which installs all the triggers (reporting/rollup.py) and counts
    # everything afresh.
    pass


def drop_daily_triggers(apps, schema_editor):
    pass


class Migration(migrations.Migration):

    dependencies = [
        ('partnerships', '0003_importjob'),
        ('participants', '0002_default_phases_and_append_only_log'),
        ('reporting', '0002_activity_rollup'),
    ]

    operations = [
        # Going back leaves the monthly tables empty: run rebuild_activity_rollup of that
        # version to count them.
        migrations.RunPython(drop_monthly_triggers, migrations.RunPython.noop),
        migrations.DeleteModel(name='ContactMonth'),
        migrations.DeleteModel(name='AttendanceMonth'),
        migrations.CreateModel(
            name='ContactDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('kind', models.CharField(max_length=20)),
                ('gender', models.CharField(max_length=10)),
                ('total', models.IntegerField(default=0)),
                ('agreement', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partnerships.agreement')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('agreement', 'day', 'kind', 'gender'), name='contactday_key')],
            },
        ),
        migrations.CreateModel(
            name='AttendanceDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('status', models.CharField(max_length=10)),
                ('gender', models.CharField(max_length=10)),
                ('total', models.IntegerField(default=0)),
                ('agreement', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='partnerships.agreement')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('agreement', 'day', 'status', 'gender'), name='attendanceday_key')],
            },
        ),
        migrations.RunPython(install_and_fill, drop_daily_triggers, elidable=False),
    ]
