"""The agreement's target group checked at enrolment, and the background items it requires.

`evaluate` is shared by the enrolment form (which shows the breaches as a warning and asks
for a justification) and the verb (which records them): the same rules either way.

The parallel-ESF rule looks at every agreement marked as ESF-financed, also those the
enrolling user cannot see. The user already knows the participant; what they learn is only
that an overlapping ESF enrolment exists. Where that enrolment is in a partnership the user
sees, the message names it; otherwise it says nothing about where, and nothing identifying
is logged or stored (the breach is stored as its kind alone).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from partnerships.models import Agreement, User

from .access import user_agreements
from .models import EligibilityRule, Enrolment, EntryBackground, FunderProfile, Participant
from .models.funder import LabourMarketStatus, age_on

# EntryBackground fields a FunderProfile may require at enrolment.
BACKGROUND_FIELDS = (
    "labour_market_status",
    "unemployed_months",
    "education_level",
    "disability",
    "third_country_national",
    "foreign_background",
    "homeless",
    "income_sources",
)

ESF_PROGRAMMES = ("esf", "esf_finsam")


@dataclass(frozen=True)
class Breach:
    kind: str
    message: str


def profile_of(agreement: Agreement | None) -> FunderProfile | None:
    if agreement is None or agreement.pk is None:
        return None
    return FunderProfile.objects.filter(agreement=agreement).first()


def required_background(agreement: Agreement | None) -> list[str]:
    profile = profile_of(agreement)
    if profile is None:
        return []
    return [name for name in profile.required_background if name in BACKGROUND_FIELDS]


def parallel_esf_enrolments(
    participant_id: int | None,
    agreement_id: int,
    start: datetime.date,
    end: datetime.date | None = None,
    *,
    exclude_id: int | None = None,
):
    """The participant's enrolments in other ESF-financed agreements overlapping
    [start, end] (end None: open)."""
    if participant_id is None:
        return Enrolment.objects.none()
    overlapping = Q(exit_date__isnull=True) | Q(exit_date__gte=start)
    if end is not None:
        overlapping &= Q(start_date__lte=end)
    return (
        Enrolment.objects.filter(
            overlapping,
            participant_id=participant_id,
            agreement__funder_profile__programme__in=ESF_PROGRAMMES,
        )
        .exclude(agreement_id=agreement_id)
        .exclude(pk=exclude_id or 0)
    )


def _parallel_breach(user: User, participant_id: int | None, enrolment: Enrolment) -> Breach | None:
    others = parallel_esf_enrolments(
        participant_id,
        enrolment.agreement_id,
        enrolment.start_date,
        enrolment.exit_date,
        exclude_id=enrolment.pk,
    )
    seen = (
        others.filter(agreement__in=user_agreements(user))
        .select_related("agreement")
        .order_by("start_date")
        .first()
    )
    if seen is not None:
        return Breach(
            EligibilityRule.Kind.NO_PARALLEL_ESF,
            _("Deltagaren är samtidigt inskriven i ESF-projektet %(title)s.")
            % {"title": seen.agreement.title},
        )
    if others.exists():
        return Breach(
            EligibilityRule.Kind.NO_PARALLEL_ESF,
            _("Deltagaren är samtidigt inskriven i ett annat ESF-finansierat projekt."),
        )
    return None


def _age_breach(rule: EligibilityRule, age: int | None) -> Breach | None:
    limit = rule.value or 0
    if age is None:
        return Breach(rule.kind, _("Åldern vid start är okänd (födelseår saknas)."))
    if rule.kind == EligibilityRule.Kind.MIN_AGE and age < limit:
        return Breach(
            rule.kind,
            _("Deltagaren är %(age)s år vid start; målgruppen är från %(limit)s år.")
            % {"age": age, "limit": limit},
        )
    if rule.kind == EligibilityRule.Kind.MAX_AGE and age > limit:
        return Breach(
            rule.kind,
            _("Deltagaren är %(age)s år vid start; målgruppen är till och med %(limit)s år.")
            % {"age": age, "limit": limit},
        )
    return None


def _unemployed_breach(rule: EligibilityRule, background: EntryBackground) -> Breach | None:
    limit = rule.value or 0
    status = background.labour_market_status
    months = background.unemployed_months
    if status == LabourMarketStatus.UNEMPLOYED and months is not None and months >= limit:
        return None
    if status == LabourMarketStatus.UNEMPLOYED and months is not None:
        text = _("Deltagaren har varit arbetslös %(months)s månader; målgruppen minst %(limit)s.")
        return Breach(rule.kind, text % {"months": months, "limit": limit})
    if status in ("", LabourMarketStatus.DECLINED) or status == LabourMarketStatus.UNEMPLOYED:
        return Breach(
            rule.kind,
            _("Det går inte att se att deltagaren har varit arbetslös minst %(limit)s månader.")
            % {"limit": limit},
        )
    return Breach(
        rule.kind,
        _("Deltagaren är inte arbetslös; målgruppen är arbetslösa minst %(limit)s månader.")
        % {"limit": limit},
    )


def evaluate(
    *,
    user: User,
    participant: Participant,
    enrolment: Enrolment,
    background: EntryBackground,
) -> list[Breach]:
    """The agreement's target-group rules this enrolment breaks (2 queries without a
    parallel-ESF rule)."""
    if enrolment.agreement_id is None or enrolment.start_date is None:
        return []
    rules = list(EligibilityRule.objects.filter(agreement_id=enrolment.agreement_id))
    age = age_on(participant.personnummer, participant.birth_year, enrolment.start_date)
    breaches: list[Breach | None] = []
    for rule in rules:
        if rule.kind == EligibilityRule.Kind.NO_PARALLEL_ESF:
            breaches.append(_parallel_breach(user, participant.pk, enrolment))
        else:
            breaches.append(background_breach(rule, age, background))
    return [breach for breach in breaches if breach is not None]


def background_breach(
    rule: EligibilityRule, age: int | None, background: EntryBackground
) -> Breach | None:
    """How the age at start or the background breaks one age or unemployment rule (no
    query; the parallel-project rule needs the database and is `evaluate`'s)."""
    if rule.kind in (EligibilityRule.Kind.MIN_AGE, EligibilityRule.Kind.MAX_AGE):
        return _age_breach(rule, age)
    if rule.kind == EligibilityRule.Kind.MIN_UNEMPLOYED_MONTHS:
        return _unemployed_breach(rule, background)
    return None
