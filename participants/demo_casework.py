"""Demo casework: Internationella kvinnor (seed 003, 2014-06-01 – 2016-12-31) with its four
phases and coordinated plans agreed by the agencies and the women; and for Malmökraften,
intake windows, a full agreement with a waiting list, and exits with hand-over and
follow-ups. Every person is invented.

The agreement itself belongs to the partnership demo; it is looked up by its title and
created minimally only when missing, so that either demo may run first.
"""

from __future__ import annotations

import datetime
import random

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from partnerships.demo import DemoContext
from partnerships.models import Agreement, AgreementParty, Organisation, User

from .casework import follow_up_days
from .demo import FIRST_NAMES, LAST_NAMES
from .models import (
    ActionGoal,
    ActionPlan,
    Consent,
    ConsentMethod,
    Enrolment,
    ExitOutcome,
    ExitRecord,
    FollowUp,
    Gender,
    GoalStatus,
    Handover,
    IncomeSource,
    IntakeWindow,
    Participant,
    Phase,
    PhaseChange,
    PlanAgreement,
    PlanRevision,
    Referral,
    ReferralStatus,
)

D = datetime.date
TITLE = "Internationella kvinnor"
PHASES = ["Inrekrytering", "Visionsbygge", "Aktivitet", "Utmatchning"]
IK_GOALS = [
    ("Registrera sig som arbetssökande", "arbetsformedlingen", "Arbetsförmedlare"),
    ("Svenska för invandrare, nivå C", "malmo", "Studie- och yrkesvägledare"),
    ("Praktik med språkstöd", "arbetsformedlingen", "Arbetsförmedlare"),
    ("Hälsosamtal på vårdcentralen", "region", "Vårdsamordnare"),
    ("Planera barnomsorg", "malmo", "Socialsekreterare"),
    ("Samhällsorientering på modersmål", "malmo", "Samhällskommunikatör"),
    ("Utreda arbetsförmåga", "forsakringskassan", "Försäkringsutredare"),
]


def _organisation(org_number: str, name: str) -> Organisation:
    org, _ = Organisation.objects.get_or_create(org_number=org_number, defaults={"name": name})
    return org


def _agencies(ctx: DemoContext) -> dict[str, Organisation]:
    org = ctx.organisations
    return {
        "arbetsformedlingen": org.get("arbetsformedlingen")
        or _organisation("202100-2114", "Arbetsförmedlingen"),
        "malmo": org.get("malmo")
        or _organisation("212000-1124", "Malmö stad, arbetsmarknads- och socialnämnden"),
        "forsakringskassan": org.get("forsakringskassan")
        or _organisation("202100-5521", "Försäkringskassan"),
        "region": _organisation("232100-0255", "Region Skåne"),
        "finsam": org.get("finsam")
        or _organisation("222000-1552", "Samordningsförbundet FINSAM Malmö"),
    }


def _internationella_kvinnor(agencies: dict[str, Organisation]) -> Agreement:
    agreement = Agreement.objects.filter(title=TITLE).order_by("pk").first()
    if agreement is None:
        agreement = Agreement.objects.create(
            short_id="internationella-kvinnor",
            title=TITLE,
            purpose=(
                "Att fler utomeuropeiskt födda kvinnor i Malmö kommer in i arbete eller "
                "utbildning genom en samordnad handlingsplan mellan myndigheterna."
            ),
            target_group="Nyanlända och andra arbetssökande kvinnor med utomeuropeiskt ursprung.",
            start_date=D(2014, 6, 1),
            end_date=D(2016, 12, 31),
            status="ended",
            capacity=60,
        )
    for key, role in (
        ("arbetsformedlingen", AgreementParty.PartyRole.OPERATOR),
        ("malmo", AgreementParty.PartyRole.PARTNER),
        ("region", AgreementParty.PartyRole.PARTNER),
        ("forsakringskassan", AgreementParty.PartyRole.PARTNER),
        ("finsam", AgreementParty.PartyRole.PUBLIC_FUNDER),
    ):
        AgreementParty.objects.get_or_create(
            agreement=agreement, organisation=agencies[key], defaults={"role": role}
        )
    return agreement


def _phases(agreement: Agreement) -> list[Phase]:
    phases = []
    for position, name in enumerate(PHASES, start=1):
        phase, _ = Phase.objects.update_or_create(
            agreement=agreement, name=name, defaults={"position": position}
        )
        phases.append(phase)
    return phases


def _agree(plan: ActionPlan, agencies: list[Organisation], day: datetime.date, user: User) -> None:
    for org in agencies:
        PlanAgreement.objects.create(
            plan=plan,
            revision=plan.revision,
            organisation=org,
            agreed_on=day,
            recorded_by=user,
            source_organisation=org,
        )
    PlanAgreement.objects.create(
        plan=plan,
        revision=plan.revision,
        organisation=None,
        agreed_on=day,
        recorded_by=user,
        source_organisation=agencies[0],
    )
    plan.agreed_revision = plan.revision
    plan.agreed_agency_count = len(agencies)
    plan.first_agreed_on = day
    plan.save(update_fields=["agreed_revision", "agreed_agency_count", "first_agreed_on"])


