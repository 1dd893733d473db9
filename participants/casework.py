"""Readers for casework from referral to exit, shared by forms, verbs and pages: where a
coordinated plan stands (who has agreed, who has not), how many places an agreement has
free, and whether a day falls in one of its intake windows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerships.models import Agreement, Organisation

from .models import ActionPlan, Enrolment, IntakeWindow, Phase, PlanAgreement
from .models.casework import FOLLOW_UP_MONTHS as FOLLOW_UP_MONTHS

OUTSIDE_INTAKE = gettext_lazy(
    "Anvisningen ligger utanför partnerskapets intagsperioder. "
    "Kryssa i att du vill registrera den ändå."
)


@dataclass
class PlanStatus:
    """Who must agree to the plan's current revision, and who has."""

    plan: ActionPlan
    agencies: list[Organisation] = field(default_factory=list)
    agreed_by: dict[int, PlanAgreement] = field(default_factory=dict)  # organisation id
    participant: PlanAgreement | None = None

    @property
    def missing(self) -> list[Organisation]:
        return [a for a in self.agencies if a.pk not in self.agreed_by]

    @property
    def complete(self) -> bool:
        return bool(self.agencies) and not self.missing and self.participant is not None

    @property
    def agreed_on(self) -> datetime.date | None:
        """The day the last party agreed (the plan counts as agreed from then)."""
        if not self.complete:
            return None
        days = [a.agreed_on for a in self.agreed_by.values()]
        assert self.participant is not None
        return max([*days, self.participant.agreed_on])

    def rows(self) -> list[tuple[str, PlanAgreement | None]]:
        """(who, agreement or None) for each party, the participant last."""
        rows: list[tuple[str, PlanAgreement | None]] = [
            (a.name, self.agreed_by.get(a.pk)) for a in self.agencies
        ]
        rows.append((_("Deltagaren"), self.participant))
        return rows


def plan_status(plan: ActionPlan) -> PlanStatus:
    """The agencies responsible for a goal of the plan must each agree, and so must the
    participant, to the same (current) revision (2 queries)."""
    agency_ids = set(
        plan.goals.exclude(responsible_organisation=None).values_list(
            "responsible_organisation_id", flat=True
        )
    )
    status = PlanStatus(plan)
    agreements = PlanAgreement.objects.filter(plan=plan, revision=plan.revision).select_related(
        "organisation"
    )
    for agreement in agreements:
        if agreement.organisation_id is None:
            status.participant = agreement
        else:
            status.agreed_by[agreement.organisation_id] = agreement
    status.agencies = list(Organisation.objects.filter(pk__in=agency_ids).order_by("name"))
    return status


def process_lines(agreement: Agreement) -> list[str]:
    """The agreement's own phase list and intake windows as lines of its version history."""
    phases = Phase.objects.filter(agreement=agreement).order_by("position", "pk")
    windows = IntakeWindow.objects.filter(agreement=agreement).order_by("starts_on")
    return [f"{_('Fas')} {p.position}: {p.name}" for p in phases] + [
        _("Intag %(start)s–%(end)s") % {"start": w.starts_on, "end": w.ends_on} for w in windows
    ]


def places_taken(agreement: Agreement, day: datetime.date) -> int:
    return Enrolment.objects.filter(agreement=agreement).active_on(day).count()


def places_free(agreement: Agreement, day: datetime.date) -> int | None:
    """Free places on `day`; None when the agreement states no capacity (no limit)."""
    if agreement.capacity is None:
        return None
    return max(agreement.capacity - places_taken(agreement, day), 0)


def has_place(agreement: Agreement, day: datetime.date) -> bool:
    free = places_free(agreement, day)
    return free is None or free > 0


def outside_intake(agreement: Agreement | int, day: datetime.date) -> bool:
    return IntakeWindow.outside_intake(agreement, day)


def follow_up_days(exit_date: datetime.date, months: int) -> datetime.date:
    return exit_date + relativedelta(months=months)
