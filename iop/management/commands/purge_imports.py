"""Delete uploaded import files that were previewed but never confirmed.

An upload can hold personal data; a preview that nobody confirmed should not keep it on
disk. Run daily (next to send_reminders). The job and its summary stay; only the file
goes, and the job can no longer be confirmed.
"""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from iop.models import ImportJob


class Command(BaseCommand):
    help = "Tar bort uppladdade importfiler som förhandsgranskats men aldrig bekräftats."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args, hours: int, **options) -> None:
        cutoff = timezone.now() - datetime.timedelta(hours=hours)
        stale = ImportJob.objects.filter(
            status=ImportJob.Status.PREVIEWED, created_at__lt=cutoff
        ).exclude(file="")
        count = 0
        for job in stale:
            job.file.delete(save=False)
            job.status = ImportJob.Status.FAILED
            job.message = "Förhandsgranskningen bekräftades inte i tid; ladda upp filen igen."
            job.finished_at = timezone.now()
            job.save(update_fields=["file", "status", "message", "finished_at"])
            count += 1
        self.stdout.write(f"{count} importfiler borttagna.")
