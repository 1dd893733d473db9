"""The annual report as a whole: every countable part, its quality checks, and freezing."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships.models import Agreement, Indicator, format_sek

from .casework import handover_share, plan_agreed_share
from .goals import goal_fulfilment
from .governance import obstacle_figures, risk_figures, stage_figures
from .meetings import meeting_statistics
from .money import budget_for, financial_account
from .participants import (
    contact_statistics,
    participant_data_quality,
    participant_statistics,
    step_progression,
)
from .period import check_year, period, period_label, version_for_year, version_info


def annual_report_figures(
    agreement: Agreement, year: int, manual_outcomes: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Everything countable in the annual report for `year`, ready to render or freeze.

    A year outside the agreement raises ValidationError; a missing budget or shares that do
    not add up are reported as blocking problems instead, so the rest can still be read.
    """
    check_year(agreement, year)
    start, end = period(agreement, year)
    version = version_for_year(agreement, year)
    blocking: list[str] = []
    warnings: list[str] = []
    account = _account(agreement, year, start, blocking, warnings)

    participants = participant_statistics(agreement, start, end)
    steps = step_progression(agreement, start, end)
    contacts = contact_statistics(agreement, start, end)
    meetings = meeting_statistics(agreement, year)
    quality = participant_data_quality(agreement, start, end)

    goals = goal_fulfilment(
        agreement,
        year,
        measured_outcomes(participants, steps, contacts, agreement, start, end),
        manual_outcomes,
    )

    if version is None:
        warnings.append(_("Överenskommelsen har ingen registrerad version att hänvisa till."))
    warnings.extend(_participant_data_warnings(quality))
    warnings.extend(_goal_warnings(goals, year))
    if meetings["followups_held"] < meetings["followups_required"] and end < timezone.localdate():
        warnings.append(
            _("%(held)s av %(required)s uppföljningsmöten hölls under året.")
            % {"held": meetings["followups_held"], "required": meetings["followups_required"]}
        )

    return {
        "agreement": {
            "title": agreement.title,
            "short_id": agreement.short_id,
            "decision_reference": agreement.decision_reference,
            "capacity": agreement.capacity,
        },
        "year": year,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "period_label": period_label(agreement, year),
        "due_date": agreement.report_due_date(year).isoformat(),
        "version": version_info(version),
        "version_id": version.pk if version else None,
        "goals": goals,
        "participants": participants,
        "steps": steps,
        "contacts": contacts,
        "meetings": meetings,
        "account": account,
        "stages": stage_figures(agreement, start, end),
        "risks": risk_figures(agreement),
        "obstacles": obstacle_figures(agreement),
        "quality": {"blocking": blocking, "warnings": warnings, "counts": quality},
    }


def measured_outcomes(
    participants: dict[str, Any],
    steps: dict[str, Any],
    contacts: dict[str, Any],
    agreement: Agreement,
    start: datetime.date,
    end: datetime.date,
) -> dict[str, Any]:
    """The figure that measures each Indicator.Metric, from a period's statistics; the
    funders' casework targets (issue 15) as functions, computed only where an indicator
    asks for them."""
    return {
        Indicator.Metric.SHARE_TO_WORK: participants["share_to_work"],
        Indicator.Metric.SHARE_TO_STUDIES: participants["share_to_studies"],
        Indicator.Metric.STEP_PROGRESSION: steps["share_progressed"],
        Indicator.Metric.OFF_INCOME_SUPPORT: participants["share_off_income_support"],
        Indicator.Metric.PARTICIPANTS: participants["totals"]["enrolled"],
        Indicator.Metric.CONTACTS: contacts["total"],
        Indicator.Metric.OUTREACH: contacts["outreach"],
        Indicator.Metric.PLAN_AGREED: lambda: plan_agreed_share(agreement, start, end),
        Indicator.Metric.HANDOVER_AF_FK: lambda: handover_share(agreement, start, end),
    }


def _account(
    agreement: Agreement,
    year: int,
    start: datetime.date,
    blocking: list[str],
    warnings: list[str],
) -> dict[str, Any] | None:
    """The year's financial account, or None without a budget; adds its problems to
    `blocking` and `warnings`."""
    try:
        budget = budget_for(agreement, year)
    except ValidationError as exc:
        blocking.extend(exc.messages)
        return None
    account = financial_account(budget)
    if account["shares_error"]:
        blocking.append(account["shares_error"])
    if start <= timezone.localdate():
        missing = [line["description"] for line in account["lines"] if not line["actual_count"]]
        if missing:
            warnings.append(
                _("Kostnadsposter utan registrerat utfall: %(lines)s.")
                % {"lines": ", ".join(missing)}
            )
    if account["is_overcompensated"]:
        warnings.append(
            _(
                "Det offentliga bidraget överstiger de kostnader det får täcka med %(amount)s "
                "(överkompensation, återbetalningsskyldig)."
            )
            % {"amount": format_sek(account["overcompensation"])}
        )
    return account


def _participant_data_warnings(quality: dict[str, int]) -> list[str]:
    warnings = []
    if quality["unknown_outcome"]:
        warnings.append(
            _("%(n)s avslut under året saknar känd avslutsorsak.")
            % {"n": quality["unknown_outcome"]}
        )
    if quality["contacts_outside_enrolment"]:
        warnings.append(
            _("%(n)s kontakter är registrerade utanför deltagarens inskrivningsperiod.")
            % {"n": quality["contacts_outside_enrolment"]}
        )
    if quality["unknown_gender"]:
        warnings.append(
            _(
                "%(n)s inskrivna deltagare saknar uppgift om kön, så könsuppdelningen blir ofullständig."
            )
            % {"n": quality["unknown_gender"]}
        )
    if quality.get("eligibility_flagged"):
        warnings.append(
            _(
                "%(n)s inskrivningar under året avviker från målgruppens regler "
                "(inskrivna med motivering)."
            )
            % {"n": quality["eligibility_flagged"]}
        )
    return warnings


def _goal_warnings(goals: list[dict[str, Any]], year: int) -> list[str]:
    warnings = []
    for goal in goals:
        for ind in goal["indicators"]:
            if ind["target"] is None:
                warnings.append(
                    _("Indikatorn ”%(name)s” saknar målvärde för %(year)s.")
                    % {"name": ind["name"], "year": year}
                )
            elif ind["is_manual"] and ind["outcome"] is None:
                warnings.append(
                    _("Fyll i utfallet för indikatorn ”%(name)s”.") % {"name": ind["name"]}
                )
    return warnings


def freeze(data: dict[str, Any]) -> dict[str, Any]:
    """The figures as they will be stored: Decimals and dates become strings.

    Previews render this too, so a draft looks exactly like the document that gets frozen.
    """
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
