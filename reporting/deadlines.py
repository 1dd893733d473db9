"""Annual and final reports due: reporting's deadlines on the start page, in the feed and reminders.

Contributed to partnerships' deadline list through partnerships.hooks (see hooks.py).
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerships.deadlines import Deadline
from partnerships.hooks import DeadlineSource
from partnerships.models import Agreement

from .models import AnnualReport, FinalReport, final_report_due_date

ANNUAL_REPORT = "annual_report"
FINAL_REPORT = "final_report"


def annual_report_deadlines(agreements: list[Agreement], today: datetime.date) -> list[Deadline]:
    """Every annual report of the agreements' years not yet submitted, due or overdue
    (1 query). A terminated agreement owes reports up to the year it ended."""
    submitted = set(
        AnnualReport.objects.filter(agreement_id__in=[a.pk for a in agreements])
        .submitted()
        .values_list("agreement_id", "year")
    )
    found = []
    for agreement in agreements:
        last_year = agreement.end_date.year
        if agreement.status == Agreement.Status.TERMINATED and agreement.terminated_on:
            last_year = min(last_year, agreement.terminated_on.year)
        for year in range(agreement.start_date.year, last_year + 1):
            if (agreement.pk, year) in submitted:
                continue
            due = agreement.report_due_date(year)
            found.append(
                Deadline(
                    key=f"{ANNUAL_REPORT}:{agreement.pk}:{year}",
                    kind=ANNUAL_REPORT,
                    date=due,
                    title=_("Årsrapporten för %(year)s ska lämnas") % {"year": year},
                    agreement_id=agreement.pk,
                    agreement_title=agreement.title,
                    url=reverse("reporting:annual_report", args=[agreement.pk, year]),
                    overdue=due < today,
                )
            )
    return found


ANNUAL_REPORTS_DUE = DeadlineSource(
    kind=ANNUAL_REPORT, label=gettext_lazy("Årsrapport"), deadlines=annual_report_deadlines
)


def final_report_deadlines(agreements: list[Agreement], today: datetime.date) -> list[Deadline]:
    """The final report of every agreement not yet submitted, due a set number of months
    (IOP_FINAL_REPORT_MONTHS) after the period ends (1 query)."""
    submitted = set(
        FinalReport.objects.filter(agreement_id__in=[a.pk for a in agreements])
        .submitted()
        .values_list("agreement_id", flat=True)
    )
    found = []
    for agreement in agreements:
        if agreement.pk in submitted:
            continue
        due = final_report_due_date(agreement)
        found.append(
            Deadline(
                key=f"{FINAL_REPORT}:{agreement.pk}:period",
                kind=FINAL_REPORT,
                date=due,
                title=_("Slutrapporten ska lämnas"),
                agreement_id=agreement.pk,
                agreement_title=agreement.title,
                url=reverse("reporting:final_report", args=[agreement.pk]),
                overdue=due < today,
            )
        )
    return found


FINAL_REPORT_DUE = DeadlineSource(
    kind=FINAL_REPORT, label=gettext_lazy("Slutrapport"), deadlines=final_report_deadlines
)
