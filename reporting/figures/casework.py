"""Casework: the coordinated plan, referrals and the hand-over at exit.

* Days from enrolment to an agreed plan, and the share of participants with a plan agreed
  by at least two agencies and the participant (Malmökraften's target: 90 %).
* Referrals per referring agency and month (Försäkringskassan refers 10–15 a month).
* Of the participants who left with sickness benefit at start, the share handed over to
  the Arbetsförmedlingen–Försäkringskassan cooperation (Malmökraften's target: 60 %).

Counts are plain numbers split by gender; reporting.casework puts them through the one
small-number policy (reporting/suppression.py) before anything is shown. Each function runs
one query whatever the size of the partnership.
"""

from __future__ import annotations

import datetime
import statistics
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from participants.models import Handover, IncomeSource, Referral

from .common import by_agreement, percent_of
from .participants import enrolments_in_period

# A multi-agency plan names at least this many responsible agencies.
MULTI_AGENCY = 2


def _agreed_by(end: datetime.date) -> Q:
    return Q(
        action_plan__first_agreed_on__lte=end, action_plan__agreed_agency_count__gte=MULTI_AGENCY
    )


def plan_agreement(agreements: Any, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """Per gender: participants enrolled in the period, those with a multi-agency plan agreed
    by the period's end; and the days from enrolment to the first agreed plan, over plans
    first agreed in the period (2 queries)."""
    population = enrolments_in_period(agreements, start, end)
    by_gender = {
        row["participant__gender"]: {"enrolled": row["enrolled"], "agreed": row["agreed"]}
        for row in population.values("participant__gender")
        .annotate(
            enrolled=Count("participant", distinct=True),
            agreed=Count("participant", filter=_agreed_by(end), distinct=True),
        )
        .order_by()
    }
    days = sorted(
        (agreed - started).days
        for started, agreed in population.filter(
            action_plan__first_agreed_on__range=(start, end)
        ).values_list("start_date", "action_plan__first_agreed_on")
    )
    return {
        "by_gender": by_gender,
        "days": {
            "n": len(days),
            "median": statistics.median(days) if days else None,
            "mean": round(statistics.fmean(days), 1) if days else None,
        },
    }


def referrals_by_agency_and_month(
    agreements: Any, start: datetime.date, end: datetime.date
) -> list[dict[str, Any]]:
    """Referrals dated in [start, end], per referring agency and month, by the participant's
    gender (1 query). A referral without a referring agency counts under ""."""
    rows = (
        Referral.objects.filter(by_agreement(agreements), date__range=(start, end))
        .annotate(month=TruncMonth("date"))
        .values("organisation__name", "month", "participant__gender")
        .annotate(n=Count("pk"))
        .order_by("organisation__name", "month", "participant__gender")
    )
    return [
        {
            "agency": row["organisation__name"] or "",
            "month": row["month"],
            "gender": row["participant__gender"],
            "n": row["n"],
        }
        for row in rows
    ]


def sickness_benefit_handover(
    agreements: Any, start: datetime.date, end: datetime.date
) -> dict[str, dict[str, int]]:
    """Per gender: exits in the period with sickness benefit at start, and of those the ones
    handed over to the Arbetsförmedlingen–Försäkringskassan cooperation (1 query)."""
    exits = enrolments_in_period(agreements, start, end).filter(
        exit_date__range=(start, end), income_at_start=IncomeSource.SICKNESS_BENEFIT
    )
    return {
        row["participant__gender"]: {"exits": row["exits"], "handed_over": row["handed_over"]}
        for row in exits.values("participant__gender")
        .annotate(
            exits=Count("participant", distinct=True),
            handed_over=Count(
                "participant",
                filter=Q(exit_record__handover=Handover.AF_FK),
                distinct=True,
            ),
        )
        .order_by()
    }


def plan_agreed_share(agreements: Any, start: datetime.date, end: datetime.date) -> Any:
    """The per cent of participants enrolled in the period with a multi-agency plan agreed
    by its end (2 queries): the annual report's and dashboards' measure of the target."""
    by_gender = plan_agreement(agreements, start, end)["by_gender"].values()
    return percent_of(sum(v["agreed"] for v in by_gender), sum(v["enrolled"] for v in by_gender))


def handover_share(agreements: Any, start: datetime.date, end: datetime.date) -> Any:
    """The per cent of exits with sickness benefit at start handed over to the
    Arbetsförmedlingen–Försäkringskassan cooperation (1 query)."""
    by_gender = sickness_benefit_handover(agreements, start, end).values()
    return percent_of(sum(v["handed_over"] for v in by_gender), sum(v["exits"] for v in by_gender))
