"""Demo step: what the funders ask about Malmökraften (ESF+ and Finsam, seed 002) and
Internationella kvinnor (Finsam, seed 003) participants, so that the funder reports have
content: each agreement's funder profile and target-group rules, the background at entry
of every enrolment, the results at exit of those who left, and the 6-month results of the
follow-ups that were done.

Runs after the casework demo (it reads its exits and follow-ups). Everything here is
invented: the project reference, the people and their situations. Re-running replaces it.

Age at entry is computed the way the background form derives it: from the personnummer's
birth date when there is one, otherwise from the birth year alone with the birthday taken
as passed (age = start year − birth year). Demo participants have no personnummer.

Malmökraften's target group is 30 or older and unemployed at least 12 months. The
participants demo draws birth years 1962–2004 for every partnership, so this step moves
the birth year of Malmökraften's under-30s back into the target group, with its own
Random so that every other draw of the demo stays as it was. Two enrolments deliberately
break a rule and carry the written justification the form asks for. The rule against a
parallel ESF project is set but never broken: no other demo agreement is ESF-financed.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from partnerships.demo import DemoContext
from partnerships.models import Agreement

from .demo_casework import TITLE as KVINNOR_TITLE
from .funder import background_breach
from .models import (
    EligibilityRule,
    Enrolment,
    EntryBackground,
    ExitOutcome,
    ExitResult,
    FollowUp,
    FunderProfile,
    IncomeSource,
    Participant,
)
from .models.funder import (
    Answer,
    EducationLevel,
    FundingProgramme,
    LabourMarketStatus,
    ResultAnswer,
    age_on,
)

Kind = EligibilityRule.Kind
YES, NO, DECLINED = Answer.YES, Answer.NO, Answer.DECLINED
R_YES: str = ResultAnswer.YES
R_NO: str = ResultAnswer.NO
R_UNKNOWN: str = ResultAnswer.UNKNOWN
WORK_OUTCOMES = (ExitOutcome.WORK, ExitOutcome.WORK_WITH_SUPPORT)

MALMOKRAFTEN_PROFILE = {
    "programme": FundingProgramme.ESF_AND_FINSAM,
    # Invented: not the number of any real ESF+ project.
    "project_reference": "DEMO-ESF-2023-0042",
    "finsam_intervention": "Malmökraften – samordnat stöd mot arbete och studier",
    "required_background": ["labour_market_status"],
}
MALMOKRAFTEN_RULES: list[tuple[str, int | None]] = [
    (Kind.MIN_AGE, 30),
    (Kind.MIN_UNEMPLOYED_MONTHS, 12),
    (Kind.NO_PARALLEL_ESF, None),
]
KVINNOR_PROFILE = {
    "programme": FundingProgramme.FINSAM,
    "project_reference": "DEMO-FINSAM-2014-07",
    "finsam_intervention": "Internationella kvinnor – samordnad handlingsplan",
    "required_background": [],
}
# How often Malmökraften's participants have income support on top of their income at
# entry: always beside a few hours' work a month (not enough to leave unemployment), now
# and then beside activity support or sickness benefit.
INCOME_SUPPORT_ON_TOP: dict[str, float] = {
    IncomeSource.SALARY: 1.0,
    IncomeSource.ACTIVITY_SUPPORT: 0.3,
    IncomeSource.SICKNESS_BENEFIT: 0.25,
}
JUSTIFICATIONS = {
    Kind.MIN_AGE: (
        "Anvisad av Försäkringskassan efter lång sjukskrivning; har samma behov av "
        "samordnat stöd som målgruppen. Styrgruppen godkände avsteg från åldersgränsen."
    ),
    Kind.MIN_UNEMPLOYED_MONTHS: (
        "Har aktivitetsersättning och står utanför arbetskraften; Försäkringskassan "
        "bedömer att arbetsförberedande insatser behövs nu. Avsteg godkänt av styrgruppen."
    ),
}


def load(ctx: DemoContext) -> None:
    malmokraften = ctx.agreements.get("malmokraften")
    if malmokraften is not None:
        _profile(malmokraften, MALMOKRAFTEN_PROFILE, MALMOKRAFTEN_RULES)
        _load_malmokraften(malmokraften)
    kvinnor = Agreement.objects.filter(title=KVINNOR_TITLE).order_by("pk").first()
    if kvinnor is not None:
        _profile(kvinnor, KVINNOR_PROFILE, [])
        _load_kvinnor(kvinnor)


def age_at_entry(participant: Participant, start: datetime.date) -> int | None:
    """The participant's age on the enrolment's first day, as the app derives it."""
    return age_on(participant.personnummer, participant.birth_year, start)


def _profile(agreement: Agreement, profile: dict, rules: list[tuple[str, int | None]]) -> None:
    FunderProfile.objects.update_or_create(agreement=agreement, defaults=profile)
    EligibilityRule.objects.filter(agreement=agreement).delete()
    for kind, value in rules:
        EligibilityRule.objects.create(agreement=agreement, kind=kind, value=value)


def _enrolments(agreement: Agreement) -> list[Enrolment]:
    EntryBackground.objects.filter(enrolment__agreement=agreement).delete()
    ExitResult.objects.filter(enrolment__agreement=agreement).delete()
    return list(
        Enrolment.objects.filter(agreement=agreement)
        .select_related("participant", "enrolled_by")
        .order_by("participant__code", "start_date", "pk")
    )


def breaches(background: EntryBackground, rules: list[EligibilityRule]) -> list[str]:
    """The target-group rules the background breaks, by the app's own check
    (participants.funder); a parallel ESF project is never checked here: the demo has no
    other ESF agreement."""
    found = (background_breach(rule, background.age_at_entry, background) for rule in rules)
    return [breach.kind for breach in found if breach is not None]


def _recorded(enrolment: Enrolment, day: datetime.date) -> dict:
    """Who recorded a row, and when: the enrolling caseworker, on the given day at ten."""
    user = enrolment.enrolled_by
    moment = datetime.datetime.combine(
        day, datetime.time(10), tzinfo=timezone.get_current_timezone()
    )
    return {
        "recorded_by": user,
        "source_organisation_id": user.organisation_id if user else None,
        "recorded_at": moment,
    }


def _maybe(rng: random.Random, value: str, declined: float, blank: float) -> str:
    """The value, or now and then "vill ej uppge" or left blank (unknown)."""
    draw = rng.random()
    if draw < declined:
        return DECLINED
    if draw < declined + blank:
        return ""
    return value


# --------------------------------------------------------------------------- Malmökraften


def _load_malmokraften(agreement: Agreement) -> None:
    rng = random.Random("iop-demo-malmokraften-funder")
    rules = list(EligibilityRule.objects.filter(agreement=agreement))
    enrolments = _enrolments(agreement)
    young = _into_target_group(rng, enrolments)
    # The first on sickness-related activity compensation is outside the labour force.
    inactive = next(
        (
            e
            for e in enrolments
            if e.income_at_start == IncomeSource.SICKNESS_BENEFIT and e != young
        ),
        None,
    )
    backgrounds = []
    for enrolment in enrolments:
        background = _malmokraften_background(rng, enrolment, inactive=enrolment == inactive)
        background.eligibility_breaches = breaches(background, rules)
        background.eligibility_justification = "\n".join(
            str(JUSTIFICATIONS[kind]) for kind in background.eligibility_breaches
        )
        backgrounds.append(background)
    EntryBackground.objects.bulk_create(backgrounds)
    _exit_results(rng, [e for e in enrolments if e.exit_date])
    _six_month_results(rng, agreement)


def _into_target_group(rng: random.Random, enrolments: list[Enrolment]) -> Enrolment | None:
    """Move the under-30s' birth year back into the target group, all but one, who stays
    29 at start and is enrolled with a justification. Returns that one."""
    young = None
    changed = []
    for enrolment in enrolments:
        participant = enrolment.participant
        age = age_at_entry(participant, enrolment.start_date)
        if age is None or age >= 30:
            continue
        if young is None:
            young = enrolment
            participant.birth_year = enrolment.start_date.year - 29
        else:
            participant.birth_year = enrolment.start_date.year - rng.randint(30, 61)
        changed.append(participant)
    Participant.objects.bulk_update(changed, ["birth_year"])
    return young


def _malmokraften_background(
    rng: random.Random, enrolment: Enrolment, *, inactive: bool
) -> EntryBackground:
    participant = enrolment.participant
    income = enrolment.income_at_start
    if inactive:
        status, months = LabourMarketStatus.INACTIVE_NOT_IN_EDUCATION, None
    else:
        # Long-term unemployed; those on sickness benefit have usually been out longest.
        status = LabourMarketStatus.UNEMPLOYED
        longest = 144 if income == IncomeSource.SICKNESS_BENEFIT else 96
        months = rng.choice(
            [rng.randint(12, 24), rng.randint(12, longest), rng.randint(25, longest)]
        )
    # A Swedish-speaking participant may still have a foreign background; the others do.
    foreign = YES if participant.language != "svenska" or rng.random() < 0.3 else NO
    third_country = (YES if rng.random() < 0.6 else NO) if foreign == YES else NO
    disability_share = 0.55 if income == IncomeSource.SICKNESS_BENEFIT else 0.15
    sources = [str(income)] if income else []
    if rng.random() < INCOME_SUPPORT_ON_TOP.get(income, 0.0):
        sources.append(str(IncomeSource.INCOME_SUPPORT))
    education = rng.choices(
        [EducationLevel.ISCED_0_2, EducationLevel.ISCED_3_4, EducationLevel.ISCED_5_8],
        [45, 38, 17],
    )[0]
    return EntryBackground(
        enrolment=enrolment,
        age_at_entry=age_at_entry(participant, enrolment.start_date),
        labour_market_status=status,
        unemployed_months=months,
        education_level=_maybe(rng, education, declined=0.05, blank=0.07),
        disability=_maybe(rng, YES if rng.random() < disability_share else NO, 0.08, 0.05),
        third_country_national=_maybe(rng, third_country, declined=0.0, blank=0.05),
        # A third-country national has a foreign background whatever else is left blank.
        foreign_background=YES
        if third_country == YES
        else _maybe(rng, foreign, declined=0.04, blank=0.03),
        homeless=_maybe(rng, YES if rng.random() < 0.07 else NO, declined=0.02, blank=0.1),
        income_sources=sources,
        **_recorded(enrolment, enrolment.start_date),
    )


# --------------------------------------------------------------------------- Internationella kvinnor


def _load_kvinnor(agreement: Agreement) -> None:
    rng = random.Random("iop-demo-internationella-kvinnor-funder")
    enrolments = _enrolments(agreement)
    EntryBackground.objects.bulk_create(_kvinnor_background(rng, e) for e in enrolments)
    exited = [e for e in enrolments if e.exit_date]
    # The casework demo drew the income at exit apart from the outcome; make them agree.
    for enrolment in exited:
        enrolment.income_at_exit = (
            IncomeSource.SALARY
            if enrolment.exit_outcome in WORK_OUTCOMES
            else IncomeSource.STUDY_SUPPORT
            if enrolment.exit_outcome == ExitOutcome.STUDIES
            else enrolment.income_at_exit
        )
    Enrolment.objects.bulk_update(exited, ["income_at_exit"])
    _exit_results(rng, exited)
    _six_month_results(rng, agreement)


def _kvinnor_background(rng: random.Random, enrolment: Enrolment) -> EntryBackground:
    """Newly arrived women from outside the EU, most of them outside the labour force."""
    status = rng.choices(
        [
            LabourMarketStatus.INACTIVE,
            LabourMarketStatus.INACTIVE_NOT_IN_EDUCATION,
            LabourMarketStatus.UNEMPLOYED,
            "",
        ],
        [35, 25, 35, 5],
    )[0]
    months = rng.randint(2, 30) if status == LabourMarketStatus.UNEMPLOYED else None
    if months is not None and rng.random() < 0.15:
        months = None  # registered as job-seeking, since when not known
    education = rng.choices(
        [
            EducationLevel.ISCED_0_2,
            EducationLevel.ISCED_3_4,
            EducationLevel.ISCED_5_8,
            EducationLevel.DECLINED,
            "",
        ],
        [44, 24, 22, 4, 6],
    )[0]
    return EntryBackground(
        enrolment=enrolment,
        age_at_entry=age_at_entry(enrolment.participant, enrolment.start_date),
        labour_market_status=status,
        unemployed_months=months,
        education_level=education,
        disability=_maybe(rng, YES if rng.random() < 0.1 else NO, declined=0.05, blank=0.1),
        third_country_national=_maybe(rng, YES, declined=0.0, blank=0.04),
        foreign_background=YES,
        homeless=_maybe(rng, YES if rng.random() < 0.15 else NO, declined=0.03, blank=0.1),
        income_sources=[enrolment.income_at_start] if enrolment.income_at_start else [],
        **_recorded(enrolment, enrolment.start_date),
    )


# --------------------------------------------------------------------------- results


def _exit_results(rng: random.Random, exited: list[Enrolment]) -> None:
    results = []
    for enrolment in exited:
        assert enrolment.exit_date is not None
        results.append(
            ExitResult(
                enrolment=enrolment,
                **_results_for(rng, enrolment),
                **_recorded(enrolment, enrolment.exit_date),
            )
        )
    ExitResult.objects.bulk_create(results)


def _results_for(rng: random.Random, enrolment: Enrolment) -> dict:
    """Results at exit that agree with the exit outcome: in employment only for work, in
    education only for studies; an unknown outcome leaves the results unknown."""
    outcome = enrolment.exit_outcome
    at_exit = enrolment.income_at_exit
    qualified = R_YES if rng.random() < 0.3 else R_NO
    if outcome in WORK_OUTCOMES:
        sources: list[str] = [IncomeSource.SALARY]
        if rng.random() < 0.15:
            sources.append(IncomeSource.INCOME_SUPPORT)  # part-time, topped up
        return _result(R_NO, R_NO, qualified, R_YES, sources)
    if outcome == ExitOutcome.STUDIES:
        return _result(R_NO, R_YES, qualified, R_NO, [IncomeSource.STUDY_SUPPORT])
    if outcome == ExitOutcome.OTHER_PROGRAMME:
        return _result(R_YES, R_NO, qualified, R_NO, [at_exit] if at_exit else [])
    if outcome == ExitOutcome.OTHER:
        seeking = R_YES if rng.random() < 0.5 else R_NO
        return _result(seeking, R_NO, R_NO, R_NO, [at_exit] if at_exit else [])
    if outcome == ExitOutcome.MOVED:
        # Moved away: asked on the way out, some of it answered.
        seeking = rng.choice([R_YES, R_UNKNOWN, ""])
        return _result(seeking, R_UNKNOWN, "", R_UNKNOWN, [at_exit] if at_exit else [])
    # Outcome unknown: the participant stopped coming; only the income may be on record.
    sources = [at_exit] if at_exit else [IncomeSource.UNKNOWN]
    return _result(R_UNKNOWN, R_UNKNOWN, R_UNKNOWN, R_UNKNOWN, sources)


def _result(
    seeking: str, education: str, qualification: str, employment: str, sources: list
) -> dict:
    return {
        "job_seeking": seeking,
        "in_education": education,
        "gained_qualification": qualification,
        "in_employment": employment,
        "income_sources": [str(source) for source in sources],
    }


def _six_month_results(rng: random.Random, agreement: Agreement) -> None:
    """The longer-term results on the 6-month follow-ups that were done; some could not be
    found out (unknown), some were not recorded at all (blank)."""
    follow_ups = list(
        FollowUp.objects.filter(
            enrolment__agreement=agreement, months=6, done_on__isnull=False
        ).order_by("enrolment__participant__code", "pk")
    )
    for follow_up in follow_ups:
        draw = rng.random()
        if draw < 0.1:
            follow_up.in_employment, follow_up.better_situation = R_UNKNOWN, R_UNKNOWN
        elif draw < 0.18:
            follow_up.in_employment, follow_up.better_situation = "", ""
        else:
            working = follow_up.income == IncomeSource.SALARY
            follow_up.in_employment = R_YES if working else R_NO
            better = working or follow_up.income == IncomeSource.STUDY_SUPPORT
            follow_up.better_situation = R_YES if better else rng.choice([R_NO, R_NO, R_UNKNOWN])
    FollowUp.objects.bulk_update(follow_ups, ["in_employment", "better_situation"])
