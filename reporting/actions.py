"""Reporting's verbs: every write that touches more than one row or freezes a version.

Each verb takes keyword arguments only, the acting user and the audit context (never the
request), and owns its transaction. Bad input (a year outside the agreement, no budget,
shares that do not add up, submitting twice, editing a submitted report) is refused with
a ValidationError whose Swedish message the view shows as it is; nothing is saved.

The readers the verbs share with the pages are in annual.py (the current report and its
figures), invoicing.py (invoice numbers) and figures/.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from iop.audit import AuditContext
from partnerships.models import Agreement, AgreementParty, User

from . import figures
from .annual import NARRATIVE_FIELDS
from .documents import invoice_basis_pdf
from .invoicing import next_number
from .models import AnnualReport, InvoiceBasis, RenderJob
from .tasks import enqueue_render_job

# The audit context is part of every verb's signature so that callers pass it the same
# way in every app; reporting keeps its trail in the rows themselves (submitted_by,
# requested_by, created_by) and writes no separate log.

# --------------------------------------------------------------------------- annual report


def _refuse_if_submitted(report: AnnualReport) -> None:
    if report.is_submitted:
        raise ValidationError(
            _(
                "Årsrapporten för %(year)s (version %(v)s) är inlämnad och kan inte ändras. "
                "Skapa en rättelse för att göra ändringar."
            )
            % {"year": report.year, "v": report.version},
            code="submitted",
        )


@transaction.atomic
def save_narrative(
    *, agreement: Agreement, year: int, data: dict[str, Any], user: User, audit: AuditContext
) -> AnnualReport:
    """Save the narrative parts and manually entered outcomes of the year's draft."""
    figures.check_year(agreement, year)
    Agreement.objects.select_for_update().filter(pk=agreement.pk).get()
    report = AnnualReport.objects.for_year(agreement, year).first()
    if report is None:
        report = AnnualReport(agreement=agreement, year=year)
    _refuse_if_submitted(report)
    for name in NARRATIVE_FIELDS:
        if name in data:
            setattr(report, name, data[name])
    if "manual_outcomes" in data:
        report.manual_outcomes = {
            key: str(value)
            for key, value in data["manual_outcomes"].items()
            if value not in (None, "")
        }
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def submit_annual_report(
    *,
    agreement: Agreement,
    year: int,
    accept_warnings: bool = False,
    user: User,
    audit: AuditContext,
) -> AnnualReport:
    """Freeze the figures of the year's draft and mark it submitted; the PDF follows.

    Refuses a report already submitted, one with blocking problems (no budget, shares that
    do not add up), and, unless `accept_warnings`, one with data-quality warnings.
    """
    figures.check_year(agreement, year)
    _refuse_before_year_end(agreement, year)
    # Serialise submissions of the same agreement: two clicks must not both pass.
    Agreement.objects.select_for_update().filter(pk=agreement.pk).get()
    report = AnnualReport.objects.for_year(agreement, year).first()
    if report is None:
        report = AnnualReport.objects.create(agreement=agreement, year=year)
    if report.is_submitted:
        raise ValidationError(
            _("Årsrapporten för %(year)s är redan inlämnad (version %(v)s).")
            % {"year": year, "v": report.version},
            code="already_submitted",
        )
    data = figures.annual_report_figures(agreement, year, report.manual_outcomes)
    _refuse_if_not_ready(data["quality"], accept_warnings=accept_warnings)
    report.figures = figures.freeze(data)
    report.agreement_version_id = data["version_id"]
    report.status = AnnualReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = user
    report.save()
    # The PDF is rendered from the frozen figures, so rendering it after the commit
    # (in the background) still shows the report exactly as it was submitted.
    _record_render_job(report=report, user=user)
    return report


def _refuse_before_year_end(agreement: Agreement, year: int) -> None:
    first_day = figures.submittable_from(agreement, year)
    if timezone.localdate() < first_day:
        raise ValidationError(
            _(
                "Året %(year)s är inte slut än. Årsrapporten kan lämnas in från och med "
                "%(day)s, när årets siffror är kompletta. Fram till dess kan du spara utkastet."
            )
            % {"year": year, "day": first_day.isoformat()},
            code="year_not_ended",
        )


