"""The Uppföljning Finsam list: who to register in and out of the national follow-up.

Per intervention (insats: the agreement's FunderProfile.finsam_intervention, else the
agreement itself), the participants who started in the period (registration in) and who
left in it (registration out), with the fields the national follow-up asks for. A
participant with protected identity or who does not consent to registration is never
listed: they are counted, by gender, as anonymous registrations. Only staff who may see
the participants (participants.access.visible_enrolments) get the list; the views log
every participant shown or downloaded.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.utils.translation import gettext as _

from participants.access import shows_identity, visible_enrolments, visible_q
from participants.models import Category, Enrolment, ExitOutcome, IdentityStatus, IncomeSource
from partnerships.models import Agreement, User

from .funder import FUNDER_GENDERS, Row, _row, check_period, funder_gender_labels
from .suppression import Suppressor


def intervention_name(agreement: Agreement) -> str:
    profile = getattr(agreement, "funder_profile", None)
    return (profile.finsam_intervention if profile else "") or agreement.title


def age_group(age: int | None) -> str:
    if age is None:
        return ""
    if age < 18:
        return _("under 18")
    if age <= 29:
        return "18–29"
    if age <= 54:
        return "30–54"
    return _("55 och äldre")


def _sources(values: list[str] | None, fallback: str) -> str:
    labels = dict(IncomeSource.choices)
    chosen = values or ([fallback] if fallback else [])
    return ", ".join(str(labels.get(v, v)) for v in chosen)


@dataclass
class FinsamLine:
    direction: str
    enrolment_id: int
    participant_id: int
    code: str
    personnummer: str
    gender: str
    birth_year: int | None
    age_group: str
    start_date: datetime.date
    income_before: str
    exit_date: datetime.date | None
    exit_outcome: str
    income_after: str

    def csv(self) -> list[Any]:
        return [
            _("In") if self.direction == "in" else _("Ut"),
            self.code,
            self.personnummer,
            self.gender,
            self.birth_year or "",
            self.age_group,
            self.start_date,
            self.income_before,
            self.exit_date or "",
            self.exit_outcome,
            self.income_after,
        ]


def csv_header() -> list[str]:
    return [
        _("Registrering"),
        _("Deltagarkod"),
        _("Personnummer"),
        _("Kön"),
        _("Födelseår"),
        _("Åldersgrupp"),
        _("Startdatum"),
        _("Försörjning före"),
        _("Avslutsdatum"),
        _("Avslutsorsak"),
        _("Försörjning efter"),
    ]


@dataclass
class FinsamList:
    agreement: Agreement
    intervention: str
    start: datetime.date
    end: datetime.date
    lines: list[FinsamLine]
    anonymous: list[Row]  # in, out
    genders: list[str]
    counted: int  # named registrations in the period, listed or not
    shown: int

    @property
    def participant_ids(self) -> list[int]:
        return sorted({line.participant_id for line in self.lines})


def _anonymous(
    agreement: Agreement, start: datetime.date, end: datetime.date, s: Suppressor
) -> list[Row]:
    """Anonymous registrations in and out, by gender (1 query)."""
    anonymous = ~Q(participant__identity_status=IdentityStatus.REGISTERED)
    row = (
        Enrolment.objects.filter(agreement=agreement)
        .filter(anonymous)
        .aggregate(
            **{
                f"in_{g}": Count(
                    "pk", filter=Q(start_date__range=(start, end), participant__gender=g)
                )
                for g in FUNDER_GENDERS
            },
            **{
                f"out_{g}": Count(
                    "pk", filter=Q(exit_date__range=(start, end), participant__gender=g)
                )
                for g in FUNDER_GENDERS
            },
        )
    )
    return [
        _row(
            s,
            "ANON-IN",
            _("Anonyma registreringar in"),
            {g: row[f"in_{g}"] for g in FUNDER_GENDERS},
        ),
        _row(
            s,
            "ANON-OUT",
            _("Anonyma registreringar ut"),
            {g: row[f"out_{g}"] for g in FUNDER_GENDERS},
        ),
    ]


def _line(e: Enrolment, direction: str, genders: dict[str, str]) -> FinsamLine:
    background = getattr(e, "background", None)
    result = getattr(e, "exit_result", None)
    income = e.sees_income  # type: ignore[attr-defined]
    return FinsamLine(
        direction=direction,
        enrolment_id=e.pk,
        participant_id=e.participant_id,
        code=e.participant.code,
        personnummer=e.participant.personnummer if e.show_identity else "",  # type: ignore[attr-defined]
        gender=genders.get(e.participant.gender, ""),
        birth_year=e.participant.birth_year,
        age_group=age_group(background.age_at_entry if background else None),
        start_date=e.start_date,
        income_before=_sources(background.income_sources if background else None, e.income_at_start)
        if income
        else "",
        exit_date=e.exit_date if direction == "out" else None,
        exit_outcome=str(ExitOutcome(e.exit_outcome).label)
        if direction == "out" and e.exit_outcome
        else "",
        income_after=_sources(result.income_sources if result else None, e.income_at_exit)
        if income and direction == "out"
        else "",
    )


def finsam_list(
    user: User, agreement: Agreement, start: datetime.date, end: datetime.date
) -> FinsamList:
    """The registrations in and out for [start, end] that `user` may see (4 queries)."""
    check_period(agreement, start, end)
    in_period = Q(start_date__range=(start, end)) | Q(exit_date__range=(start, end))
    named = Enrolment.objects.filter(
        in_period, agreement=agreement, participant__identity_status=IdentityStatus.REGISTERED
    )
    visible = (
        visible_enrolments(user, agreements=[agreement], enrolments=named)
        .select_related("participant", "background", "exit_result")
        .annotate(
            show_identity=shows_identity(user),
            sees_income=ExpressionWrapper(
                visible_q(user, Category.INCOME, source_field="participant__organisation_id"),
                output_field=BooleanField(),
            ),
        )
        .order_by("start_date", "participant__code", "pk")
    )
    genders = {
        str(g): label for g, label in zip(FUNDER_GENDERS, funder_gender_labels(), strict=True)
    }
    lines = []
    for e in visible:
        if start <= e.start_date <= end:
            lines.append(_line(e, "in", genders))
        if e.exit_date and start <= e.exit_date <= end:
            lines.append(_line(e, "out", genders))
    s = Suppressor()
    anonymous = _anonymous(agreement, start, end, s)
    s.apply()
    counted = named.count()
    return FinsamList(
        agreement=agreement,
        intervention=intervention_name(agreement),
        start=start,
        end=end,
        lines=lines,
        anonymous=anonymous,
        genders=funder_gender_labels(),
        counted=counted,
        shown=len({line.enrolment_id for line in lines}),
    )
