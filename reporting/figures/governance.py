"""How the partnership was run, for the reports: its stages (with the participants who
entered in each, the "per stage" figure), its risks as a matrix and a list, and its
structural obstacles. Plain values only, so the annual report can freeze them."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q

from participants.models import Gender
from partnerships.models import Agreement, RiskChange

from .participants import ENROLMENT_FIGURES, enrolments_in_period


def stage_figures(
    agreement: Agreement, start: datetime.date, end: datetime.date
) -> list[dict[str, Any]]:
    """The stages overlapping [start, end], each with the participants who entered during
    the part of the stage inside the period, by gender (suppressed when shown).

    Two queries whatever the number of stages: the stages, then one grouped count with a
    filtered aggregate per stage. Every stage lists the same genders (women, men, and any
    other gender entered in some stage), so the report's columns line up."""
    stages = list(agreement.stages.filter(start_date__lte=end, end_date__gte=start))
    if not stages:
        return []
    new, _per_participant = ENROLMENT_FIGURES["new"]
    counts: dict[str, Count] = {}
    for index, stage in enumerate(stages):
        first, last = max(stage.start_date, start), min(stage.end_date, end)
        # The "new" figure of participant_statistics over [first, last]: entered in the
        # part of the stage, among the enrolments active then.
        entered = Q(start_date__lte=last) & (Q(exit_date__isnull=True) | Q(exit_date__gte=first))
        counts[f"stage_{index}"] = Count(
            "participant", filter=entered & new(first, last), distinct=True
        )
    per_gender = {
        row["participant__gender"]: row
        for row in enrolments_in_period(agreement, start, end)
        .values("participant__gender")
        .annotate(**counts)
        .order_by()
    }
    genders = [
        (value, label)
        for value, label in Gender.choices
        if value in ("woman", "man") or any(per_gender.get(value, {}).get(key) for key in counts)
    ]
    return [
        {
            "name": stage.name,
            "start": stage.start_date.isoformat(),
            "end": stage.end_date.isoformat(),
            "goals": stage.goals,
            "new_by_gender": [
                {"gender": str(label), "n": per_gender.get(value, {}).get(f"stage_{index}", 0)}
                for value, label in genders
            ],
        }
        for index, stage in enumerate(stages)
    ]


def risk_figures(agreement: Agreement) -> dict[str, Any]:
    """The risks as they stand: the matrix's (likelihood, consequence) pairs of the risks
    not closed, and every risk with its grade, status and owner."""
    risks = list(agreement.risks.select_related("owner_party__organisation"))
    return {
        "pairs": [[r.likelihood, r.consequence] for r in risks if r.status != "closed"],
        "list": [
            {
                "title": r.title,
                "category": r.get_category_display(),
                "grade": r.get_grade_display(),
                "status": r.get_status_display(),
                "owner": f"{r.owner_person}, {r.owner_party.organisation.name}",
                "mitigation": r.mitigation,
            }
            for r in risks
        ],
    }


def obstacle_figures(agreement: Agreement) -> list[dict[str, Any]]:
    return [
        {
            "description": o.description,
            "lies_with": o.lies_with,
            "raised_on": o.raised_on.isoformat(),
            "status": o.get_status_display(),
            "resolution": o.resolution,
            "resolved_on": o.resolved_on.isoformat() if o.resolved_on else "",
        }
        for o in agreement.obstacles.all()
    ]


def risk_history(agreement: Agreement) -> list[dict[str, Any]]:
    """How each risk developed: every recorded change of grade or status, oldest first,
    with who made it (2 queries)."""
    risks = agreement.risks.prefetch_related(
        Prefetch("changes", queryset=RiskChange.objects.select_related("changed_by"))
    )
    history = []
    for risk in risks:
        changes = [
            {
                "date": change.changed_on.isoformat(),
                "grade": change.get_grade_display(),
                "status": change.get_status_display(),
                "by": (change.changed_by.get_full_name() or change.changed_by.username)
                if change.changed_by
                else "",
            }
            for change in risk.changes.all()
        ]
        history.append(
            {
                "title": risk.title,
                "grade": risk.get_grade_display(),
                "status": risk.get_status_display(),
                "changes": changes,
            }
        )
    return history
