"""Remove archived files that no row points at.

A file is written to storage before the transaction that records it commits; when that
transaction rolls back (a failing version row, a constraint), the row is gone and the file
stays. This command finds such files under documents/ and deletes them once they are old
enough that no upload can still be in flight, and any file of a purged document that its
purge failed to delete (purge_documents_past_retention). Run it daily, like send_reminders.

    manage.py purge_orphaned_documents [--min-age-hours 24] [--dry-run]
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from partnerships.models import DocumentFile, document_storage

FOLDER = "documents"


class Command(BaseCommand):
    help = "Tar bort lagrade dokumentfiler som ingen rad i arkivet hänvisar till."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--min-age-hours", type=int, default=24)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        storage = document_storage()
        if not storage.exists(FOLDER):
            self.stdout.write("Inga lagrade dokument.")
            return
        _dirs, names = storage.listdir(FOLDER)
        # A purged document's files are no longer wanted: one left behind by a failed
        # deletion after the purge is removed here like any orphan.
        known = set(
            DocumentFile.objects.filter(document__purged_at__isnull=True).values_list(
                "file", flat=True
            )
        )
        cutoff = timezone.now() - datetime.timedelta(hours=options["min_age_hours"])
        removed = 0
        for name in names:
            path = f"{FOLDER}/{name}"
            if path in known or storage.get_modified_time(path) > cutoff:
                continue
            if not options["dry_run"]:
                storage.delete(path)
            removed += 1
        verb = "Skulle ta bort" if options["dry_run"] else "Tog bort"
        self.stdout.write(f"{verb} {removed} föräldralösa filer av {len(names)}.")
