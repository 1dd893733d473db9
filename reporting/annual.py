"""Annual report workflows: edit the narrative, submit (freeze), correct (new version)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.models import Agreement, User

from . import figures
from .models import AnnualReport

NARRATIVE_FIELDS = ("activities", "went_well", "went_badly")


def current_report(agreement: Agreement, year: int) -> AnnualReport:
    """The latest version for the year, or an unsaved draft when there is none yet."""
    figures.check_year(agreement, year)
    report = AnnualReport.objects.for_year(agreement, year).first()
    if report is None:
        report = AnnualReport(agreement=agreement, year=year)
    return report


def report_figures(report: AnnualReport) -> dict[str, Any]:
    """The figures the report shows: frozen once submitted, computed live for a draft."""
    if report.is_submitted and report.figures is not None:
        return report.figures
    return figures.freeze(
        figures.annual_report_figures(report.agreement, report.year, report.manual_outcomes)
    )


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
    *, agreement: Agreement, year: int, user: User, data: dict[str, Any]
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
    *, agreement: Agreement, year: int, user: User, accept_warnings: bool = False
) -> AnnualReport:
    """Freeze the figures of the year's draft and mark it submitted; the PDF follows.

    Refuses a report already submitted, one with blocking problems (no budget, shares that
    do not add up), and, unless `accept_warnings`, one with data-quality warnings.
    """
    figures.check_year(agreement, year)
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
    quality = data["quality"]
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
    report.figures = figures.freeze(data)
    report.agreement_version_id = data["version_id"]
    report.status = AnnualReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = user
    report.save()
    # The PDF is rendered from the frozen figures, so rendering it after the commit
    # (in the background) still shows the report exactly as it was submitted.
    from .tasks import request_report_pdf

    request_report_pdf(report=report, user=user)
    return report


@transaction.atomic
def start_correction(*, report: AnnualReport, user: User, reason: str) -> AnnualReport:
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
