"""Pages for the annual report and the invoice basis, and the helpers the final report's
pages (views_final.py) share with the annual report's.

Views fetch through reporting.access, bind a form, call one verb (reporting.actions) and
render or redirect. Bad input (a year outside the agreement, no budget, shares that do not
add up, submitting twice, editing a submitted report) comes back from the verbs as a
ValidationError whose Swedish message is shown as it is; nothing is saved.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from iop.audit import AuditContext
from participants.access import (
    log_access,
    shows_identity,
    visible_enrolments,
    works_with_participants,
)
from participants.models import AccessLog, ExitOutcome, Gender
from partnerships.access import require_role, visible_agreements
from partnerships.http import AuthedHttpRequest
from partnerships.models import Agreement, Indicator

from . import access, figures, invoicing
from .access import (
    CAN_EDIT_REPORT,
    CAN_SEE_DRAFT_REPORT,
    CAN_SEE_INVOICE_BASIS,
)
from .actions import (
    AlreadyIssued,
    credit_invoice_basis,
    issue_invoice_basis,
    request_report_pdf,
    save_narrative,
    start_correction,
    submit_annual_report,
)
from .annual import annual_report_key, report_documents
from .documents import (
    annual_report_context,
    invoice_basis_context,
    invoice_basis_pdf,
)
from .documents import (
    repayment_claim_pdf as repayment_claim_pdf_bytes,
)
from .forms import (
    CorrectionForm,
    CreditForm,
    FinalNarrativeForm,
    IssueForm,
    NarrativeForm,
    SubmitForm,
)
from .models import (
    AnnualReport,
    AnnualReportQuerySet,
    FinalReport,
    FinalReportQuerySet,
    InvoiceBasis,
    RenderJob,
    final_report_due_date,
)
from .ubl import document_xml


def _pdf_response(
    pdf: bytes | memoryview | None, filename: str, *, inline: bool = True
) -> HttpResponse:
    response = HttpResponse(bytes(pdf or b""), content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _year_or_redirect(
    request: AuthedHttpRequest, agreement: Agreement, year: int
) -> HttpResponse | None:
    try:
        figures.check_year(agreement, year)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reporting:index", agreement.pk)
    return None


# --------------------------------------------------------------------------- overview


def overview(request: AuthedHttpRequest) -> HttpResponse:
    """Every visible agreement's annual reports: due dates, what is submitted, what is late."""
    require_role(request.user, access.CAN_SEE_REPORTS)
    agreements = list(
        visible_agreements(request.user)
        .exclude(status__in=(Agreement.Status.DRAFT, Agreement.Status.AWAITING_DECISION))
        .order_by("title")
    )
    submitted = set(
        AnnualReport.objects.filter(agreement__in=agreements)
        .submitted()
        .values_list("agreement_id", "year")
        .distinct()
    )
    today = timezone.localdate()
    rows = []
    for agreement in agreements:
        for year in agreement.years:
            if year > today.year:
                continue
            due = agreement.report_due_date(year)
            done = (agreement.pk, year) in submitted
            rows.append(
                {
                    "agreement": agreement,
                    "year": year,
                    "due": due,
                    "submitted": done,
                    "late": not done and today > due,
                }
            )
    rows.sort(key=lambda row: (row["submitted"], row["due"]))
    return render(request, "reporting/overview.html", {"rows": rows})


def index(request: AuthedHttpRequest, agreement_id: int) -> HttpResponse:
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    reports = AnnualReport.objects.filter(agreement=agreement)
    if not request.user.has_role(*CAN_SEE_DRAFT_REPORT):
        reports = reports.submitted()
    latest: dict[int, Any] = {
        row["year"]: row
        for row in reports.values("year").annotate(
            versions=Count("pk"),
            latest=Max("version"),
            submitted=Count("pk", filter=~Q(status=AnnualReport.Status.DRAFT)),
            first_submitted=Max("submitted_at"),
        )
    }
    budgets: dict[int, Any] = {
        row["year"]: row["budget_total"]
        for row in agreement.budgets.values("year").annotate(budget_total=Sum("cost_lines__amount"))
    }
    can_invoice = request.user.has_role(*CAN_SEE_INVOICE_BASIS)
    bases = (
        list(InvoiceBasis.objects.filter(agreement=agreement).select_related("party__organisation"))
        if can_invoice
        else []
    )
    today = timezone.localdate()
    years = []
    for year in agreement.years:
        due = agreement.report_due_date(year)
        row = latest.get(year, {})
        years.append(
            {
                "year": year,
                "budget_total": budgets.get(year),
                "has_budget": year in budgets,
                "due": due,
                "versions": row.get("versions", 0),
                "submitted": bool(row.get("submitted")),
                "late": not row.get("submitted") and today > due,
                "bases": [b for b in bases if b.year == year],
            }
        )
    return render(
        request,
        "reporting/index.html",
        {
            "agreement": agreement,
            "years": years,
            "can_invoice": can_invoice,
            "final_due": final_report_due_date(agreement),
            "final_submitted": agreement.final_reports.submitted().exists(),
        },
    )


