"""Who may read and upload which archived documents; every document view fetches through
these helpers.

A document follows its agreement: a user who cannot see the agreement gets 404, as for a
missing document. Within a visible agreement, what a document is attached to decides:
the agreement's own documents, its amendments' and its meetings' are read by everyone who
sees the agreement (steering group included) and uploaded by the parties' managers and
coordinators; receipts on actual costs are read and attached by finance and managers
only. A document of a kind the user may not read answers 404 too.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from .access import require_role, visible_agreements
from .models import Agreement, Document, DocumentFile, Role, User

AGREEMENT_KINDS = ("agreement", "amendment", "meeting")
CAN_UPLOAD_TO_AGREEMENT = (Role.COORDINATOR, Role.MANAGER, Role.ADMIN)
CAN_HANDLE_COST_DOCUMENTS = (Role.FINANCE, Role.MANAGER, Role.ADMIN)


def may_read_cost_documents(user: User) -> bool:
    return user.has_role(*CAN_HANDLE_COST_DOCUMENTS)


def uploadable_kinds(user: User) -> tuple[str, ...]:
    """What this user may attach documents to: agreement, amendment, meeting, cost."""
    kinds: tuple[str, ...] = ()
    if user.has_role(*CAN_UPLOAD_TO_AGREEMENT):
        kinds += AGREEMENT_KINDS
    if user.has_role(*CAN_HANDLE_COST_DOCUMENTS):
        kinds += ("cost",)
    return kinds


def visible_documents(user: User) -> QuerySet[Document]:
    # A participant's documents are reached only through the participant (participants
    # app), where consent applies and every read is logged.
    documents = Document.objects.filter(agreement__in=visible_agreements(user), personal=False)
    if not may_read_cost_documents(user):
        documents = documents.filter(actual_cost__isnull=True)
    return documents


def documents_of_agreement(user: User, agreement: Agreement) -> QuerySet[Document]:
    return (
        visible_documents(user)
        .filter(agreement=agreement)
        .select_related("amendment", "meeting", "actual_cost", "created_by", "deleted_by")
        .order_by("title", "pk")
    )


def access_document_by_id(user: User, document_id: int, *, for_edit: bool = False) -> Document:
    """A document the user may read; for_edit: one they may also add versions to or delete
    (403 for a role without that function, and 404 once it is deleted)."""
    document = get_object_or_404(
        visible_documents(user).select_related(
            "agreement", "amendment", "meeting", "actual_cost", "created_by", "deleted_by"
        ),
        pk=document_id,
    )
    if for_edit:
        if document.kind not in uploadable_kinds(user):
            require_role(user, ())
        if document.is_deleted or document.is_purged:
            raise Http404
    return document


def access_document_file(user: User, document_id: int, file_id: int) -> DocumentFile:
    """One stored version to download. A deleted document's files stay in storage until
    retention, but are no longer served; once purged they are gone."""
    document = access_document_by_id(user, document_id)
    if document.is_deleted or document.is_purged:
        raise Http404
    return get_object_or_404(
        DocumentFile.objects.select_related("document"), pk=file_id, document=document
    )
