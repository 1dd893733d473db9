"""Demo step: Malmökraften's multi-agency teams (seed 002: ten teams, each following 100
participants, with an employment officer from Arbetsförmedlingen and a labour-market and a
social secretary from the city, and specialists from Försäkringskassan, Region Skåne and
the study and careers guidance shared between them).

The demo logins of partnerships/demo.py (handlaggare, socialsekreterare, teamledare,
forsakring, vardsamordnare) work in Team Rosengård; the other teams' staff are invented
people without a login. Malmökraften's open demo enrolments are spread over the teams,
each with a responsible caseworker whose organisation the participant's consent covers.
Every person is invented. Re-running replaces the teams.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from partnerships.demo import DemoContext
from partnerships.models import Organisation, User

from .models import Consent, Contact, Enrolment, Function, SharedSpecialist, Team, TeamMember

D = datetime.date

TEAM_NAMES = [
    "Team Rosengård",
    "Team Fosie",
    "Team Hyllie",
    "Team Centrum",
    "Team Husie",
    "Team Kirseberg",
    "Team Oxie",
    "Team Limhamn",
    "Team Södra innerstaden",
    "Team Västra innerstaden",
]
FIRST = ["Anna", "Erik", "Sofia", "Ahmed", "Karin", "Mikael", "Zeynep", "Johan", "Lejla", "Olof"]
LAST = ["Holm", "Rask", "Sandberg", "Karimi", "Lindell", "Åkesson", "Dahl", "Virtanen", "Moberg"]
STAFF_FUNCTIONS = [
    ("arbetsformedlingen", Function.EMPLOYMENT_OFFICER),
    ("malmo", Function.LABOUR_MARKET_SECRETARY),
    ("malmo", Function.SOCIAL_SECRETARY),
]


def _staff(username: str, rng: random.Random, organisation: Organisation) -> User:
    """An invented member of staff without a login (no usable password, no role)."""
    user, _ = User.objects.get_or_create(username=username)
    user.first_name, user.last_name = rng.choice(FIRST), rng.choice(LAST)
    user.organisation = organisation
    user.set_unusable_password()
    user.save()
    return user


def load(ctx: DemoContext) -> None:
    agreement = ctx.agreements["malmokraften"]
    org, users = ctx.organisations, ctx.users
    rng = random.Random("iop-demo-teams")
    start = agreement.start_date
    Enrolment.objects.filter(agreement=agreement).update(team=None, caseworker=None)
    SharedSpecialist.objects.filter(agreement=agreement).delete()
    Team.objects.filter(agreement=agreement).delete()
    teams = [Team.objects.create(agreement=agreement, name=name) for name in TEAM_NAMES]
    caseworkers: dict[int, list[User]] = {}
    rosengard = teams[0]
    own = [
        (users["handlaggare"], Function.EMPLOYMENT_OFFICER, False),
        (users["socialsekreterare"], Function.SOCIAL_SECRETARY, False),
        (users["teamledare"], Function.TEAM_LEAD, True),
    ]
    for user, function, lead in own:
        TeamMember.objects.create(
            team=rosengard,
            user=user,
            organisation=org["arbetsformedlingen" if user == users["handlaggare"] else "malmo"],
            function=function,
            is_lead=lead,
            fte=Decimal("1.00") if not lead else Decimal("0.50"),
            start_date=start,
            caseload_target=50 if not lead else None,
        )
    caseworkers[rosengard.pk] = [users["handlaggare"], users["socialsekreterare"]]
    for n, team in enumerate(teams[1:], start=2):
        caseworkers[team.pk] = []
        for i, (org_key, function) in enumerate(STAFF_FUNCTIONS):
            user = _staff(f"mk-team{n}-{i + 1}", rng, org[org_key])
            TeamMember.objects.create(
                team=team, user=user, organisation=org[org_key], function=function, start_date=start
            )
            caseworkers[team.pk].append(user)
    _specialists(ctx, teams, rng)
    _assign(agreement, teams, caseworkers, rng)


def _specialists(ctx: DemoContext, teams: list[Team], rng: random.Random) -> None:
    agreement = ctx.agreements["malmokraften"]
    org, users = ctx.organisations, ctx.users
    shared = [
        (users["forsakring"], "forsakringskassan", Function.INSURANCE_INVESTIGATOR, teams[:5]),
        (users["vardsamordnare"], "regionskane", Function.CARE_COORDINATOR, teams[:5]),
        (_staff("mk-syv", rng, org["arbetsformedlingen"]), "arbetsformedlingen",
         Function.CAREERS_ADVISER, teams),
        (_staff("mk-psyk", rng, org["regionskane"]), "regionskane",
         Function.PSYCHIATRIC_NURSE, teams[5:]),
        (_staff("mk-fk2", rng, org["forsakringskassan"]), "forsakringskassan",
         Function.INSURANCE_INVESTIGATOR, teams[5:]),
    ]  # fmt: skip
    for user, org_key, function, served in shared:
        specialist = SharedSpecialist.objects.create(
            agreement=agreement,
            user=user,
            organisation=org[org_key],
            function=function,
            start_date=agreement.start_date,
        )
        specialist.teams.set(served)


def _assign(agreement, teams, caseworkers, rng: random.Random) -> None:
    """Half of the open enrolments to Team Rosengård (the demo logins' team), the rest
    spread over the others; the caseworker is one whose organisation the consent covers."""
    today = timezone.localdate()
    enrolments = list(Enrolment.objects.filter(agreement=agreement).active_on(today).order_by("pk"))
    consented: dict[int, set[int]] = {}
    for pid, org_id in Consent.objects.filter(
        participant_id__in=[e.participant_id for e in enrolments]
    ).values_list("participant_id", "organisation_id"):
        consented.setdefault(pid, set()).add(org_id)
    for i, enrolment in enumerate(enrolments):
        team = teams[0] if i % 2 == 0 else teams[1 + (i // 2) % (len(teams) - 1)]
        candidates = [
            u
            for u in caseworkers[team.pk]
            if u.organisation_id in consented.get(enrolment.participant_id, set())
        ] or caseworkers[team.pk]
        enrolment.team = team
        enrolment.caseworker = rng.choice(candidates)
    Enrolment.objects.bulk_update(enrolments, ["team", "caseworker"])
    _work_due(enrolments[0:12:2], today)


def _work_due(enrolments: list[Enrolment], today: datetime.date) -> None:
    """Give the start page of Team Rosengård's caseworkers something to do: some consents
    run out within 30 days, some participants have not been met for a month."""
    expiring = [e.participant_id for e in enrolments[:3]]
    for n, pid in enumerate(expiring):
        Consent.objects.filter(participant_id=pid, withdrawn_on__isnull=True).update(
            expires_on=today + datetime.timedelta(days=10 + 7 * n)
        )
    for enrolment in enrolments[3:]:
        Contact.objects.filter(
            participant_id=enrolment.participant_id,
            agreement_id=enrolment.agreement_id,
            date__gt=today - datetime.timedelta(days=30),
        ).delete()
