"""The casework figures as shown: every count of people through the one small-number
policy (reporting.suppression), gender columns related to their totals, months to the
agency's total, so no hidden cell can be worked out from the others."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from participants.models import Gender

from .figures import casework as casework_figures
from .suppression import Cell, Share, Suppressor, threshold

PLAN_TARGET_PERCENT = 90
HANDOVER_TARGET_PERCENT = 60


@dataclass
class GenderRow:
    label: str
    cells: list[Cell]
    total: Cell


@dataclass
class ReferralRow:
    agency: str
    months: list[Cell]
    total: Cell


@dataclass
class CaseworkTables:
    genders: list[tuple[str, str]]
    enrolled: GenderRow
    agreed: GenderRow
    agreed_share: Share
    days_n: int
    days_median: float | None
    days_mean: float | None
    sick_exits: GenderRow
    handed_over: GenderRow
    handover_share: Share
    months: list[datetime.date] = field(default_factory=list)
    referrals: list[ReferralRow] = field(default_factory=list)

    @property
    def days_hidden(self) -> bool:
        return 0 < self.days_n < threshold()


def _gender_row(s: Suppressor, label: str, values: dict[str, int], genders) -> GenderRow:
    cells = [s.cell(values.get(g, 0)) for g, _label in genders]
    return GenderRow(label, cells, s.total(cells, breakdown=True))


def _referral_rows(
    s: Suppressor, rows: list[dict[str, Any]]
) -> tuple[list[datetime.date], list[ReferralRow]]:
    months = sorted({r["month"] for r in rows})
    counts: dict[str, dict[datetime.date, int]] = {}
    for r in rows:
        per_agency = counts.setdefault(r["agency"], {})
        per_agency[r["month"]] = per_agency.get(r["month"], 0) + r["n"]
    result = []
    for agency, per_month in counts.items():
        cells = [s.cell(per_month.get(m, 0)) for m in months]
        result.append(ReferralRow(agency, cells, s.total(cells)))
    return months, result


def casework_tables(agreement: Any, start: datetime.date, end: datetime.date) -> CaseworkTables:
    """4 queries: plan agreement (2), referrals, sickness-benefit hand-over."""
    genders = [(value, str(label)) for value, label in Gender.choices]
    plan = casework_figures.plan_agreement(agreement, start, end)
    handover = casework_figures.sickness_benefit_handover(agreement, start, end)
    s = Suppressor()
    enrolled = _gender_row(
        s, "enrolled", {g: v["enrolled"] for g, v in plan["by_gender"].items()}, genders
    )
    agreed = _gender_row(
        s, "agreed", {g: v["agreed"] for g, v in plan["by_gender"].items()}, genders
    )
    sick = _gender_row(s, "sick", {g: v["exits"] for g, v in handover.items()}, genders)
    handed = _gender_row(s, "handed", {g: v["handed_over"] for g, v in handover.items()}, genders)
    months, referrals = _referral_rows(
        s, casework_figures.referrals_by_agency_and_month(agreement, start, end)
    )
    s.apply()
    return CaseworkTables(
        genders=genders,
        enrolled=enrolled,
        agreed=agreed,
        agreed_share=Share(agreed.total, enrolled.total),
        days_n=plan["days"]["n"],
        days_median=plan["days"]["median"],
        days_mean=plan["days"]["mean"],
        sick_exits=sick,
        handed_over=handed,
        handover_share=Share(handed.total, sick.total),
        months=months,
        referrals=referrals,
    )
