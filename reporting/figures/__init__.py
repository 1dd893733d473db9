"""Every figure the reports show, computed in one place.

These are plain functions over the other apps' data, one module per topic: the period
and version (period.py), money (money.py), the invoice basis (invoice.py), goals
(goals.py), participants (participants.py), meetings (meetings.py) and the annual report as
a whole (report.py), and the final report over every year (final.py). The HTML preview, the PDF, the frozen snapshot of a submitted report
and the steering-group dashboards all call them, so a number can only ever be computed one
way; the annual report's drill-down lists the enrolments behind a participant figure with
the very filter that counts them (figure_enrolments). They aggregate in the database and
run a fixed number of queries whatever the size of the partnership.

Results are plain dicts and lists of Decimals, ints, strings and booleans (no model
instances), so that they can be frozen as JSON and rendered again from the JSON exactly as
from the live data. Templates therefore never compare numbers: every flag (late,
overcompensated, target met) is computed here.

Callers import the package (`from reporting import figures`; `figures.period(...)`).
"""

from .billing import Billing, Period, billings, find_period, periods
from .common import HUNDRED, MONEY_ZERO, ZERO, by_agreement, percent_of
from .final import final_report_figures
from .goals import goal_fulfilment
from .governance import obstacle_figures, risk_figures, stage_figures
from .invoice import allocate, invoice_figures, public_parties, year_amount
from .meetings import followups_by_agreement, meeting_statistics
from .money import budget_by_agreement, budget_for, financial_account
from .participants import (
    ENROLMENT_FIGURES,
    FIGURE_KEYS,
    STEP_FIGURES,
    contact_statistics,
    enrolments_in_period,
    figure_counts_participants,
    figure_enrolments,
    monthly_activity,
    monthly_participant_flow,
    outreach_visits_by_gender,
    participant_data_quality,
    participant_statistics,
    participants_active_by_agreement,
    step_progression,
    step_progression_by_gender,
)
from .period import (
    check_year,
    period,
    period_label,
    submittable_from,
    version_for_year,
    version_info,
)
from .report import annual_report_figures, freeze

__all__ = [
    "ENROLMENT_FIGURES",
    "FIGURE_KEYS",
    "HUNDRED",
    "MONEY_ZERO",
    "STEP_FIGURES",
    "ZERO",
    "allocate",
    "obstacle_figures",
    "risk_figures",
    "stage_figures",
    "annual_report_figures",
    "final_report_figures",
    "budget_by_agreement",
    "budget_for",
    "by_agreement",
    "check_year",
    "contact_statistics",
    "enrolments_in_period",
    "figure_counts_participants",
    "figure_enrolments",
    "financial_account",
    "followups_by_agreement",
    "freeze",
    "goal_fulfilment",
    "invoice_figures",
    "Billing",
    "Period",
    "billings",
    "find_period",
    "periods",
    "year_amount",
    "meeting_statistics",
    "monthly_activity",
    "monthly_participant_flow",
    "participant_data_quality",
    "participant_statistics",
    "outreach_visits_by_gender",
    "participants_active_by_agreement",
    "percent_of",
    "period",
    "period_label",
    "submittable_from",
    "public_parties",
    "step_progression",
    "step_progression_by_gender",
    "version_for_year",
    "version_info",
]
