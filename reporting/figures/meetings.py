"""Meetings: follow-up meetings held against those the agreement requires."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count

from partnerships.models import Agreement, Meeting, covered_quarters, required_followups


def meeting_statistics(agreement: Agreement, year: int) -> dict[str, Any]:
    """Follow-up meetings held vs required, and other meetings held (2 queries)."""
    summary = Meeting.objects.followup_summary(agreement, year)
    held_by_kind = {
        row["kind"]: row["n"]
        for row in Meeting.objects.filter(
            agreement=agreement, date__year=year, status=Meeting.Status.HELD
        )
        .values("kind")
        .annotate(n=Count("pk"))
    }
    return {
        "followups_held": summary.held,
        "followups_required": summary.required,
        "followups_planned": summary.planned,
        "behind": summary.held < summary.required and summary.is_behind,
        "missed_quarters": [
            {"quarter": q, "first": first.isoformat(), "last": last.isoformat()}
            for q, first, last in summary.missed_quarters
        ],
        "by_kind": [
            {"kind": str(label), "held": held_by_kind.get(value, 0)}
            for value, label in Meeting.Kind.choices
        ],
    }


def followups_by_agreement(
    agreements: list[Agreement], year: int, today: datetime.date
) -> dict[int, dict[str, Any]]:
    """Follow-up meetings held and planned in `year` against the number required, per
    agreement, for many agreements at once (1 query).

    "Required by now" is the year's share of the required meetings up to the current
    quarter (the same rule the deadlines use); a past year requires them all.
    """
    counts: dict[int, dict[str, int]] = {}
    for row in (
        Meeting.objects.followups()
        .filter(agreement__in=[a.pk for a in agreements], date__year=year)
        .exclude(status=Meeting.Status.CANCELLED)
        .values("agreement", "status")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault(row["agreement"], {})[row["status"]] = row["n"]
    result = {}
    for agreement in agreements:
        held = counts.get(agreement.pk, {}).get(Meeting.Status.HELD, 0)
        if year < today.year:
            elapsed = len(covered_quarters(agreement, year))
        elif year > today.year:
            elapsed = 0
        else:
            current = (today.month - 1) // 3 + 1
            elapsed = sum(1 for q in covered_quarters(agreement, year) if q <= current)
        required_now = required_followups(agreement, year, elapsed)
        result[agreement.pk] = {
            "held": held,
            "planned": counts.get(agreement.pk, {}).get(Meeting.Status.PLANNED, 0),
            "required": required_followups(agreement, year),
            "required_by_now": required_now,
            "behind": held < required_now,
        }
    return result
