"""Demo participants for the three seed partnerships: invented people, their consents,
referrals, enrolments, phases, action plans, step assessments, contacts, group sessions
with attendance, and anonymous outreach counts.

Codes are fixed (D-TW001, D-BR001, D-MK001 …) so a re-run replaces the demo records
instead of adding more. Participant rows themselves are kept (the access log points at
them and may never be deleted); everything hanging off them is recreated.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from partnerships.demo import DemoContext
from partnerships.models import Agreement, User

from .models import (
    ActionGoal,
    ActionPlan,
    AgeBand,
    AnonymousContactCount,
    Attendance,
    Consent,
    ConsentMethod,
    Contact,
    Enrolment,
    ExitOutcome,
    Gender,
    GoalStatus,
    GroupActivity,
    GroupSession,
    IdentityStatus,
    IncomeSource,
    Participant,
    Phase,
    PhaseChange,
    ProgressAssessment,
    Referral,
)

D = datetime.date

FIRST_NAMES = {
    Gender.WOMAN: [
        "Anong",
        "Malee",
        "Siri",
        "Sara",
        "Amina",
        "Leyla",
        "Noor",
        "Hanna",
        "Elsa",
        "Fatima",
        "Rosa",
        "Ida",
        "Samira",
        "Dalia",
        "Nina",
        "Maja",
        "Yasmin",
        "Aisha",
        "Lina",
        "Vera",
    ],
    Gender.MAN: [
        "Ahmad",
        "Johan",
        "Karim",
        "Erik",
        "Omar",
        "Mehmet",
        "Ali",
        "Nils",
        "Yusuf",
        "Daniel",
        "Samir",
        "Oskar",
        "Hassan",
        "Viktor",
        "Tariq",
        "Adam",
    ],
    Gender.OTHER: ["Kim", "Robin", "Alex"],
}
LAST_NAMES = [
    "Demosson",
    "Exempelsdotter",
    "Testberg",
    "Påhittad",
    "Fiktiv",
    "Provlund",
    "Låtsasson",
    "Övningsgren",
    "Skenström",
    "Modellin",
]
REGISTRATION_PURPOSE = "Registrering och stöd i partnerskapet"
CONSENT_PURPOSE = "Samordnat stöd mot arbete eller studier"
HEALTH_TOPICS = {"Hälsa och vardag"}

TOPICS = [
    "Uppföljning av handlingsplan",
    "Kontakt med arbetsgivare",
    "Ekonomi och budget",
    "CV och ansökningar",
    "Hälsa och vardag",
    "Boende",
    "Svenska i vardagen",
    "Praktikplats",
    "Studieval",
    "Myndighetskontakt",
]
REFERRALS = [
    "",
    "",
    "",
    "",
    "Arbetsförmedlingen",
    "Vårdcentral",
    "Budget- och skuldrådgivning",
    "Komvux",
    "Försäkringskassan",
]
GOALS = [
    "Förbättra svenska till nivå B",
    "Praktik inom handel",
    "Få ordning på ekonomin",
    "Ta körkort",
    "Söka fem jobb i månaden",
    "Påbörja yrkesutbildning",
    "Regelbunden fysisk aktivitet",
]


def load(ctx: DemoContext) -> None:
    today = timezone.localdate()
    org = ctx.organisations
    users = ctx.users
    plans = [
        # key, code prefix, count, consenting organisations, staff, weights (woman, man, other), language pool
        (
            "thaiwise",
            "TW",
            45,
            [org["helamanniskan"], org["malmo"]],
            [users["koordinator"]],
            (0.95, 0.03, 0.02),
            ["thailändska", "thailändska", "engelska", "svenska"],
        ),
        (
            "bromodellen",
            "BR",
            40,
            [org["bilda"], org["linkoping"], org["erikshjalpen"]],
            [users["koordinator2"]],
            (0.5, 0.48, 0.02),
            ["arabiska", "somaliska", "dari", "svenska", "tigrinja"],
        ),
        (
            "malmokraften",
            "MK",
            60,
            [org["malmo"], org["arbetsformedlingen"]],
            [users["ansvarig"]],
            (0.45, 0.53, 0.02),
            ["svenska", "arabiska", "bosniska", "persiska", "engelska"],
        ),
    ]
    for key, prefix, count, orgs, staff, weights, languages in plans:
        agreement = ctx.agreements[key]
        rng = random.Random(f"iop-demo-{key}")
        _load_partnership(rng, agreement, prefix, count, orgs, staff, weights, languages, today)
    _anonymous_outreach(ctx.agreements["thaiwise"], users["koordinator"], today)


def _clear(agreement: Agreement, codes: list[str]) -> None:
    participants = Participant.objects.filter(code__in=codes)
    Contact.objects.filter(participant__in=participants).delete()
    Attendance.objects.filter(participant__in=participants).delete()
    Enrolment.objects.filter(participant__in=participants).delete()
    Consent.objects.filter(participant__in=participants).delete()
    Referral.objects.filter(participant__in=participants).delete()
    GroupActivity.objects.filter(agreement=agreement).delete()


def _load_partnership(
    rng, agreement, prefix, count, orgs, staff, weights, languages, today
) -> None:
    codes = [f"D-{prefix}{i:03d}" for i in range(1, count + 1)]
    _clear(agreement, codes)
    phases = list(Phase.for_agreement(agreement))
    last_day = min(agreement.end_date, today)
    period_days = (last_day - agreement.start_date).days
    contacts: list[Contact] = []
    enrolments: list[Enrolment] = []
    for code in codes:
        gender = rng.choices([Gender.WOMAN, Gender.MAN, Gender.OTHER], weights)[0]
        birth_year = rng.randint(1962, 2004)
        with_identity = agreement.short_id != "thaiwise" or rng.random() < 0.3
        name = (
            f"{rng.choice(FIRST_NAMES[gender])} {rng.choice(LAST_NAMES)}" if with_identity else ""
        )
        # The last of each partnership has protected identity: registered without name,
        # seen by the registering organisation only, counted like everyone else.
        protected = code == codes[-1]
        participant, _ = Participant.objects.update_or_create(
            code=code,
            defaults={
                "organisation": orgs[0],
                "identity_status": IdentityStatus.PROTECTED
                if protected
                else IdentityStatus.REGISTERED,
                "name": "" if protected else name,
                "personnummer": "",
                "gender": gender,
                "birth_year": birth_year,
                "language": rng.choice(languages),
                "pseudonymised_at": None,
            },
        )
        # Spread starts over the agreement's years; keep the first few weeks for the earliest.
        start = agreement.start_date + datetime.timedelta(
            days=rng.randint(0, max(period_days - 20, 1))
        )
        referral_day = start - datetime.timedelta(days=rng.randint(3, 30))
        Referral.objects.create(
            participant=participant,
            agreement=agreement,
            date=referral_day,
            referred_by=rng.choice(
                [
                    "Socialsekreterare",
                    "Arbetsmarknadskoordinator",
                    "Uppsökande verksamhet",
                    "Handläggare",
                ]
            ),
            organisation=orgs[-1] if len(orgs) > 1 else orgs[0],
            reason=rng.choice(
                [
                    "Långt från arbetsmarknaden",
                    "Behöver stöd i svenska",
                    "Önskar arbetsträning",
                    "Söker väg till studier",
                ]
            ),
        )
        for i, organisation in enumerate(orgs):
            if i > 0 and rng.random() < 0.3:
                continue  # not everyone shares with every party
            # The first is the consent to registration with the first party; the others
            # let it share with another party, each a written form with its reference.
            share_identity = i == 0 or rng.random() < 0.5
            if protected and i > 0:
                continue  # the other parties never see her
            Consent.objects.create(
                participant=participant,
                holder=orgs[0],
                organisation=organisation,
                given_on=referral_day,
                share_identity=share_identity,
                share_notes=i == 0,
                share_plan=True,
                share_income=True,
                share_health=i == 0,
                purpose=CONSENT_PURPOSE if i else REGISTRATION_PURPOSE,
                method=ConsentMethod.WRITTEN,
                reference=f"SAM-{code}-{i + 1}",
                recorded_by=staff[0],
            )
        income = rng.choices(
            [
                IncomeSource.INCOME_SUPPORT,
                IncomeSource.ACTIVITY_SUPPORT,
                IncomeSource.SICKNESS_BENEFIT,
                IncomeSource.NONE,
                IncomeSource.SALARY,
            ],
            [45, 20, 12, 18, 5],
        )[0]
        min_days, max_days = rng.choice([(90, 180), (120, 270), (180, 365)])
        # About half have left; the exit falls between the planned minimum and maximum time.
        exit_date = None
        if rng.random() < 0.55:
            candidate = start + datetime.timedelta(days=rng.randint(min_days // 2, max_days))
            if candidate < last_day:
                exit_date = candidate
        outcome = ""
        income_at_exit = ""
        if exit_date:
            outcome = rng.choices(
                [
                    ExitOutcome.WORK,
                    ExitOutcome.WORK_WITH_SUPPORT,
                    ExitOutcome.STUDIES,
                    ExitOutcome.OTHER_PROGRAMME,
                    ExitOutcome.MOVED,
                    ExitOutcome.OTHER,
                    ExitOutcome.UNKNOWN,
                ],
                [34, 10, 14, 14, 8, 10, 10],
            )[0]
            income_at_exit = (
                IncomeSource.SALARY
                if outcome in (ExitOutcome.WORK, ExitOutcome.WORK_WITH_SUPPORT)
                else IncomeSource.STUDY_SUPPORT
                if outcome == ExitOutcome.STUDIES
                else income
            )
        end = exit_date or last_day
        elapsed = (end - start).days
        phase_count = min(len(phases), 1 + elapsed // 60) if not exit_date else len(phases)
        enrolment = Enrolment.objects.create(
            participant=participant,
            agreement=agreement,
            start_date=start,
            planned_min_days=min_days,
            planned_max_days=max_days,
            phase=phases[phase_count - 1],
            income_at_start=income,
            income_at_exit=income_at_exit,
            exit_date=exit_date,
            exit_outcome=outcome,
            enrolled_by=staff[0],
            next_step=""
            if exit_date
            else rng.choice(
                [
                    "Trepartssamtal",
                    "Studiebesök",
                    "Praktikstart",
                    "Uppföljning av mål",
                    "Möte med handläggare",
                ]
            ),
        )
        enrolments.append(enrolment)
        for i in range(phase_count):
            day = (
                start + datetime.timedelta(days=i * elapsed // max(len(phases), 1)) if i else start
            )
            PhaseChange.objects.create(
                enrolment=enrolment,
                date=min(day, end),
                from_phase=phases[i - 1] if i else None,
                to_phase=phases[i],
                changed_by=staff[0],
            )
        # Step assessments: at start, then every ~90 days; most move up a step or two.
        step = rng.randint(1, 3)
        day = start
        while day <= end:
            ProgressAssessment.objects.create(
                enrolment=enrolment,
                date=day,
                step=step,
                assessed_by=staff[0],
                source_organisation_id=staff[0].organisation_id,
            )
            step = min(7, step + rng.choice([0, 1, 1, 2]))
            day += datetime.timedelta(days=rng.randint(75, 110))
        plan = ActionPlan.objects.create(
            enrolment=enrolment,
            drawn_up_on=min(start + datetime.timedelta(days=14), end),
            summary="Handlingsplanen togs fram tillsammans med deltagaren.",
            updated_by=staff[0],
            source_organisation_id=staff[0].organisation_id,
        )
        for position, goal in enumerate(rng.sample(GOALS, 3)):
            target = start + datetime.timedelta(days=rng.randint(60, 300))
            achieved_on = target if target < end and rng.random() < 0.5 else None
            ActionGoal.objects.create(
                plan=plan,
                description=goal,
                # The consenting organisations take the goals in turn (no random draw, so
                # the rest of the demo stays as it was).
                responsible_organisation=orgs[position % len(orgs)],
                status=GoalStatus.ACHIEVED if achieved_on else GoalStatus.ONGOING,
                target_date=target,
                position=position,
                achieved_on=achieved_on,
                source_organisation_id=staff[0].organisation_id,
            )
        day = start
        while day <= end:
            # Drawn in the order the demo always drew them, so the figures stay the same.
            kind = rng.choices(list(Contact.Kind.values), [40, 25, 12, 5, 10, 8])[0]
            minutes = rng.choice([15, 20, 30, 45, 60, 90])
            member = rng.choice(staff)
            topic = rng.choice(TOPICS)
            contacts.append(
                Contact(
                    participant=participant,
                    agreement=agreement,
                    date=day,
                    kind=kind,
                    duration_minutes=minutes,
                    staff=member,
                    source_organisation_id=member.organisation_id,
                    topic=topic,
                    # Talk of health is health information: shown elsewhere only under a
                    # consent for it.
                    health=topic in HEALTH_TOPICS,
                    referrals=rng.choice(REFERRALS),
                    note="Påhittad anteckning för demonstration." if rng.random() < 0.3 else "",
                )
            )
            day += datetime.timedelta(days=rng.randint(5, 16))
    Contact.objects.bulk_create(contacts, batch_size=2000)
    _group_sessions(rng, agreement, enrolments, staff[0], last_day)


def _group_sessions(
    rng, agreement: Agreement, enrolments: list[Enrolment], leader: User, last_day
) -> None:
    name, kind = {
        "thaiwise": ("Mötesplats och svenska", GroupActivity.Kind.WORKSHOP),
        "bromodellen": ("Studiecirkel arbetsliv", GroupActivity.Kind.STUDY_CIRCLE),
        "malmokraften": ("Jobbsökarverkstad", GroupActivity.Kind.WORKSHOP),
    }.get(agreement.short_id, ("Gruppträff", GroupActivity.Kind.WORKSHOP))
    activity = GroupActivity.objects.create(agreement=agreement, name=name, kind=kind)
    rows: list[Attendance] = []
    day = agreement.start_date + datetime.timedelta(
        days=(7 - agreement.start_date.weekday()) % 7 + 1
    )
    while day <= last_day:
        session = GroupSession.objects.create(
            activity=activity,
            date=day,
            start_time=datetime.time(13, 0),
            duration_minutes=120,
            topic=rng.choice(
                [
                    "Arbetsmarknaden",
                    "Samhällsinformation",
                    "Språkcafé",
                    "Studiebesök",
                    "Intervjuträning",
                ]
            ),
            leader=leader,
        )
        for enrolment in enrolments:
            if enrolment.covers(day) and rng.random() < 0.7:
                rows.append(
                    Attendance(
                        participant_id=enrolment.participant_id,
                        agreement=agreement,
                        date=day,
                        session=session,
                        status=rng.choices(list(Attendance.Status.values), [78, 12, 10])[0],
                        recorded_by=leader,
                    )
                )
        day += datetime.timedelta(days=7)
    Attendance.objects.bulk_create(rows, batch_size=2000)


def _anonymous_outreach(agreement: Agreement, user: User, today) -> None:
    AnonymousContactCount.objects.filter(agreement=agreement).delete()
    rng = random.Random("iop-demo-outreach")
    rows = []
    day = agreement.start_date
    last_day = min(agreement.end_date, today)
    while day <= last_day:
        for band, weight in (
            (AgeBand.FROM_18, 2),
            (AgeBand.FROM_30, 5),
            (AgeBand.FROM_45, 3),
            (AgeBand.UNKNOWN, 1),
        ):
            n = rng.randint(0, weight * 2)
            if n:
                rows.append(
                    AnonymousContactCount(
                        agreement=agreement,
                        date=day,
                        place=rng.choice(
                            ["Massagesalonger, centrum", "Möllevången", "Mötesplatsen"]
                        ),
                        gender=Gender.WOMAN,
                        age_band=band,
                        count=n,
                        recorded_by=user,
                    )
                )
        if rng.random() < 0.2:
            rows.append(
                AnonymousContactCount(
                    agreement=agreement,
                    date=day,
                    place="Mötesplatsen",
                    gender=Gender.MAN,
                    age_band=AgeBand.FROM_30,
                    count=1,
                    recorded_by=user,
                )
            )
        day += datetime.timedelta(days=7)
    AnonymousContactCount.objects.bulk_create(rows)
