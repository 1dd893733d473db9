"""Pages for the final report (slutrapport) over an agreement's whole period.

The same shape as the annual report's pages (views.py): a page with the draft's
narratives and a preview, a confirmation that shows what submitting freezes, submit,
correct (a new version) and the PDF, rendered in the background by the same render job.
What is the same for both reports lives in views.py (`report_page_context`,
`confirmation_context`, `narrative_form`, …) and in templates/reporting/frozen_report*_base.html.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iop.audit import AuditContext
from partnerships.access import require_role
from partnerships.http import AuthedHttpRequest
from partnerships.models import Agreement

from . import access
from .access import CAN_EDIT_REPORT
from .actions import (
    save_final_narrative,
    start_final_correction,
    submit_final_report,
)
from .annual import FINAL_REPORT_KEY, final_submittable_from
from .documents import final_report_context
from .forms import NarrativeForm, SubmitForm
from .models import FinalReport, RenderJob
from .views import (
    confirmation_context,
    correct_report,
    narrative_form,
    order_report_pdf,
    report_page_context,
    report_version,
    submitted_pdf,
)


def _page(
    request: AuthedHttpRequest,
    agreement: Agreement,
    report: FinalReport,
    form: NarrativeForm | None = None,
) -> dict[str, Any]:
    return report_page_context(
        request,
        agreement,
        report,
        final_report_context(report),
        versions=FinalReport.objects.for_agreement(agreement),
        form=form,
        submittable_from=final_submittable_from(agreement),
        documents_key=FINAL_REPORT_KEY,
        jobs=RenderJob.objects.filter(is_final=True),
    )


def final_report(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    report = access.access_final_report(request.user, agreement, report_version(request))
    return render(request, "reporting/final_report.html", _page(request, agreement, report))


@require_POST
def final_report_save(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    """Save the draft; with intent=review, go on to the confirmation before submitting."""
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    require_role(request.user, CAN_EDIT_REPORT)
    report = access.access_final_report(request.user, agreement)
    form = narrative_form(agreement, report, request.POST)
    if form.is_valid():
        try:
            save_final_narrative(
                agreement=agreement,
                data=form.data_for_save(),
                user=request.user,
                audit=AuditContext.from_request(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
    if form.errors:
        context = _page(request, agreement, report, form=form)
        return render(request, "reporting/final_report.html", context, status=400)
    if request.POST.get("intent") == "review":
        return redirect("reporting:final_report_confirm", agreement.pk)
    messages.success(request, _("Slutrapporten är sparad."))
    return redirect("reporting:final_report", agreement.pk)


def _confirm(
    request: AuthedHttpRequest,
    agreement: Agreement,
    report: FinalReport,
    form: SubmitForm,
    status: int = 200,
) -> HttpResponse:
    context = confirmation_context(
        agreement, final_report_context(report), form, final_submittable_from(agreement)
    )
    return render(request, "reporting/final_report_confirm.html", context, status=status)


def final_report_confirm(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    """What submitting will freeze, and the button that does it."""
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    require_role(request.user, CAN_EDIT_REPORT)
    report = access.access_final_report(request.user, agreement)
    if report.is_submitted:
        messages.info(request, _("Slutrapporten är redan inlämnad."))
        return redirect("reporting:final_report", agreement.pk)
    return _confirm(request, agreement, report, SubmitForm())


@require_POST
def final_report_submit(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    require_role(request.user, CAN_EDIT_REPORT)
    form = SubmitForm(request.POST)
    form.is_valid()
    try:
        report = submit_final_report(
            agreement=agreement,
            accept_warnings=form.cleaned_data.get("accept_warnings", False),
            user=request.user,
            audit=AuditContext.from_request(request),
        )
    except ValidationError as exc:
        code = getattr(exc, "code", None)
        if code == "already_submitted":
            messages.error(request, " ".join(exc.messages))
            return redirect("reporting:final_report", agreement.pk)
        form.add_error("accept_warnings" if code == "warnings" else None, exc)
        report = access.access_final_report(request.user, agreement)
        return _confirm(request, agreement, report, form, status=400)
    messages.success(
        request,
        _(
            "Slutrapporten är inlämnad som version %(v)s. Siffrorna är frysta; PDF:en tas "
            "fram i bakgrunden."
        )
        % {"v": report.version},
    )
    return redirect("reporting:final_report", agreement.pk)


@require_POST
def final_report_correct(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    require_role(request.user, CAN_EDIT_REPORT)
    report = access.access_final_report(request.user, agreement)
    correct_report(request, report, start_final_correction)
    return redirect("reporting:final_report", agreement.pk)


@require_POST
def final_report_render(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    report = access.access_final_report(request.user, agreement, report_version(request))
    return order_report_pdf(request, report)


def final_report_pdf(request: AuthedHttpRequest, agreement_id: int, version: int) -> HttpResponse:
    """The frozen PDF of a submitted version, exactly as it was submitted."""
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    report = access.access_final_report(request.user, agreement, version)
    return submitted_pdf(request, report, f"slutrapport-{agreement.short_id}-v{version}.pdf")
