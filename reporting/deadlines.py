"""Annual reports due: reporting's deadlines on the start page, in the feed and reminders.

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

from .models import AnnualReport

ANNUAL_REPORT = "annual_report"


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
