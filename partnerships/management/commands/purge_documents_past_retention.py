"""Retention of the document archive: remove from storage the files of documents deleted
more than IOP_DOCUMENT_DELETED_RETENTION_DAYS ago, and of every document of an agreement
that ended (or was terminated) more than IOP_DOCUMENT_AGREEMENT_RETENTION_YEARS ago.

The rows stay, marked purged, with title, who and when, and each agreement gets a version
row naming its purged documents, as a deletion does. Run it daily after
end_expired_agreements; running it again changes nothing.

    manage.py purge_documents_past_retention [--dry-run] [--deleted-days N] [--years N]
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from iop.audit import AuditContext
from partnerships.document_actions import purge_documents
from partnerships.models import Document


class Command(BaseCommand):
    help = (
        "Gallrar filerna i dokumentarkivet: borttagna dokument efter gallringsfristen och "
        "dokument i överenskommelser som upphörde för längre sedan än arkivtiden."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--deleted-days",
            type=int,
            default=settings.IOP_DOCUMENT_DELETED_RETENTION_DAYS,
            help="Dagar efter borttagning (standard: IOP_DOCUMENT_DELETED_RETENTION_DAYS).",
        )
        parser.add_argument(
            "--years",
            type=int,
            default=settings.IOP_DOCUMENT_AGREEMENT_RETENTION_YEARS,
            help="År efter överenskommelsens slut (standard: IOP_DOCUMENT_AGREEMENT_RETENTION_YEARS).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Visa vad som skulle gallras utan att ändra."
        )

    def handle(
        self, *args: Any, deleted_days: int, years: int, dry_run: bool, **options: Any
    ) -> None:
        due = list(
            Document.objects.past_retention(
                now=timezone.now(),
                today=timezone.localdate(),
                deleted_days=deleted_days,
                agreement_years=years,
            )
            .select_related("agreement")
            .order_by("agreement_id", "title", "pk")
        )
        documents = files = 0
        for _agreement_id, group in groupby(due, key=lambda d: d.agreement_id):
            batch = list(group)
            agreement = batch[0].agreement
            for document in batch:
                reason = "borttaget" if document.is_deleted else "överenskommelsen upphörde"
                self.stdout.write(f"  {agreement.short_id}: {document.title} ({reason})")
            if dry_run:
                documents += len(batch)
                continue
            # One transaction per agreement: a failure leaves the others done.
            removed = purge_documents(
                user=None, audit=AuditContext.system(), agreement=agreement, documents=batch
            )
            documents += len(batch)
            files += len(removed)
        if dry_run:
            self.stdout.write(f"Torrkörning: {documents} dokument skulle gallras.")
        else:
            self.stdout.write(f"{documents} dokument gallrade; borttagna filer: {files}.")
