"""The table of the shared database cache (CACHE_URL=dbcache://iop_cache, the default).

Made here so that every `migrate` — a new installation, CI, the test database — has it;
`manage.py createcachetable` makes the same table and does nothing when it exists.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("iop", "0003_second_factor_failures_per_address")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
