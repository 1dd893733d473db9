"""The annual and the final report as the pages read them: the current version and its
figures.

The writes (edit the narrative, submit, correct) are verbs in reporting/actions.py.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

from partnerships.document_access import documents_of_agreement, uploadable_kinds
from partnerships.models import Agreement, User

from . import figures
from .models import (
    AnnualReport,
    FinalReport,
    final_period_end,
    final_report_due_date,
)

NARRATIVE_FIELDS = AnnualReport.NARRATIVE_FIELDS
# The key a document of the archive keeps when it is attached to a report (hooks.py).
FINAL_REPORT_KEY = "slutrapport"


def annual_report_key(year: int) -> str:
    return f"arsrapport-{year}"


def report_documents(user: User, agreement: Agreement, key: str) -> dict[str, Any]:
    """The archived documents attached to a report, as far as the user may read them
    (the agreement's rule), and where to attach another one (1 query)."""
    documents = list(
        documents_of_agreement(user, agreement).filter(report=key, deleted_at__isnull=True)
    )
    may_attach = "agreement" in uploadable_kinds(user)
    attach_url = reverse("document_list", args=[agreement.pk]) + f"?attach_to=report-{key}"
    return {"list": documents, "attach_url": attach_url if may_attach else ""}


FINAL_NARRATIVE_FIELDS = FinalReport.NARRATIVE_FIELDS


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


def current_final_report(agreement: Agreement) -> FinalReport:
    """The latest version of the final report, or an unsaved draft when there is none."""
    report = FinalReport.objects.for_agreement(agreement).first()
    if report is None:
        report = FinalReport(agreement=agreement)
    return report


def final_report_figures(report: FinalReport) -> dict[str, Any]:
    """The final report's figures: frozen once submitted, computed live for a draft. Each
    year's manually entered outcomes come from that year's latest annual report."""
    if report.is_submitted and report.figures is not None:
        return report.figures
    agreement = report.agreement
    manual_by_year: dict[int, dict[str, Any]] = {}
    for year, outcomes in (
        AnnualReport.objects.filter(agreement=agreement)
        .order_by("year", "version")
        .values_list("year", "manual_outcomes")
    ):
        manual_by_year[year] = outcomes or {}  # the latest version wins
    return figures.freeze(
        figures.final_report_figures(
            agreement,
            final_period_end(agreement),
            final_report_due_date(agreement),
            report.manual_outcomes,
            manual_by_year,
        )
    )


def final_submittable_from(agreement: Agreement) -> datetime.date:
    """The first day the final report may be submitted: the day after the period ends."""
    return final_period_end(agreement) + datetime.timedelta(days=1)