def _plan(rng, enrolment, agencies, user, end, owner) -> ActionPlan:
    drawn_up = min(enrolment.start_date + datetime.timedelta(days=rng.randint(7, 20)), end)
    plan = ActionPlan.objects.create(
        enrolment=enrolment,
        drawn_up_on=drawn_up,
        summary="Den samordnade handlingsplanen togs fram med kvinnans medgivande.",
        updated_by=user,
        source_organisation=owner,
    )
    goals = rng.sample(IK_GOALS, 3)
    responsible = []
    for position, (text, key, person) in enumerate(goals):
        org = agencies[key]
        target = enrolment.start_date + datetime.timedelta(days=rng.randint(60, 240))
        achieved = target if target < end and rng.random() < 0.5 else None
        ActionGoal.objects.create(
            plan=plan,
            description=text,
            responsible_organisation=org,
            responsible_person=person,
            target_date=target,
            status=GoalStatus.ACHIEVED if achieved else GoalStatus.ONGOING,
            achieved_on=achieved,
            position=position,
            source_organisation=owner,
        )
        if org not in responsible:
            responsible.append(org)
    PlanRevision.objects.create(
        plan=plan,
        number=plan.revision,
        saved_by=user,
        source_organisation=owner,
        snapshot={"drawn_up_on": drawn_up.isoformat(), "goals": [g[0] for g in goals]},
    )
    if rng.random() < 0.85:
        agreed = min(drawn_up + datetime.timedelta(days=rng.randint(5, 40)), end)
        _agree(plan, responsible, agreed, user)
    return plan


def _exit(rng, enrolment, agencies, user, owner, today) -> None:
    plan = ActionPlan.objects.filter(enrolment=enrolment).first()
    handover = rng.choice(
        [Handover.EMPLOYMENT_SERVICE, Handover.AF_FK, Handover.MUNICIPALITY, Handover.NONE]
    )
    ExitRecord.objects.create(
        enrolment=enrolment,
        needs_clarified=rng.choice(
            [
                "Språkstöd och barnomsorg för att kunna ta praktik.",
                "Hälsoläget utrett; arbetsförmåga på halvtid.",
                "Behov av yrkesutbildning inom vård och omsorg.",
            ]
        ),
        plan_agreed_by_all=bool(plan and plan.is_agreed),
        handover=handover,
        handed_over_to=None
        if handover == Handover.NONE
        else agencies["forsakringskassan"]
        if handover == Handover.AF_FK
        else agencies["malmo"]
        if handover == Handover.MUNICIPALITY
        else agencies["arbetsformedlingen"],
        recorded_by=user,
        source_organisation=owner,
    )
    assert enrolment.exit_date is not None
    for months in (1, 6):
        due = follow_up_days(enrolment.exit_date, months)
        done = due < today - datetime.timedelta(days=10) and rng.random() < 0.8
        FollowUp.objects.create(
            enrolment=enrolment,
            months=months,
            due_on=due,
            done_on=due if done else None,
            income=rng.choice(
                [IncomeSource.SALARY, IncomeSource.STUDY_SUPPORT, IncomeSource.INCOME_SUPPORT]
            )
            if done
            else "",
            recorded_by=user if done else None,
            source_organisation=owner if done else None,
        )