def _refuse_if_not_ready(quality: dict[str, Any], *, accept_warnings: bool) -> None:
    if quality["blocking"]:
        raise ValidationError(
            [_("Årsrapporten kan inte lämnas in:")] + quality["blocking"], code="blocking"
        )
    if quality["warnings"] and not accept_warnings:
        raise ValidationError(
            _(
                "Kvalitetskontrollen hittade %(n)s brister. Åtgärda dem eller bekräfta att "
                "rapporten ska lämnas in ändå."
            )
            % {"n": len(quality["warnings"])},
            code="warnings",
        )


@transaction.atomic
def start_correction(
    *, report: AnnualReport, reason: str, user: User, audit: AuditContext
) -> AnnualReport:
    """Open a new draft version of a submitted report; the submitted one stays as it was."""
    Agreement.objects.select_for_update().filter(pk=report.agreement_id).get()
    report = AnnualReport.objects.get(pk=report.pk)
    latest = AnnualReport.objects.for_year(report.agreement, report.year).first()
    if not report.is_submitted or latest is None or latest.pk != report.pk:
        raise ValidationError(
            _("Det finns redan ett utkast till rättelse för %(year)s.") % {"year": report.year},
            code="draft_exists",
        )
    if not reason.strip():
        raise ValidationError(_("Ange varför rapporten rättas."), code="reason_missing")
    number = (
        AnnualReport.objects.filter(agreement_id=report.agreement_id, year=report.year).aggregate(
            n=Max("version")
        )["n"]
        + 1
    )
    return AnnualReport.objects.create(
        agreement_id=report.agreement_id,
        year=report.year,
        version=number,
        previous=report,
        correction_reason=reason.strip(),
        activities=report.activities,
        went_well=report.went_well,
        went_badly=report.went_badly,
        manual_outcomes=report.manual_outcomes,
    )


@transaction.atomic
def request_report_pdf(*, report: AnnualReport, user: User, audit: AuditContext) -> RenderJob:
    """Record a render job for the report (draft or submitted) and queue it after commit."""
    return _record_render_job(report=report, user=user)


def _record_render_job(*, report: AnnualReport, user: User) -> RenderJob:
    # Keep one finished PDF per user and report year: older renders are superseded.
    RenderJob.objects.filter(
        agreement_id=report.agreement_id, year=report.year, requested_by=user
    ).exclude(status=RenderJob.Status.PENDING).delete()
    job = RenderJob.objects.create(
        agreement_id=report.agreement_id,
        year=report.year,
        report=report if report.pk else None,
        requested_by=user,
    )
    transaction.on_commit(lambda: enqueue_render_job(job.pk))
    return job


# --------------------------------------------------------------------------- invoice basis


@transaction.atomic
def issue_invoice_basis(
    *,
    agreement: Agreement,
    year: int,
    party: AgreementParty | None = None,
    issued_on: datetime.date | None = None,
    user: User | None,
    audit: AuditContext,
) -> InvoiceBasis:
    """Number, date and freeze the invoice basis to `party` (default: the public funder).

    Refuses, with a Swedish ValidationError and nothing saved, a year outside the
    agreement, a year without budget, shares that do not add up, a party without a share.
    `user` is None when a command or the demo data issues it.
    """
    # Numbers are per agreement and year: lock the agreement so two issues cannot collide.
    Agreement.objects.select_for_update().filter(pk=agreement.pk).get()
    data = figures.freeze(figures.invoice_figures(agreement, year, party))
    issued_on = issued_on or timezone.localdate()
    basis = InvoiceBasis(
        agreement=agreement,
        year=year,
        party_id=data["party_id"],
        number=next_number(agreement, year),
        issued_on=issued_on,
        amount=data["amount"],
        agreement_version_id=data["version_id"],
        figures=data,
        created_by=user,
    )
    basis.pdf = invoice_basis_pdf(data, number=basis.number, issued_on=issued_on)
    basis.save()
    return basis


@transaction.atomic
def latest_or_issue(
    *, agreement: Agreement, year: int, user: User | None = None, audit: AuditContext
) -> tuple[InvoiceBasis, bool]:
    """The latest basis issued for the year, or a newly issued one (for the command)."""
    existing = (
        InvoiceBasis.objects.filter(agreement=agreement, year=year)
        .order_by("-created_at", "-pk")
        .first()
    )
    if existing is not None:
        return existing, False
    return issue_invoice_basis(agreement=agreement, year=year, user=user, audit=audit), True
