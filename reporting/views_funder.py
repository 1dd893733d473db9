"""The funders' reports: the ESF+ participant report, the monthly follow-up (HTML, PDF,
CSV, XLSX; counts only, suppressed, for every role that reads reports), the Uppföljning
Finsam list (personal data: staff who may see the participants only, every read logged)
and the comparison values the partnership manager keeps."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iop.audit import AuditContext
from iop.pdf import render_pdf
from iop.spreadsheets.writer import csv_response, xlsx_response
from participants.access import log_access
from participants.models import AccessLog
from partnerships.http import AuthedHttpRequest
from partnerships.models import Agreement

from . import access, finsam, funder
from .access import CAN_EDIT_REPORT
from .actions_funder import add_reference_value, remove_reference_value
from .forms_funder import MonthForm, PeriodForm, ReferenceValueForm
from .models import ReferenceValue

FORMATS = ("html", "pdf", "csv", "xlsx")
Download = HttpResponse | StreamingHttpResponse


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Http404


def _bound(form_class: Any, request: AuthedHttpRequest, agreement: Agreement) -> Any:
    """The period form bound to the query string, this year's period when none is given."""
    data = request.GET if request.GET else form_class.defaults(agreement, timezone.localdate())
    return form_class(data, agreement=agreement)


def _pdf(template: str, context: dict[str, Any], filename: str) -> HttpResponse:
    pdf = render_pdf(template, context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _download(fmt: str, filename: str, header: list[str], rows: Any, sheet: str) -> Download:
    if fmt == "csv":
        return csv_response(f"{filename}.csv", header, rows, stream=False)
    return xlsx_response(f"{filename}.xlsx", header, rows, sheet_title=sheet)


def funder_index(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    profile = getattr(agreement, "funder_profile", None)
    return render(
        request,
        "reporting/funder/index.html",
        {
            "agreement": agreement,
            "profile": profile,
            "may_list": access.may_see_finsam_list(request.user, agreement),
            "may_edit": request.user.has_role(*CAN_EDIT_REPORT),
            "references": ReferenceValue.objects.filter(agreement=agreement),
        },
    )


def esf_report(request: AuthedHttpRequest, agreement_id: int, fmt: str = "html") -> Download:
    _check_format(fmt)
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    form = _bound(PeriodForm, request, agreement)
    report = None
    if form.is_valid():
        report = funder.esf_report(agreement, form.cleaned_data["start"], form.cleaned_data["end"])
        name = f"esf-{agreement.short_id}-{report.start.isoformat()}-{report.end.isoformat()}"
        if fmt in ("csv", "xlsx"):
            return _download(fmt, name, funder.csv_header(), report.csv_rows(), "ESF+")
        if fmt == "pdf":
            context = {"r": report, "data": {"agreement": agreement}}
            context["document_title"] = _("ESF+ deltagarrapport")
            return _pdf("reporting/funder/esf_pdf.html", context, f"{name}.pdf")
    return render(
        request, "reporting/funder/esf.html", {"agreement": agreement, "form": form, "r": report}
    )


def monthly_report(request: AuthedHttpRequest, agreement_id: int, fmt: str = "html") -> Download:
    _check_format(fmt)
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    form = _bound(MonthForm, request, agreement)
    report = None
    if form.is_valid():
        year, month = form.cleaned_data["month"]
        report = funder.monthly_report(agreement, year, month)
        name = f"manadsuppfoljning-{agreement.short_id}-{year}-{month:02d}"
        if fmt in ("csv", "xlsx"):
            return _download(fmt, name, funder.csv_header(), report.csv_rows(), _("Månad"))
        if fmt == "pdf":
            context = {"r": report, "data": {"agreement": agreement}}
            context["document_title"] = _("Månadsuppföljning")
            return _pdf("reporting/funder/monthly_pdf.html", context, f"{name}.pdf")
    return render(
        request,
        "reporting/funder/monthly.html",
        {"agreement": agreement, "form": form, "r": report},
    )


def finsam_list(request: AuthedHttpRequest, agreement_id: int, fmt: str = "html") -> Download:
    if fmt not in ("html", "csv", "xlsx"):
        raise Http404
    user = request.user
    agreement = access.access_agreement_for_finsam_list(user, agreement_id)
    form = _bound(PeriodForm, request, agreement)
    listing = None
    if form.is_valid():
        listing = finsam.finsam_list(
            user, agreement, form.cleaned_data["start"], form.cleaned_data["end"]
        )
        action = AccessLog.Action.VIEW if fmt == "html" else AccessLog.Action.EXPORT
        log_access(request, listing.participant_ids, action=action, what="uppföljning finsam")
        if fmt != "html":
            name = (
                f"finsam-{agreement.short_id}-{listing.start.isoformat()}-{listing.end.isoformat()}"
            )
            rows = [line.csv() for line in listing.lines]
            return _download(fmt, name, finsam.csv_header(), rows, "Finsam")
    return render(
        request,
        "reporting/funder/finsam.html",
        {"agreement": agreement, "form": form, "l": listing},
    )


def reference_values(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_for_reference_values(request.user, agreement_id)
    form = ReferenceValueForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        try:
            add_reference_value(
                user=request.user,
                audit=AuditContext.from_request(request),
                reference=form.instance,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("reporting:funder_references", agreement.pk)
    return render(
        request,
        "reporting/funder/references.html",
        {
            "agreement": agreement,
            "form": form,
            "references": ReferenceValue.objects.filter(agreement=agreement),
        },
    )


@require_POST
def reference_value_remove(
    request: AuthedHttpRequest, agreement_id: int, reference_id: int
) -> HttpResponse:
    agreement = access.access_agreement_for_reference_values(request.user, agreement_id)
    reference = get_object_or_404(ReferenceValue, pk=reference_id, agreement=agreement)
    remove_reference_value(
        user=request.user, audit=AuditContext.from_request(request), reference=reference
    )
    return redirect("reporting:funder_references", agreement.pk)
