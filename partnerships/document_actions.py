"""The document archive's verbs: upload a document, upload a new version of it, delete it,
and purge the files of documents past retention.

Each writes an agreement version (`record_version`; the snapshot lists the documents), so
the agreement's history shows who added or removed which document and when. A deleted
document is only marked deleted; its files stay in storage until retention.

A file is written to storage when its row is saved; should the transaction roll back
after that, the stored file is left without a row (harmless: its name is random and
nothing serves it).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from iop.audit import AuditContext

from .actions import record_version
from .documents import Kind, checksum
from .models import (
    ActualCost,
    Agreement,
    AgreementVersion,
    Document,
    DocumentFile,
    Meeting,
    User,
    document_storage,
)

Target = AgreementVersion | Meeting | ActualCost | None


def _store_file(
    *, document: Document, user: User, upload: UploadedFile, kind: Kind, number: int
) -> DocumentFile:
    stored = DocumentFile(
        document=document,
        number=number,
        original_name=(upload.name or kind.extensions[0])[-255:],
        content_type=kind.content_type,
        size=upload.size or 0,
        sha256=checksum(upload),
        uploaded_by=user,
    )
    stored.file.save("upload", upload, save=False)
    stored.full_clean(exclude=["file"])
    stored.save()
    return stored


def archive_file(
    *,
    user: User,
    agreement: Agreement,
    title: str,
    upload: UploadedFile,
    kind: Kind,
    personal: bool = False,
) -> Document:
    """The rows of a new document and its version 1, without a version or log row: for
    the verbs that write their own (upload_document here; a participant's document in
    the participants app logs the access instead)."""
    document = Document(agreement=agreement, title=title, personal=personal, created_by=user)
    document.full_clean()
    document.save()
    _store_file(document=document, user=user, upload=upload, kind=kind, number=1)
    return document


@transaction.atomic
def upload_document(
    *,
    user: User,
    audit: AuditContext,
    agreement: Agreement,
    target: Target,
    title: str,
    upload: UploadedFile,
    kind: Kind,
    report: str = "",
) -> Document:
    """Archive a new document (its version 1) on the agreement or one of its parts, or on
    the agreement as an attachment to one of its reports (`report`, a report target's key)."""
    document = Document(
        agreement=agreement,
        report=report,
        amendment=target if isinstance(target, AgreementVersion) else None,
        meeting=target if isinstance(target, Meeting) else None,
        actual_cost=target if isinstance(target, ActualCost) else None,
        title=title,
        created_by=user,
    )
    document.full_clean()
    document.save()
    _store_file(document=document, user=user, upload=upload, kind=kind, number=1)
    record_version(
        agreement=agreement,
        user=user,
        audit=audit,
        summary=_("Dokument arkiverat: %(title)s") % {"title": title},
    )
    return document


@transaction.atomic
def upload_document_version(
    *, user: User, audit: AuditContext, document: Document, upload: UploadedFile, kind: Kind
) -> DocumentFile:
    """Add a new version; the earlier ones stay listed and downloadable."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    number = (document.files.aggregate(n=Max("number"))["n"] or 0) + 1
    stored = _store_file(document=document, user=user, upload=upload, kind=kind, number=number)
    record_version(
        agreement=document.agreement,
        user=user,
        audit=audit,
        summary=_("Ny version %(number)s av dokumentet %(title)s")
        % {"number": number, "title": document.title},
    )
    return stored


@transaction.atomic
def delete_document(*, user: User, audit: AuditContext, document: Document, reason: str) -> None:
    """Mark the document deleted, with who, when and why; its files are kept."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    document.deleted_at = timezone.now()
    document.deleted_by = user
    document.deletion_reason = reason
    document.full_clean()
    document.save(update_fields=["deleted_at", "deleted_by", "deletion_reason"])
    record_version(
        agreement=document.agreement,
        user=user,
        audit=audit,
        summary=(
            _("Dokument borttaget: %(title)s (%(reason)s)")
            % {"title": document.title, "reason": reason}
        )[:300],
    )


@transaction.atomic
def purge_documents(
    *, user: User | None, audit: AuditContext, agreement: Agreement, documents: Iterable[Document]
) -> list[str]:
    """Retention: remove the stored files of these documents of one agreement and mark the
    documents purged, with a version row naming them. The rows stay, with title, who and
    when, so that the history still reads. The files are deleted once the transaction has
    committed, so that a rollback loses nothing; should a deletion fail then,
    purge_orphaned_documents removes the file later. Returns the stored names removed."""
    ids = [document.pk for document in documents]
    locked = list(
        Document.objects.select_for_update()
        .filter(pk__in=ids, agreement=agreement, purged_at__isnull=True)
        .order_by("title", "pk")
    )
    if not locked:
        return []
    names = list(DocumentFile.objects.filter(document__in=locked).values_list("file", flat=True))
    Document.objects.filter(pk__in=[d.pk for d in locked]).update(purged_at=timezone.now())
    record_version(
        agreement=agreement,
        user=user,
        audit=audit,
        summary=(
            _("Dokumentens filer gallrade: %(titles)s")
            % {"titles": ", ".join(d.title for d in locked)}
        )[:300],
    )
    storage = document_storage()

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return names
