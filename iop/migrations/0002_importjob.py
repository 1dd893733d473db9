# ImportJob moved here from partnerships with the spreadsheet engine. The table is the one
# partnerships created (partnerships_importjob), with its rows: only the state is created
# here, after partnerships 0004 removed the model from its own state.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('iop', '0001_initial'),
        ('partnerships', '0004_importjob_moves_to_iop'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ImportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=40, verbose_name='vad')),
                        ('file', models.FileField(blank=True, upload_to='imports/%Y/%m/', verbose_name='fil')),
                        ('original_name', models.CharField(max_length=255, verbose_name='filnamn')),
                        ('file_format', models.CharField(max_length=10, verbose_name='format')),
                        ('status', models.CharField(choices=[('previewing', 'Förhandsgranskas'), ('previewed', 'Klar att bekräfta'), ('importing', 'Importeras'), ('done', 'Importerad'), ('refused', 'Avvisad – inget sparades'), ('failed', 'Misslyckades – inget sparades')], default='previewing', max_length=20, verbose_name='status')),
                        ('total_rows', models.PositiveIntegerField(default=0, verbose_name='rader')),
                        ('processed_rows', models.PositiveIntegerField(default=0, verbose_name='behandlade rader')),
                        ('summary', models.JSONField(blank=True, default=dict, verbose_name='sammanfattning')),
                        ('rows', models.JSONField(blank=True, default=list, verbose_name='rader i förhandsgranskningen')),
                        ('message', models.TextField(blank=True, verbose_name='meddelande')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='skapad')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='klar')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='import_jobs', to=settings.AUTH_USER_MODEL, verbose_name='användare')),
                    ],
                    options={
                        'verbose_name': 'import',
                        'verbose_name_plural': 'importer',
                        'ordering': ['-created_at', '-pk'],
                        'db_table': 'partnerships_importjob',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
