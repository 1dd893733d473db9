# ImportJob moved to the iop app (the spreadsheet engine). Only the migration state
# changes here: the table partnerships_importjob and its rows stay, and iop's migration
# 0002_importjob takes the model over under the same table name.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('partnerships', '0003_importjob'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='ImportJob'),
            ],
            database_operations=[],
        ),
    ]
