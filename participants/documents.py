"""A participant's documents: archive one, list them, serve one. Every read and upload is
written to the access log; a document is visible through the agreements the user sees the
participant in, and only when the consent lets the user see who the participant is."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import Http404

from iop.audit import AuditContext
from partnerships.document_actions import archive_file
from partnerships.documents import Kind, sniff
from partnerships.http import open_stored
from partnerships.models import Agreement, DocumentFile, User

from .access import ParticipantAccess, record_access
from .models import AccessLog, Consent, ParticipantDocument


def visible_participant_documents(seen: ParticipantAccess) -> QuerySet[ParticipantDocument]:
    if not seen.identity:
        return ParticipantDocument.objects.none()
    documents = ParticipantDocument.objects.filter(
        participant=seen.participant,
        document__deleted_at__isnull=True,
        document__purged_at__isnull=True,
    )
    if not seen.all_agreements:
        documents = documents.filter(document__agreement_id__in=seen.agreement_ids)
    return documents.select_related("document__agreement", "document__created_by").prefetch_related(
        "document__files"
    )


def access_participant_document_file(
    seen: ParticipantAccess, document_id: int, file_id: int
) -> DocumentFile:
    try:
        link = visible_participant_documents(seen).get(document_id=document_id)
        return link.document.files.get(pk=file_id)
    except (ParticipantDocument.DoesNotExist, DocumentFile.DoesNotExist) as exc:
        raise Http404 from exc


def access_consent_scan(
    seen: ParticipantAccess, consent_id: int, organisation_id: int | None
) -> tuple[FieldFile, Kind]:
    """The scan of a consent the user's organisation holds, with its kind judged by its
    content; 404 for anyone else, and when the user may not see who the participant is."""
    if not seen.identity or organisation_id is None:
        raise Http404
    consent = (
        Consent.objects.filter(participant=seen.participant, holder_id=organisation_id)
        .exclude(scan="")
        .filter(pk=consent_id)
        .first()
    )
    if consent is None:
        raise Http404
    with open_stored(consent.scan) as stream:
        kind = sniff(stream)
    if kind is None:
        raise Http404
    return consent.scan, kind


@transaction.atomic
def archive_participant_document(
    *,
    user: User,
    audit: AuditContext,
    seen: ParticipantAccess,
    agreement: Agreement,
    title: str,
    upload: UploadedFile,
    kind: Kind,
) -> ParticipantDocument:
    """Archive a document about the participant, logged as a change to their record."""
    document = archive_file(
        user=user, agreement=agreement, title=title, upload=upload, kind=kind, personal=True
    )
    link = ParticipantDocument.objects.create(participant=seen.participant, document=document)
    record_access(
        user=user,
        audit=audit,
        participants=[seen.participant],
        action=AccessLog.Action.CREATE,
        what="dokument",
    )
    return link