# --------------------------------------------------------------------------- annual and final report
# What the annual report's pages (below) and the final report's (views_final.py) share.


def narrative_form(
    agreement: Agreement, report: AnnualReport | FinalReport, data: Any = None
) -> NarrativeForm:
    """The draft's narratives, annual or final, with a field for each indicator the system
    cannot measure."""
    form_class = FinalNarrativeForm if isinstance(report, FinalReport) else NarrativeForm
    manual = Indicator.objects.filter(goal__agreement=agreement, metric=Indicator.Metric.MANUAL)
    return form_class(data, instance=report, manual_indicators=list(manual))


def submission_dates(submittable_from: datetime.date) -> dict[str, Any]:
    """When the report may be submitted, and whether that day has come."""
    return {
        "submittable_from": submittable_from,
        "period_has_ended": timezone.localdate() >= submittable_from,
    }


def report_page_context(
    request: AuthedHttpRequest,
    agreement: Agreement,
    report: AnnualReport | FinalReport,
    document: dict[str, Any],
    *,
    versions: AnnualReportQuerySet | FinalReportQuerySet,
    form: NarrativeForm | None,
    submittable_from: datetime.date,
    documents_key: str,
    jobs: QuerySet[RenderJob],
) -> dict[str, Any]:
    """An annual or final report's page: the report as a `document`, every version of it
    (`versions`, newest first) the user may read, the draft's form for those who may edit
    it, the correction form on the latest submitted version, the attachments and the
    user's last renders among `jobs`."""
    can_edit = request.user.has_role(*CAN_EDIT_REPORT)
    if not request.user.has_role(*CAN_SEE_DRAFT_REPORT):
        versions = versions.submitted()
    readable = list(versions.only("version", "status", "submitted_at", "agreement_id"))
    is_latest = report.pk is None or (bool(readable) and readable[0].pk == report.pk)
    if form is None and can_edit and not report.is_submitted:
        form = narrative_form(agreement, report)
    return {
        **document,
        "agreement": agreement,
        "versions": readable,
        "is_latest": is_latest,
        "can_edit": can_edit,
        "form": form,
        **submission_dates(submittable_from),
        "correction_form": CorrectionForm()
        if can_edit and report.is_submitted and is_latest
        else None,
        "documents": report_documents(request.user, agreement, documents_key),
        "jobs": jobs.filter(agreement=agreement, requested_by=request.user).only(
            "pk", "status", "created_at", "agreement_id", "year"
        )[:3],
    }


def confirmation_context(
    agreement: Agreement,
    document: dict[str, Any],
    form: SubmitForm,
    submittable_from: datetime.date,
) -> dict[str, Any]:
    """The confirmation before an annual or final report is submitted: the report as a
    `document` and the submit form."""
    return {
        **document,
        "agreement": agreement,
        "submit_form": form,
        **submission_dates(submittable_from),
    }


def report_version(request: AuthedHttpRequest) -> int | None:
    """The version of the report the page or the PDF is asked for (`?version=`)."""
    value = (request.POST if request.method == "POST" else request.GET).get("version")
    return int(value) if value and value.isdigit() else None


