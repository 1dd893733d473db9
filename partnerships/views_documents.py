"""The document archive's pages: the agreement's documents, one document with its
versions, download, deletion. Files are served only here, after the owning object's
access rule; nothing of the archive lies under MEDIA_URL."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iop.audit import AuditContext

from . import document_access, document_actions
from .access import access_agreement_by_id
from .forms_documents import DocumentDeleteForm, DocumentUploadForm, DocumentVersionForm
from .http import AuthedHttpRequest, open_stored, stored_file_response


def document_list(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access_agreement_by_id(request.user, agreement_id)
    may_upload = bool(document_access.uploadable_kinds(request.user))
    form = None
    if may_upload:
        form = DocumentUploadForm(
            request.POST or None,
            request.FILES or None,
            agreement=agreement,
            user=request.user,
            # A report's page links here with its target chosen (?attach_to=report-…).
            initial={"attach_to": request.GET.get("attach_to", "")},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            assert form.kind is not None
            document = document_actions.upload_document(
                user=request.user,
                audit=AuditContext.from_request(request),
                agreement=agreement,
                target=form.target,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                kind=form.kind,
                report=form.report,
            )
            messages.success(request, _("Dokumentet är arkiverat."))
            return redirect("document_detail", document.pk)
    documents = list(
        document_access.documents_of_agreement(request.user, agreement).prefetch_related("files")
    )
    return render(
        request,
        "partnerships/documents/document_list.html",
        {
            "agreement": agreement,
            "documents": [d for d in documents if not d.is_deleted],
            "deleted": [d for d in documents if d.is_deleted],
            "form": form,
        },
    )


def document_detail(request: AuthedHttpRequest, document_id: int) -> HttpResponse:
    document = document_access.access_document_by_id(request.user, document_id)
    may_edit = document.kind in document_access.uploadable_kinds(request.user) and not (
        document.is_deleted or document.is_purged
    )
    form = DocumentVersionForm(request.POST or None, request.FILES or None) if may_edit else None
    if request.method == "POST":
        document = document_access.access_document_by_id(request.user, document_id, for_edit=True)
        assert form is not None
        if form.is_valid():
            assert form.kind is not None
            document_actions.upload_document_version(
                user=request.user,
                audit=AuditContext.from_request(request),
                document=document,
                upload=form.cleaned_data["file"],
                kind=form.kind,
            )
            messages.success(request, _("Den nya versionen är sparad."))
            return redirect("document_detail", document.pk)
    return render(
        request,
        "partnerships/documents/document_detail.html",
        {
            "document": document,
            "agreement": document.agreement,
            "files": document.files.select_related("uploaded_by"),
            "form": form,
            "delete_form": DocumentDeleteForm() if may_edit else None,
        },
    )


@require_POST
def document_delete(request: AuthedHttpRequest, document_id: int) -> HttpResponse:
    document = document_access.access_document_by_id(request.user, document_id, for_edit=True)
    delete_form = DocumentDeleteForm(request.POST)
    if not delete_form.is_valid():
        return render(
            request,
            "partnerships/documents/document_detail.html",
            {
                "document": document,
                "agreement": document.agreement,
                "files": document.files.select_related("uploaded_by"),
                "form": DocumentVersionForm(),
                "delete_form": delete_form,
            },
            status=400,
        )
    document_actions.delete_document(
        user=request.user,
        audit=AuditContext.from_request(request),
        document=document,
        reason=delete_form.cleaned_data["reason"],
    )
    messages.success(request, _("Dokumentet är borttaget. Filerna sparas till gallringen."))
    return redirect(reverse("document_list", args=[document.agreement_id]))


def document_download(request: AuthedHttpRequest, document_id: int, file_id: int) -> FileResponse:
    stored = document_access.access_document_file(request.user, document_id, file_id)
    return stored_file_response(
        open_stored(stored.file), filename=stored.original_name, content_type=stored.content_type
    )