def _load_kvinnor(ctx: DemoContext, today: datetime.date) -> None:
    agencies = _agencies(ctx)
    agreement = _internationella_kvinnor(agencies)
    phases = _phases(agreement)
    user = ctx.users["ansvarig"]
    owner = agencies["arbetsformedlingen"]
    rng = random.Random("iop-demo-internationella-kvinnor")
    codes = [f"D-IK{i:03d}" for i in range(1, 31)]
    existing = Participant.objects.filter(code__in=codes)
    Enrolment.objects.filter(participant__in=existing).delete()
    Consent.objects.filter(participant__in=existing).delete()
    Referral.objects.filter(participant__in=existing).delete()
    last_day = min(agreement.end_date, today)
    for code in codes:
        participant, _ = Participant.objects.update_or_create(
            code=code,
            defaults={
                "name": f"{rng.choice(FIRST_NAMES[Gender.WOMAN])} {rng.choice(LAST_NAMES)}",
                "gender": Gender.WOMAN,
                "birth_year": rng.randint(1965, 1995),
                "language": rng.choice(["arabiska", "somaliska", "dari", "tigrinja", "persiska"]),
                "pseudonymised_at": None,
                # Registered by the project owner, who holds what the agencies share.
                "organisation": owner,
            },
        )
        # The pilot ran in 2015; the implementation through 2016.
        start = D(2015, 1, 15) + datetime.timedelta(days=rng.randint(0, 600))
        referrer = rng.choice(
            [agencies["malmo"], agencies["arbetsformedlingen"], agencies["region"]]
        )
        referral = Referral.objects.create(
            participant=participant,
            agreement=agreement,
            date=start - datetime.timedelta(days=rng.randint(5, 25)),
            referred_by=rng.choice(["Socialsekreterare", "Arbetsförmedlare", "Vårdsamordnare"]),
            organisation=referrer,
            reason="Långt från arbetsmarknaden; behöver samordnade insatser.",
            requested_start=start,
            status=ReferralStatus.ENROLLED,
            source_organisation=referrer,
            recorded_by=user,
        )
        for org in (agencies["arbetsformedlingen"], agencies["malmo"], agencies["region"]):
            Consent.objects.create(
                participant=participant,
                holder=owner,
                organisation=org,
                given_on=referral.date,
                share_identity=True,
                share_notes=org == owner,
                share_plan=True,
                purpose="Samordnad plan mellan myndigheterna i Internationella kvinnor",
                method=ConsentMethod.WRITTEN,
                reference=f"IK-{code}-{org.pk}",
                recorded_by=user,
            )
        exit_date = start + datetime.timedelta(days=rng.randint(150, 330))
        exited = exit_date < last_day
        step = len(phases) if exited else min(len(phases), 1 + (last_day - start).days // 60)
        enrolment = Enrolment.objects.create(
            participant=participant,
            agreement=agreement,
            start_date=start,
            planned_min_days=120,
            planned_max_days=365,
            phase=phases[step - 1],
            income_at_start=rng.choice(
                [IncomeSource.INCOME_SUPPORT, IncomeSource.ACTIVITY_SUPPORT]
            ),
            income_at_exit=rng.choice([IncomeSource.SALARY, IncomeSource.STUDY_SUPPORT])
            if exited
            else "",
            exit_date=exit_date if exited else None,
            exit_outcome=rng.choice([ExitOutcome.WORK, ExitOutcome.STUDIES]) if exited else "",
            enrolled_by=user,
        )
        referral.enrolment = enrolment
        referral.save(update_fields=["enrolment"])
        span = ((exit_date if exited else last_day) - start).days
        for i in range(step):
            PhaseChange.objects.create(
                enrolment=enrolment,
                date=start + datetime.timedelta(days=i * span // len(phases)),
                from_phase=phases[i - 1] if i else None,
                to_phase=phases[i],
                changed_by=user,
            )
        _plan(rng, enrolment, agencies, user, exit_date if exited else last_day, owner)
        if exited:
            _exit(rng, enrolment, agencies, user, owner, today)


def _load_malmokraften(ctx: DemoContext, today: datetime.date) -> None:
    """Intake windows every second month (never June–July or December), coordinated plans
    agreed by the agencies responsible, exits with hand-over and follow-ups."""
    agreement = ctx.agreements.get("malmokraften")
    if agreement is None:
        return
    agencies = _agencies(ctx)
    IntakeWindow.objects.filter(agreement=agreement).delete()
    month = agreement.start_date.replace(day=1)
    while month <= agreement.end_date:
        if month.month not in (6, 7, 12):
            IntakeWindow.objects.create(
                agreement=agreement,
                starts_on=month,
                ends_on=month + relativedelta(months=1, days=-1),
            )
        month += relativedelta(months=2)
    rng = random.Random("iop-demo-malmokraften-casework")
    user = ctx.users["ansvarig"]
    enrolments = Enrolment.objects.filter(agreement=agreement).select_related("action_plan")
    keys = ["arbetsformedlingen", "malmo", "forsakringskassan", "region"]
    for enrolment in enrolments:
        plan = getattr(enrolment, "action_plan", None)
        if plan is None:
            continue
        goals = list(plan.goals.all())
        responsible = []
        for goal in goals:
            org = agencies[rng.choice(keys)]
            goal.responsible_organisation = org
            goal.status = GoalStatus.ACHIEVED if goal.achieved_on else GoalStatus.ONGOING
            goal.source_organisation = agencies["malmo"]
            goal.save(update_fields=["responsible_organisation", "status", "source_organisation"])
            if org not in responsible:
                responsible.append(org)
        if rng.random() < 0.8 and responsible:
            end = enrolment.exit_date or today
            _agree(
                plan,
                responsible,
                min(plan.drawn_up_on + datetime.timedelta(days=rng.randint(3, 45)), end),
                user,
            )
        if enrolment.exit_date:
            _exit(rng, enrolment, agencies, user, agencies["arbetsformedlingen"], today)


def load(ctx: DemoContext) -> None:
    today = timezone.localdate()
    _load_kvinnor(ctx, today)
    _load_malmokraften(ctx, today)
