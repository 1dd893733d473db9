"""Goals: target against outcome per goal and indicator."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from partnerships.models import Agreement, Goal, Indicator, IndicatorTarget


def goal_fulfilment(
    agreement: Agreement,
    year: int,
    measured: Mapping[str, Decimal | int | None | Callable[[], Decimal | None]],
    manual: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Target vs outcome per goal and indicator (three queries).

    `measured` maps an Indicator.Metric to the figure that measures it (from the
    participant statistics), or to a function computing it, called only when an indicator
    is measured that way (the casework shares cost queries most agreements never need);
    MANUAL indicators take their outcome from `manual`, keyed by
    the indicator's id as a string.
    """
    manual = manual or {}
    goals = list(
        Goal.objects.filter(agreement=agreement)
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.prefetch_related(
                    Prefetch("targets", queryset=IndicatorTarget.objects.filter(year=year))
                ),
            )
        )
        .order_by("parent_id", "position", "pk")
    )
    # Overall goals first, each followed by its sub-goals.
    children: dict[int | None, list[Goal]] = {}
    for goal in goals:
        children.setdefault(goal.parent_id, []).append(goal)
    ordered: list[tuple[Goal, int]] = []
    for top in children.get(None, []):
        ordered.append((top, 0))
        ordered.extend((child, 1) for child in children.get(top.pk, []))
    result = []
    for goal, level in ordered:
        indicators = []
        for ind in goal.indicators.all():
            targets = list(ind.targets.all())
            target = targets[0].target if targets else None
            if ind.metric == Indicator.Metric.MANUAL:
                raw = manual.get(str(ind.pk))
                outcome = Decimal(str(raw)) if raw not in (None, "") else None
                source = _("ifyllt i rapporten")
            else:
                value = measured.get(ind.metric)
                if callable(value):
                    value = value()
                outcome = Decimal(value) if value is not None else None
                source = _("beräknat")
            met = None
            if target is not None and outcome is not None:
                met = outcome >= target if ind.higher_is_better else outcome <= target
            indicators.append(
                {
                    "id": ind.pk,
                    "name": ind.name,
                    "unit": ind.unit,
                    "is_percent": ind.unit == Indicator.Unit.PERCENT,
                    "metric": ind.metric,
                    "is_manual": ind.metric == Indicator.Metric.MANUAL,
                    "metric_label": ind.get_metric_display(),
                    "target": target,
                    "outcome": outcome,
                    "source": source,
                    "met": met,
                    "not_met": met is False,
                    "higher_is_better": ind.higher_is_better,
                }
            )
        result.append(
            {"id": goal.pk, "title": goal.title, "level": level, "indicators": indicators}
        )
    return result