def correct_report(request: AuthedHttpRequest, report: Any, start: Callable[..., Any]) -> None:
    """Start a correction of a submitted report (annual or final) with the reason the form
    gives, through the report's verb `start`; the outcome is told as a message."""
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ange varför rapporten rättas."))
        return
    try:
        new = start(
            report=report,
            reason=form.cleaned_data["reason"],
            user=request.user,
            audit=AuditContext.from_request(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Version %(v)s är skapad som utkast. Version %(old)s finns kvar som den lämnades in.")
            % {"v": new.version, "old": report.version},
        )


def order_report_pdf(
    request: AuthedHttpRequest, report: AnnualReport | FinalReport
) -> HttpResponse:
    """Render the report's PDF in the background and show the job."""
    job = request_report_pdf(
        report=report, user=request.user, audit=AuditContext.from_request(request)
    )
    messages.info(request, _("PDF:en tas fram. Sidan visar när den är klar."))
    return redirect("reporting:render_job", job.pk)


def submitted_pdf(
    request: AuthedHttpRequest, report: AnnualReport | FinalReport, filename: str
) -> HttpResponse:
    """The PDF frozen with a submitted version; until it is rendered, the version's page
    says so."""
    if not report.is_submitted or report.pdf is None:
        messages.info(
            request,
            _("PDF:en för den inlämnade versionen är inte klar än. Försök igen om en stund."),
        )
        return redirect(report)
    return _pdf_response(report.pdf, filename)


# --------------------------------------------------------------------------- annual report


def _annual_report_page(
    request: AuthedHttpRequest,
    agreement: Agreement,
    year: int,
    report: AnnualReport,
    form: NarrativeForm | None = None,
) -> dict[str, Any]:
    context = report_page_context(
        request,
        agreement,
        report,
        annual_report_context(report),
        versions=AnnualReport.objects.for_year(agreement, year),
        form=form,
        submittable_from=figures.submittable_from(agreement, year),
        documents_key=annual_report_key(year),
        jobs=RenderJob.objects.filter(year=year, is_final=False),
    )
    # Each figure links to the participants counted in it, for users who work with
    # participants (finance and the steering group get plain numbers).
    figure_links = None
    if works_with_participants(request.user):
        figure_links = reverse("reporting:figure_participants", args=[agreement.pk, year, "x"])
        figure_links = figure_links.removesuffix("x/")
    return {**context, "year": year, "figure_links": figure_links}


def annual_report(request: AuthedHttpRequest, agreement_id: int, year: int) -> HttpResponse:
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    if (bad := _year_or_redirect(request, agreement, year)) is not None:
        return bad
    report = access.access_annual_report(request.user, agreement, year, report_version(request))
    context = _annual_report_page(request, agreement, year, report)
    return render(request, "reporting/annual_report.html", context)


FIGURE_LABELS = {
    "enrolled": _lazy("Inskrivna under året"),
    "new": _lazy("Nya under året"),
    "active_at_end": _lazy("Aktiva vid årets slut"),
    "exited": _lazy("Avslutade under året"),
    "to_work": _lazy("Avslutade till arbete (med eller utan stöd)"),
    "to_studies": _lazy("Avslutade till studier"),
    "on_income_support_at_start": _lazy("Avslutade som hade försörjningsstöd vid start"),
    "left_income_support": _lazy("Lämnat försörjningsstöd (av dem som hade det vid start)"),
    "assessed": _lazy("Bedömda deltagare (stegförflyttning)"),
    "progressed": _lazy("Stegförflyttning uppåt"),
    "regressed": _lazy("Stegförflyttning nedåt"),
}
FIGURE_PAGE_SIZE = 100


def figure_participants(
    request: AuthedHttpRequest, agreement_id: int, year: int, figure: str
) -> HttpResponse:
    """The participants counted in one figure of the year's annual report, as far as the
    user may see them. The figure is selected by codes only (key, gender, exit outcome) and
    listed with the same queryset reporting.figures counts it with."""
    user = request.user
    agreement = access.access_agreement_for_figure_participants(user, agreement_id)
    gender = request.GET.get("gender", "")
    outcome = request.GET.get("outcome", "")
    if (
        figure not in figures.FIGURE_KEYS
        or (gender and gender not in Gender.values)
        or (outcome and (outcome not in ExitOutcome.values or figure != "exited"))
        or not agreement.covers_year(year)
    ):
        raise Http404
    start, end = figures.period(agreement, year)
    counted = figures.figure_enrolments(
        agreement, start, end, figure, gender=gender, outcome=outcome
    )
    visible = visible_enrolments(user, agreements=[agreement], enrolments=counted)
    how = (
        Count("participant", distinct=True)
        if figures.figure_counts_participants(figure)
        else Count("pk")
    )
    total = counted.aggregate(n=how)["n"]
    shown = visible.aggregate(n=how)["n"]
    rows = (
        visible.select_related("participant", "phase")
        .annotate(show_identity=shows_identity(user))
        .order_by("start_date", "pk")
    )
    page = Paginator(rows, FIGURE_PAGE_SIZE).get_page(request.GET.get("page"))
    log_access(
        request,
        [e.participant_id for e in page],
        action=AccessLog.Action.VIEW,
        what="årsrapport",
    )
    codes = urlencode({k: v for k, v in (("gender", gender), ("outcome", outcome)) if v})
    return render(
        request,
        "reporting/figure_participants.html",
        {
            "agreement": agreement,
            "year": year,
            "figure_label": FIGURE_LABELS[figure],
            "gender_label": Gender(gender).label if gender else "",
            "outcome_label": ExitOutcome(outcome).label if outcome else "",
            "page": page,
            "total": total,
            "shown": shown,
            "codes": codes,
            "report_submitted": AnnualReport.objects.for_year(agreement, year).submitted().exists(),
        },
    )


@require_POST
def annual_report_save(request: AuthedHttpRequest, agreement_id: int, year: int) -> HttpResponse:
    """Save the draft; with intent=review, save and go on to the confirmation before
    submitting. The page's script posts here too (X-Requested-With: fetch) to save the
    draft automatically, and gets a short JSON answer instead of a page."""
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    require_role(request.user, CAN_EDIT_REPORT)
    if (bad := _year_or_redirect(request, agreement, year)) is not None:
        return bad
    report = access.access_annual_report(request.user, agreement, year)
    form = narrative_form(agreement, report, request.POST)
    autosave = request.headers.get("X-Requested-With") == "fetch"
    if form.is_valid():
        try:
            save_narrative(
                agreement=agreement,
                year=year,
                data=form.data_for_save(),
                user=request.user,
                audit=AuditContext.from_request(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
    if autosave:
        if form.errors:
            return JsonResponse(
                {"message": _("Utkastet kunde inte sparas automatiskt: rätta felen och spara.")},
                status=400,
            )
        when = timezone.localtime().strftime("%H:%M")
        return JsonResponse({"message": _("Utkastet sparades kl. %(time)s.") % {"time": when}})
    if form.errors:
        context = _annual_report_page(request, agreement, year, report, form=form)
        return render(request, "reporting/annual_report.html", context, status=400)
    if request.POST.get("intent") == "review":
        return redirect("reporting:annual_report_confirm", agreement.pk, year)
    messages.success(request, _("Årsrapporten är sparad."))
    return redirect("reporting:annual_report", agreement.pk, year)


def _confirm_page(
    request: AuthedHttpRequest,
    agreement: Agreement,
    year: int,
    report: AnnualReport,
    form: SubmitForm,
    status: int = 200,
) -> HttpResponse:
    context = confirmation_context(
        agreement, annual_report_context(report), form, figures.submittable_from(agreement, year)
    )
    context["year"] = year
    return render(request, "reporting/annual_report_confirm.html", context, status=status)


def annual_report_confirm(request: AuthedHttpRequest, agreement_id: int, year: int) -> HttpResponse:
    """What submitting will freeze, and the button that does it."""
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    require_role(request.user, CAN_EDIT_REPORT)
    if (bad := _year_or_redirect(request, agreement, year)) is not None:
        return bad
    report = access.access_annual_report(request.user, agreement, year)
    if report.is_submitted:
        messages.info(request, _("Årsrapporten för %(year)s är redan inlämnad.") % {"year": year})
        return redirect("reporting:annual_report", agreement.pk, year)
    return _confirm_page(request, agreement, year, report, SubmitForm())


@require_POST
def annual_report_submit(request: AuthedHttpRequest, agreement_id: int, year: int) -> HttpResponse:
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    require_role(request.user, CAN_EDIT_REPORT)
    if (bad := _year_or_redirect(request, agreement, year)) is not None:
        return bad
    form = SubmitForm(request.POST)
    form.is_valid()
    try:
        report = submit_annual_report(
            agreement=agreement,
            year=year,
            accept_warnings=form.cleaned_data.get("accept_warnings", False),
            user=request.user,
            audit=AuditContext.from_request(request),
        )
    except ValidationError as exc:
        code = getattr(exc, "code", None)
        if code == "already_submitted":
            messages.error(request, " ".join(exc.messages))
            return redirect("reporting:annual_report", agreement.pk, year)
        form.add_error("accept_warnings" if code == "warnings" else None, exc)
        report = access.access_annual_report(request.user, agreement, year)
        return _confirm_page(request, agreement, year, report, form, status=400)
    messages.success(
        request,
        _(
            "Årsrapporten för %(year)s är inlämnad som version %(v)s. Siffrorna är frysta; "
            "PDF:en tas fram i bakgrunden."
        )
        % {"year": year, "v": report.version},
    )
    return redirect("reporting:annual_report", agreement.pk, year)


@require_POST
def annual_report_correct(request: AuthedHttpRequest, agreement_id: int, year: int) -> HttpResponse:
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    require_role(request.user, CAN_EDIT_REPORT)
    if (bad := _year_or_redirect(request, agreement, year)) is not None:
        return bad
    report = access.access_annual_report(request.user, agreement, year)
    correct_report(request, report, start_correction)
    return redirect("reporting:annual_report", agreement.pk, year)


@require_POST
def annual_report_render(request: AuthedHttpRequest, agreement_id: int, year: int) -> HttpResponse:
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    if (bad := _year_or_redirect(request, agreement, year)) is not None:
        return bad
    report = access.access_annual_report(request.user, agreement, year, report_version(request))
    return order_report_pdf(request, report)


def annual_report_pdf(
    request: AuthedHttpRequest, agreement_id: int, year: int, version: int
) -> HttpResponse:
    """The frozen PDF of a submitted version, exactly as it was submitted."""
    agreement = access.access_agreement_for_reports(request.user, agreement_id)
    report = access.access_annual_report(request.user, agreement, year, version)
    return submitted_pdf(request, report, f"arsrapport-{agreement.short_id}-{year}-v{version}.pdf")


def render_job(request: AuthedHttpRequest, job_id: int) -> HttpResponse:
    job = access.access_render_job_by_id(request.user, job_id)
    template = (
        "reporting/_render_job_status.html"
        if request.headers.get("HX-Request")
        else "reporting/render_job.html"
    )
    return render(request, template, {"job": job, "agreement": job.agreement})


def render_job_pdf(request: AuthedHttpRequest, job_id: int) -> HttpResponse:
    job = access.access_render_job_by_id(request.user, job_id)
    if job.status != RenderJob.Status.READY:
        return redirect("reporting:render_job", job.pk)
    if job.is_final:
        return _pdf_response(job.pdf, f"slutrapport-{job.agreement.short_id}.pdf")
    return _pdf_response(job.pdf, f"arsrapport-{job.agreement.short_id}-{job.year}.pdf")


# --------------------------------------------------------------------------- invoice basis


def invoice_basis(request: AuthedHttpRequest, agreement_id: int, year: int) -> HttpResponse:
    """Every billing × period of the year with its issued bases and credit notes; a
    preview of the chosen one, issued from here (issuing twice shows the one issued)."""
    agreement = access.access_invoice_agreement(request.user, agreement_id)
    if (bad := _year_or_redirect(request, agreement, year)) is not None:
        return bad
    billings = figures.billings(agreement)
    periods = figures.periods(agreement, year)
    form = IssueForm(request.POST or request.GET or None, billings=billings, periods=periods)
    billing, period = form.selected()
    if request.method == "POST" and billing and period:
        try:
            basis = issue_invoice_basis(
                agreement=agreement,
                year=year,
                billing=billing,
                period_start=period.start,
                user=request.user,
                audit=AuditContext.from_request(request),
            )
        except AlreadyIssued as exc:
            messages.info(request, exc.messages[0])
            return redirect(exc.basis)
        except ValidationError as exc:
            refused = " ".join(exc.messages)
        else:
            messages.success(request, _("Fakturaunderlag %(n)s är utfärdat.") % {"n": basis.number})
            return redirect(basis)
    else:
        refused = None
    error = None
    context: dict[str, Any] = {}
    try:
        data = figures.freeze(
            figures.invoice_figures(
                agreement,
                year,
                billing=billing,
                period_start=period.start if period else None,
                all_billings=billings,
            )
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    else:
        context = invoice_basis_context(data, number=None, issued_on=None)
    context.update(
        {
            "agreement": agreement,
            "year": year,
            "error": error,
            "form": form,
            "refused": refused,
            "rows": invoicing.billing_rows(agreement, year, billings, periods),
            "billings": billings,
        }
    )
    return render(
        request,
        "reporting/invoice_basis.html",
        context,
        status=400 if (error or refused) and request.method == "POST" else 200,
    )


@require_POST
def invoice_basis_credit(
    request: AuthedHttpRequest, agreement_id: int, basis_id: int
) -> HttpResponse:
    basis = access.access_invoice_basis_by_id(request.user, agreement_id, basis_id)
    form = CreditForm(request.POST)
    if form.is_valid():
        try:
            credit = credit_invoice_basis(
                basis=basis,
                reason=form.cleaned_data["reason"],
                amount=form.cleaned_data["amount"],
                user=request.user,
                audit=AuditContext.from_request(request),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Kreditnota %(n)s är utfärdad.") % {"n": credit.number})
            return redirect(credit)
    context = invoice_basis_context(basis.figures, number=basis.number, issued_on=basis.issued_on)
    context.update(
        {"agreement": basis.agreement, "basis": basis, "year": basis.year, "credit_form": form}
    )
    return render(request, "reporting/invoice_basis_issued.html", context, status=400)


def _add_errors(form: CreditForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, exc)


def repayment_claim_pdf(
    request: AuthedHttpRequest, agreement_id: int, seller_id: int, buyer_id: int
) -> HttpResponse:
    """The repayment claim (återbetalningskrav) of a terminated agreement as PDF, with its
    basis of calculation."""
    agreement = access.access_invoice_agreement(request.user, agreement_id)
    billing = next(
        (
            b
            for b in figures.billings(agreement)
            if (b.seller.pk, b.buyer.pk) == (seller_id, buyer_id)
        ),
        None,
    )
    if billing is None:
        raise Http404
    try:
        data = invoicing.repayment_figures(agreement, billing, on=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reporting:index", agreement.pk)
    pdf = repayment_claim_pdf_bytes(data)
    return _pdf_response(pdf, f"aterbetalningskrav-{agreement.short_id}-{data['year']}.pdf")


def invoice_basis_draft_pdf(
    request: AuthedHttpRequest, agreement_id: int, year: int
) -> HttpResponse:
    agreement = access.access_invoice_agreement(request.user, agreement_id)
    if (bad := _year_or_redirect(request, agreement, year)) is not None:
        return bad
    billings = figures.billings(agreement)
    form = IssueForm(
        request.GET or None, billings=billings, periods=figures.periods(agreement, year)
    )
    billing, period = form.selected()
    try:
        data = figures.freeze(
            figures.invoice_figures(
                agreement,
                year,
                billing=billing,
                period_start=period.start if period else None,
                all_billings=billings,
            )
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reporting:invoice_basis", agreement.pk, year)
    pdf = invoice_basis_pdf(data, number=None, issued_on=None)
    return _pdf_response(pdf, f"fakturaunderlag-{agreement.short_id}-{year}-utkast.pdf")


def invoice_basis_issued(
    request: AuthedHttpRequest, agreement_id: int, basis_id: int
) -> HttpResponse:
    basis = access.access_invoice_basis_by_id(request.user, agreement_id, basis_id)
    context = invoice_basis_context(basis.figures, number=basis.number, issued_on=basis.issued_on)
    context.update(
        {
            "agreement": basis.agreement,
            "basis": basis,
            "year": basis.year,
            "credit_form": CreditForm(),
            "credit_notes": list(basis.credit_notes.order_by("pk")),
        }
    )
    return render(request, "reporting/invoice_basis_issued.html", context)


def invoice_basis_issued_pdf(
    request: AuthedHttpRequest, agreement_id: int, basis_id: int
) -> HttpResponse:
    basis = access.access_invoice_basis_by_id(request.user, agreement_id, basis_id)
    return _pdf_response(basis.pdf, f"fakturaunderlag-{basis.number}.pdf")


def invoice_basis_ubl(request: AuthedHttpRequest, agreement_id: int, basis_id: int) -> HttpResponse:
    basis = access.access_invoice_basis_by_id(request.user, agreement_id, basis_id)
    response = HttpResponse(document_xml(basis), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{basis.number}.xml"'
    return response
