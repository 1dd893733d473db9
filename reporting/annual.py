"""The annual report as the pages read it: the current version and its figures.

The writes (edit the narrative, submit, correct) are verbs in reporting/actions.py.
"""

from __future__ import annotations

from typing import Any

from partnerships.models import Agreement

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
