"""The final report (slutrapport) as a whole: every year of the agreement and the total.

Each year is the annual report's figures for that year (report.py), so a year reads the
same in the final report as in its annual report; the whole period adds the totals that
cannot be summed from the years (a participant enrolled in two years is one person), the
money summed per cost line and per funder, and how the risks developed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from partnerships.models import Agreement, Indicator

from .common import ZERO, percent_of
from .goals import goal_fulfilment
from .governance import obstacle_figures, risk_figures, risk_history, stage_figures
from .participants import contact_statistics, participant_statistics, step_progression
from .period import version_info
from .report import annual_report_figures, measured_outcomes


def final_report_figures(
    agreement: Agreement,
    end: datetime.date,
    due: datetime.date,
    manual_outcomes: dict[str, Any] | None = None,
    manual_by_year: dict[int, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Everything countable in the final report over [start_date, end], ready to freeze.

    `manual_by_year` holds each year's manually entered outcomes (from its annual report);
    `manual_outcomes` the final report's own, for the whole period.
    """
    start = agreement.start_date
    manual_by_year = manual_by_year or {}
    years = [
        annual_report_figures(agreement, year, manual_by_year.get(year))
        for year in range(start.year, end.year + 1)
    ]
    participants = participant_statistics(agreement, start, end)
    steps = step_progression(agreement, start, end)
    contacts = contact_statistics(agreement, start, end)
    total_goals = goal_fulfilment(
        agreement,
        end.year,
        measured_outcomes(participants, steps, contacts, agreement, start, end),
        manual_outcomes,
    )
    blocking: list[str] = []
    warnings: list[str] = []
    for data in years:
        label = str(data["year"])
        blocking += [f"{label}: {item}" for item in data["quality"]["blocking"]]
        warnings += [f"{label}: {item}" for item in data["quality"]["warnings"]]
    goals = _goals_over_years(years, total_goals)
    warnings += [
        _("Fyll i utfallet för hela perioden för indikatorn ”%(name)s”.") % {"name": row["name"]}
        for row in goals
        if not row["is_goal"] and row["is_manual"] and row["total"]["outcome"] is None
    ]
    version = years[-1]["version"] if years else version_info(None)
    return {
        "agreement": {
            "title": agreement.title,
            "short_id": agreement.short_id,
            "decision_reference": agreement.decision_reference,
            "capacity": agreement.capacity,
            "background": agreement.background,
            "purpose": agreement.purpose,
            "target_group": agreement.target_group,
        },
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "due_date": due.isoformat(),
        "version": version,
        "version_id": years[-1]["version_id"] if years else None,
        "years": years,
        "goals": goals,
        "participants": participants,
        "steps": steps,
        "contacts": contacts,
        "money": _money_over_years(years),
        "stages": stage_figures(agreement, start, end),
        "risks": risk_figures(agreement),
        "risk_history": risk_history(agreement),
        "obstacles": obstacle_figures(agreement),
        "quality": {"blocking": blocking, "warnings": warnings},
    }


def _goals_over_years(
    years: list[dict[str, Any]], total_goals: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One row per indicator: target and outcome per year, and over the whole period.

    The whole period's outcome is measured over the period (a share of all exits, the
    people enrolled at any time); its target is the last year's for a percentage and the
    sum of the years' targets for a count.
    """
    per_year: dict[int, list[dict[str, Any]]] = {}
    for data in years:
        for goal in data["goals"]:
            for ind in goal["indicators"]:
                per_year.setdefault(ind["id"], []).append(
                    {"year": data["year"], **_cell(ind["target"], ind["outcome"], ind)}
                )
    rows = []
    for goal in total_goals:
        rows.append({"goal": goal["title"], "level": goal["level"], "is_goal": True})
        for ind in goal["indicators"]:
            cells = per_year.get(ind["id"], [])
            targets = [c["target"] for c in cells]
            if ind["is_percent"] or ind["metric"] in _NOT_SUMMED:
                target = ind["target"]
            else:
                target = sum(targets, ZERO) if targets and None not in targets else None
            rows.append(
                {
                    "is_goal": False,
                    "name": ind["name"],
                    "is_percent": ind["is_percent"],
                    "is_manual": ind["is_manual"],
                    "years": cells,
                    "total": _cell(target, ind["outcome"], ind),
                }
            )
    return rows


# Counted over the period as distinct people: the years' targets do not add up to it.
_NOT_SUMMED = (Indicator.Metric.PARTICIPANTS,)


def _cell(target: Any, outcome: Any, ind: dict[str, Any]) -> dict[str, Any]:
    met = None
    if target is not None and outcome is not None:
        target, outcome = Decimal(str(target)), Decimal(str(outcome))
        met = outcome >= target if ind.get("higher_is_better", True) else outcome <= target
    return {"target": target, "outcome": outcome, "met": met, "not_met": met is False}


def _money_over_years(years: list[dict[str, Any]]) -> dict[str, Any]:
    """Budget against actual per year, and summed per cost line and per funder."""
    rows = []
    lines: dict[tuple[str, str], dict[str, Any]] = {}
    funders: dict[str, dict[str, Any]] = {}
    for data in years:
        account = data["account"]
        if account is None:
            rows.append({"year": data["year"], "has_budget": False})
            continue
        rows.append(
            {
                "year": data["year"],
                "has_budget": True,
                "budget": account["total"],
                "actual": account["actual_total"],
                "deviation": account["deviation"],
                "deviation_percent": account["deviation_percent"],
                "over_budget": account["over_budget"],
            }
        )
        for line in account["lines"]:
            key = (line["category"], line["description"])
            entry = lines.setdefault(
                key,
                {"category": key[0], "description": key[1], "budget": ZERO, "actual": ZERO},
            )
            entry["budget"] += line["budget"]
            entry["actual"] += line["actual"]
        for funder in account["funders"]:
            entry = funders.setdefault(
                funder["organisation"],
                {
                    "organisation": funder["organisation"],
                    "role": funder["role"],
                    "amount": ZERO,
                    "actual": ZERO,
                },
            )
            entry["amount"] += funder["amount"]
            entry["actual"] += funder["actual"]
    budget = sum((r["budget"] for r in rows if r["has_budget"]), ZERO)
    actual = sum((r["actual"] for r in rows if r["has_budget"]), ZERO)
    for entry in lines.values():
        entry["deviation"] = entry["actual"] - entry["budget"]
        entry["over_budget"] = entry["deviation"] > 0
    return {
        "years": rows,
        "lines": list(lines.values()),
        "funders": list(funders.values()),
        "budget": budget,
        "actual": actual,
        "deviation": actual - budget,
        "deviation_percent": percent_of(actual - budget, budget),
        "over_budget": actual > budget,
    }
