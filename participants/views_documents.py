"""A participant's documents: the list with an upload form, and the download. Every
visit is written to the access log (access_participant_by_id)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from iop.audit import AuditContext
from partnerships.forms_documents import UploadedFileForm
from partnerships.http import AuthedHttpRequest, open_stored, stored_file_response
from partnerships.models import Agreement

from . import access, documents
from .models import AccessLog


class ParticipantDocumentForm(UploadedFileForm):
    agreement = forms.ModelChoiceField(
        queryset=Agreement.objects.none(), label=gettext_lazy("Överenskommelse")
    )
    title = forms.CharField(label=gettext_lazy("Titel"), max_length=200)
    field_order = ["agreement", "title", "file"]

    def __init__(self, *args: Any, seen: access.ParticipantAccess, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agreements = Agreement.objects.filter(enrolments__participant=seen.participant)
        if not seen.all_agreements:
            agreements = agreements.filter(pk__in=seen.agreement_ids)
        field = self.fields["agreement"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agreements.distinct().order_by("title")


def participant_documents(request: AuthedHttpRequest, participant_id: int) -> HttpResponse:
    seen = access.access_participant_by_id(request, participant_id, what="dokument")
    if not seen.identity:
        raise Http404
    form = ParticipantDocumentForm(request.POST or None, request.FILES or None, seen=seen)
    if request.method == "POST" and form.is_valid():
        assert form.kind is not None
        documents.archive_participant_document(
            user=request.user,
            audit=AuditContext.from_request(request),
            seen=seen,
            agreement=form.cleaned_data["agreement"],
            title=form.cleaned_data["title"],
            upload=form.cleaned_data["file"],
            kind=form.kind,
        )
        messages.success(request, _("Dokumentet är arkiverat."))
        return redirect("participants:documents", participant_id)
    return render(
        request,
        "participants/documents.html",
        {
            "participant": seen.participant,
            "links": documents.visible_participant_documents(seen),
            "form": form,
        },
    )


def participant_document_download(
    request: AuthedHttpRequest, participant_id: int, document_id: int, file_id: int
) -> FileResponse:
    seen = access.access_participant_by_id(
        request, participant_id, what="dokument", action=AccessLog.Action.VIEW
    )
    stored = documents.access_participant_document_file(seen, document_id, file_id)
    return stored_file_response(
        open_stored(stored.file), filename=stored.original_name, content_type=stored.content_type
    )


def consent_scan_download(
    request: AuthedHttpRequest, participant_id: int, consent_id: int
) -> FileResponse:
    """The scanned consent form, for the holder organisation's staff who see who the
    participant is; logged like every read of the participant."""
    seen = access.access_participant_by_id(
        request, participant_id, what="samtyckesblankett", action=AccessLog.Action.VIEW
    )
    scan, kind = documents.access_consent_scan(seen, consent_id, request.user.organisation_id)
    return stored_file_response(
        open_stored(scan),
        filename=f"samtycke-{seen.participant.code}{kind.extensions[0]}",
        content_type=kind.content_type,
    )
