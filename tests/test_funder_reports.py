"""The funders' reports (issue 15): the ESF+ participant report, the monthly follow-up and
the Uppföljning Finsam list, on a hand-computed set of 12 invented participants.

The fixture (agreement A, 2026):

    code gender start  status (months)     age edu   dis tcn for hom  exit       outcome  result
    W1   woman  03-02  unemployed 24      35  0-2   yes yes yes no   03-31 work      empl yes, qual yes
    W2   woman  03-02  unemployed 14      28  3-4   no  yes yes decl 03-31 work      empl yes, rest no
    W3   woman  03-02  unemployed 6       56  0-2   yes no  yes yes  03-31 work      empl yes, rest blank
    W4   woman  03-02  unemployed ?       17  0-2   ""  yes yes no   03-31 studies   edu yes, qual unknown
    W5   woman  03-02  unemployed 30      45  5-8   no  yes yes no   03-31 work w/s  (no result row)
    W6   woman  03-02  inactive no edu    22  3-4   no  no  no  no   -
    W7   woman  03-02  (no background)                               -
    M1   man    03-09  unemployed 12      60  3-4   yes yes yes yes  03-31 work      empl yes, rest no
    M2   man    03-09  inactive           19  decl  decl no no  no   -
    M3   man    03-09  employed           40  5-8   no  no  no  no   -
    O1   other  02-16  declined           ?   ""    ""  ""  ""  ""   -          (protected identity)
    U1   unknown 03-16 unemployed 18      25  0-2   no  yes yes no   -          (no consent to registration)

Income at start: W1, W2, W3, M1 income support; W4 activity support; W5 sickness benefit
(handed over to the AF–FK cooperation); the others salary. At exit W1, W2 salary, W3 and
M1 still income support. 6-month follow-ups (due 2026-09-30): W1 employed/better, W2
not employed/better, W3 unknown/blank, W4 not done, W5 employed/better, M1 no/no.
Plans agreed by two agencies: W1–W6, M1, M2. Referrals in March: Arbetsförmedlingen
W1–W5 and M1, Försäkringskassan W6 and M2.

The suppression threshold is 5: counts 1–4 show as "<5", and a cell that would give a
hidden one away as "*".
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants.models import (
    AccessLog,
    ActionPlan,
    Enrolment,
    EntryBackground,
    ExitOutcome,
    ExitRecord,
    ExitResult,
    FollowUp,
    FunderProfile,
    IdentityStatus,
    IncomeSource,
    Phase,
    Referral,
)
from participants.models.casework import Handover
from partnerships.models import Goal, Indicator, IndicatorTarget, Organisation
from reporting import funder
from reporting.models import ReferenceValue
from tests.factories.participants import ParticipantFactory
from tests.factories.partnerships import OrganisationFactory
from tests.test_invoicing_periods import pdf_text

D = datetime.date
YEAR = (D(2026, 1, 1), D(2026, 12, 31))

# code: gender, start, background (None = none recorded), exit (date, outcome, result)
PEOPLE = {
    "W1": ("woman", D(2026, 3, 2), ("unemployed", 24, 35, "isced_0_2", "yes", "yes", "yes", "no")),
    "W2": (
        "woman",
        D(2026, 3, 2),
        ("unemployed", 14, 28, "isced_3_4", "no", "yes", "yes", "declined"),
    ),
    "W3": ("woman", D(2026, 3, 2), ("unemployed", 6, 56, "isced_0_2", "yes", "no", "yes", "yes")),
    "W4": ("woman", D(2026, 3, 2), ("unemployed", None, 17, "isced_0_2", "", "yes", "yes", "no")),
    "W5": ("woman", D(2026, 3, 2), ("unemployed", 30, 45, "isced_5_8", "no", "yes", "yes", "no")),
    "W6": (
        "woman",
        D(2026, 3, 2),
        ("inactive_no_edu", None, 22, "isced_3_4", "no", "no", "no", "no"),
    ),
    "W7": ("woman", D(2026, 3, 2), None),
    "M1": ("man", D(2026, 3, 9), ("unemployed", 12, 60, "isced_3_4", "yes", "yes", "yes", "yes")),
    "M2": ("man", D(2026, 3, 9), ("inactive", None, 19, "declined", "declined", "no", "no", "no")),
    "M3": ("man", D(2026, 3, 9), ("employed", None, 40, "isced_5_8", "no", "no", "no", "no")),
    "O1": ("other", D(2026, 2, 16), ("declined", None, None, "", "", "", "", "")),
    "U1": (
        "unknown",
        D(2026, 3, 16),
        ("unemployed", 18, 25, "isced_0_2", "no", "yes", "yes", "no"),
    ),
}
INCOME_AT_START = {
    "W1": IncomeSource.INCOME_SUPPORT,
    "W2": IncomeSource.INCOME_SUPPORT,
    "W3": IncomeSource.INCOME_SUPPORT,
    "M1": IncomeSource.INCOME_SUPPORT,
    "W4": IncomeSource.ACTIVITY_SUPPORT,
    "W5": IncomeSource.SICKNESS_BENEFIT,
}
EXIT = D(2026, 3, 31)
# code: outcome, income at exit, ExitResult (job_seeking, in_education, qualification,
# in_employment) or None
EXITS = {
    "W1": (ExitOutcome.WORK, "salary", ("no", "no", "yes", "yes")),
    "W2": (ExitOutcome.WORK, "salary", ("no", "no", "no", "yes")),
    "W3": (ExitOutcome.WORK, "income_support", ("", "", "", "yes")),
    "W4": (ExitOutcome.STUDIES, "activity_support", ("no", "yes", "unknown", "no")),
    "W5": (ExitOutcome.WORK_WITH_SUPPORT, "sickness_benefit", None),
    "M1": (ExitOutcome.WORK, "income_support", ("no", "no", "no", "yes")),
}
# code: done, in_employment, better_situation
FOLLOW_UPS = {
    "W1": (True, "yes", "yes"),
    "W2": (True, "no", "yes"),
    "W3": (True, "unknown", ""),
    "W4": (False, "", ""),
    "W5": (True, "yes", "yes"),
    "M1": (True, "no", "no"),
}
PLANS = ("W1", "W2", "W3", "W4", "W5", "W6", "M1", "M2")
PHASE_1 = ("W6", "W7", "M2")  # Inrekrytering; the other active ones in Visionsbygge


def _enrol(agreement, organisation, code: str, spec, *, prefix: str = "") -> Enrolment:
    gender, start, background = spec
    identity = {"O1": IdentityStatus.PROTECTED, "U1": IdentityStatus.NO_CONSENT}.get(
        code, IdentityStatus.REGISTERED
    )
    person = ParticipantFactory.create(
        gender=gender,
        organisation=organisation,
        identity_status=identity,
        name="" if identity != IdentityStatus.REGISTERED else f"Person {prefix}{code}",
    )
    phases = list(Phase.objects.filter(agreement__isnull=True).order_by("position"))
    exit_spec = EXITS.get(code)
    enrolment = Enrolment.objects.create(
        participant=person,
        agreement=agreement,
        start_date=start,
        income_at_start=INCOME_AT_START.get(code[:2], IncomeSource.SALARY),
        phase=phases[0] if code in PHASE_1 else phases[1],
        exit_date=EXIT if exit_spec else None,
        exit_outcome=exit_spec[0] if exit_spec else "",
        income_at_exit=exit_spec[1] if exit_spec else "",
    )
    if background:
        status, months, age, edu, dis, tcn, foreign, homeless = background
        EntryBackground.objects.create(
            enrolment=enrolment,
            labour_market_status=status,
            unemployed_months=months,
            age_at_entry=age,
            education_level=edu,
            disability=dis,
            third_country_national=tcn,
            foreign_background=foreign,
            homeless=homeless,
            income_sources=[enrolment.income_at_start],
        )
    return enrolment


def _casework(enrolments: dict[str, Enrolment], af: Organisation, fk: Organisation) -> None:
    for code, e in enrolments.items():
        exit_spec = EXITS.get(code)
        if exit_spec and exit_spec[2]:
            job, edu, qual, empl = exit_spec[2]
            ExitResult.objects.create(
                enrolment=e,
                job_seeking=job,
                in_education=edu,
                gained_qualification=qual,
                in_employment=empl,
                income_sources=[exit_spec[1]],
            )
        if code == "W5":
            ExitRecord.objects.create(
                enrolment=e,
                needs_clarified="Klart",
                plan_agreed_by_all=True,
                handover=Handover.AF_FK,
            )
        if code in FOLLOW_UPS:
            done, empl, better = FOLLOW_UPS[code]
            FollowUp.objects.create(
                enrolment=e,
                months=6,
                due_on=D(2026, 9, 30),
                done_on=D(2026, 9, 30) if done else None,
                income=IncomeSource.SALARY if done else "",
                in_employment=empl,
                better_situation=better,
            )
            # A 1-month follow-up is no ESF+ result.
            FollowUp.objects.create(enrolment=e, months=1, due_on=D(2026, 4, 30))
        if code in PLANS:
            ActionPlan.objects.create(
                enrolment=e,
                drawn_up_on=D(2026, 3, 10),
                first_agreed_on=D(2026, 3, 20),
                agreed_agency_count=2,
            )
        agency = (
            af
            if code in ("W1", "W2", "W3", "W4", "W5", "M1")
            else fk
            if code in ("W6", "M2")
            else None
        )
        if agency:
            Referral.objects.create(
                participant=e.participant,
                agreement=e.agreement,
                date=D(2026, 3, 1),
                referred_by="Handläggare",
                organisation=agency,
            )


def build(agreement, organisation, *, prefix: str = "") -> dict[str, Enrolment]:
    enrolments = {
        code: _enrol(agreement, organisation, code, spec, prefix=prefix)
        for code, spec in PEOPLE.items()
    }
    af = Organisation.objects.filter(
        name="Arbetsförmedlingen"
    ).first() or OrganisationFactory.create(name="Arbetsförmedlingen")
    fk = Organisation.objects.filter(
        name="Försäkringskassan"
    ).first() or OrganisationFactory.create(name="Försäkringskassan")
    _casework(enrolments, af, fk)
    return enrolments


def targets(agreement) -> None:
    goal = Goal.objects.create(agreement=agreement, title="Fler i arbete")
    for metric, target in (
        (Indicator.Metric.SHARE_TO_WORK, 45),
        (Indicator.Metric.SHARE_TO_STUDIES, 10),
        (Indicator.Metric.OFF_INCOME_SUPPORT, 45),
        (Indicator.Metric.HANDOVER_AF_FK, 60),
        (Indicator.Metric.PLAN_AGREED, 90),
    ):
        indicator = Indicator.objects.create(goal=goal, name=str(metric.label), metric=metric)
        IndicatorTarget.objects.create(indicator=indicator, year=2026, target=Decimal(target))


@pytest.fixture
def fixture(world):
    FunderProfile.objects.create(
        agreement=world.agreement_a,
        programme="esf_finsam",
        project_reference="ESF-2026-0042",
        finsam_intervention="Malmökraften team 1",
    )
    enrolments = build(world.agreement_a, world.org_a)
    targets(world.agreement_a)
    return enrolments


def values(row) -> list[int]:
    return [c.value for c in row.cells] + [row.total.value]


def shown(row) -> list[str]:
    return [c.display for c in row.cells] + [row.total.display]


# --------------------------------------------------------------------------- ESF+

# Hand counts (woman, man, non-binary, not stated, total); see the module docstring.
ESF_EXPECTED = {
    "TOT-IN": [7, 3, 1, 1, 12],
    "EECO01": [5, 1, 0, 1, 7],  # W1–W5; M1; U1
    "EECO02": [3, 1, 0, 1, 5],  # W1 24, W2 14, W5 30; M1 12; U1 18
    "U-EECO02": [1, 0, 0, 0, 1],  # W4 months not known
    "EECO03": [1, 1, 0, 0, 2],  # W6 (not in education); M2
    "X-EECO03": [1, 0, 0, 0, 1],  # W6
    "EECO04": [0, 1, 0, 0, 1],  # M3
    "U-STATUS": [1, 0, 1, 0, 2],  # W7 no background; O1 declined
    "EECO05": [1, 0, 0, 0, 1],  # W4 17
    "EECO06": [2, 1, 0, 1, 4],  # W2 28, W6 22; M2 19; U1 25
    "EECO07": [1, 1, 0, 0, 2],  # W3 56; M1 60
    "U-AGE": [1, 0, 1, 0, 2],  # W7; O1
    "EECO08": [3, 0, 0, 1, 4],  # W1, W3, W4; U1
    "EECO09": [2, 1, 0, 0, 3],  # W2, W6; M1
    "EECO10": [1, 1, 0, 0, 2],  # W5; M3
    "U-EDU": [1, 1, 1, 0, 3],  # W7; M2 declined; O1 blank
    "EECO12": [2, 1, 0, 0, 3],  # W1, W3; M1
    "U-EECO12": [2, 1, 1, 0, 4],  # W4 blank, W7; M2 declined; O1
    "EECO13": [4, 1, 0, 1, 6],  # W1, W2, W4, W5; M1; U1
    "U-EECO13": [1, 0, 1, 0, 2],  # W7; O1
    "EECO14": [5, 1, 0, 1, 7],  # W1–W5; M1; U1
    "U-EECO14": [1, 0, 1, 0, 2],  # W7; O1
    "EECO16": [1, 1, 0, 0, 2],  # W3; M1
    "U-EECO16": [2, 0, 1, 0, 3],  # W2 declined, W7; O1
    "TOT-OUT": [5, 1, 0, 0, 6],  # W1–W5; M1
    "EECR01": [0, 0, 0, 0, 0],  # nobody job-seeking
    "U-EECR01": [2, 0, 0, 0, 2],  # W3 blank, W5 no result row
    "EECR02": [1, 0, 0, 0, 1],  # W4
    "U-EECR02": [2, 0, 0, 0, 2],  # W3, W5
    "EECR03": [1, 0, 0, 0, 1],  # W1
    "U-EECR03": [3, 0, 0, 0, 3],  # W3 blank, W4 unknown, W5
    "EECR04": [3, 1, 0, 0, 4],  # W1, W2, W3; M1
    "U-EECR04": [1, 0, 0, 0, 1],  # W5
    "TOT-6M": [5, 1, 0, 0, 6],  # the 6-month follow-ups due 2026-09-30
    "EECR05": [2, 0, 0, 0, 2],  # W1, W5
    "U-EECR05": [2, 0, 0, 0, 2],  # W3 unknown, W4 not done
    "EECR06": [3, 0, 0, 0, 3],  # W1, W2, W5
    "U-EECR06": [2, 0, 0, 0, 2],  # W3 blank, W4 not done
}


def _esf_rows(report) -> dict:
    return {row.code: row for section in report.sections for row in section.rows}


def test_it_counts_every_esf_figure_as_by_hand(fixture, world):
    rows = _esf_rows(funder.esf_report(world.agreement_a, *YEAR))
    assert {code: values(row) for code, row in rows.items()} == ESF_EXPECTED


def test_it_suppresses_the_esf_figures(fixture, world):
    rows = _esf_rows(funder.esf_report(world.agreement_a, *YEAR))
    # 7 women shown; 3 men, 1 non-binary, 1 not stated below 5; the total 12 shown.
    assert shown(rows["TOT-IN"]) == ["7", "<5", "<5", "<5", "12"]
    # Two groups below 5: nothing more needs hiding.
    assert shown(rows["EECO01"]) == ["5", "<5", "0", "<5", "7"]
    assert shown(rows["EECO13"]) == ["<5", "<5", "0", "<5", "6"]
    # One man hidden: his count would follow from 6 − 5, so the 5 women are hidden too.
    assert shown(rows["TOT-OUT"]) == ["*", "<5", "0", "0", "6"]
    assert shown(rows["TOT-6M"]) == ["*", "<5", "0", "0", "6"]
    # Unknown is a count of its own, never a zero.
    assert shown(rows["U-EECR05"]) == ["<5", "0", "0", "0", "<5"]
    for row in rows.values():
        for cell in (*row.cells, row.total):
            if 0 < cell.value < 5:
                assert cell.display == "<5"
            elif cell.display not in ("*",):
                assert cell.display == str(cell.value)


QUERY = "?start=2026-01-01&end=2026-12-31"


def _url(name: str, agreement, *args) -> str:
    return reverse(f"reporting:{name}", args=[agreement.pk, *args])


def test_it_shows_the_esf_report_and_its_pdf(fixture, world, login):
    client = login(world.manager_a)
    page = client.get(_url("funder_esf", world.agreement_a) + QUERY)
    assert page.status_code == 200
    html = page.content.decode()
    assert "EECO02" in html and "ESF+" in html
    pdf = client.get(_url("funder_esf_file", world.agreement_a, "pdf") + QUERY)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "ESF+ deltagarrapport" in text
    assert "ESF-2026-0042" in text
    # The TOT-IN row: 7 women, three groups below 5, 12 in all.
    assert "TOT-IN" in text
    assert "7 <5 <5 <5 12" in " ".join(text.split())


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_it_writes_the_esf_csv_in_the_fixed_layout(fixture, world, login):
    client = login(world.finance_a)
    response = client.get(_url("funder_esf_file", world.agreement_a, "csv") + QUERY)
    assert response.status_code == 200
    rows = _csv(response)
    assert rows[0] == [
        "Indikatorkod",
        "Indikator",
        "Kvinna",
        "Man",
        "Icke-binär",
        "Ej angivet",
        "Totalt",
    ]
    assert [r[0] for r in rows[1:]] == list(ESF_EXPECTED)
    assert all(len(r) == 7 for r in rows)
    by_code = {r[0]: r[2:] for r in rows[1:]}
    assert by_code["TOT-IN"] == ["7", "<5", "<5", "<5", "12"]
    assert by_code["TOT-OUT"] == ["*", "<5", "0", "0", "6"]
    xlsx = client.get(_url("funder_esf_file", world.agreement_a, "xlsx") + QUERY)
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?start=2025-12-01&end=2026-06-30", "start", "före partnerskapets start 2026-01-01"),
        ("?start=2026-01-01&end=2028-01-31", "end", "efter partnerskapets slut 2027-12-31"),
        ("?start=2026-06-01&end=2026-01-31", "end", "före dess början"),
    ],
)
def test_it_refuses_a_period_outside_the_agreement(fixture, world, login, query, field, message):
    client = login(world.manager_a)
    page = client.get(_url("funder_esf", world.agreement_a) + query)
    assert page.status_code == 200
    assert message in page.context["form"].errors[field][0]
    assert page.context["r"] is None
    assert "TOT-IN" not in page.content.decode()
    # Nor does a download come out of it.
    download = client.get(_url("funder_esf_file", world.agreement_a, "csv") + query)
    assert download["Content-Type"].startswith("text/html")


# --------------------------------------------------------------------------- monthly


def _monthly(world):
    return funder.monthly_report(world.agreement_a, 2026, 3)


def test_it_counts_every_monthly_figure_as_by_hand(fixture, world):
    r = _monthly(world)
    assert (r.start, r.end) == (D(2026, 3, 1), D(2026, 3, 31))
    assert [values(row) for row in r.flow] == [
        [7, 3, 0, 1, 11],  # new in March: all but O1 (February)
        [2, 2, 1, 1, 6],  # active on 03-31: W6, W7; M2, M3; O1; U1
        [5, 1, 0, 0, 6],  # exits: W1–W5; M1
    ]
    outcomes = {row.code: values(row) for row in r.outcomes}
    assert outcomes["OUT-work"] == [3, 1, 0, 0, 4]  # W1, W2, W3; M1
    assert outcomes["OUT-work_with_support"] == [1, 0, 0, 0, 1]  # W5
    assert outcomes["OUT-studies"] == [1, 0, 0, 0, 1]  # W4
    assert sum(row.total.value for row in r.outcomes) == 6
    assert [(row.label, values(row)) for row in r.phases] == [
        ("Inrekrytering", [2, 1, 0, 0, 3]),  # W6, W7; M2
        ("Visionsbygge", [0, 1, 1, 1, 3]),  # M3; O1; U1
    ]
    assert [(row.label, values(row)) for row in r.referrals] == [
        ("Arbetsförmedlingen", [5, 1, 0, 0, 6]),  # W1–W5; M1
        ("Försäkringskassan", [1, 1, 0, 0, 2]),  # W6; M2
    ]
    # (5 × 29 days + 22 days) / 6 exits
    assert (r.days_n, r.days_mean) == (6, 27.8)


def test_it_sets_the_monthly_shares_against_the_targets(fixture, world):
    t = {row.metric: row for row in _monthly(world).targets}
    work = t[Indicator.Metric.SHARE_TO_WORK]
    assert values(work.numerator) == [4, 1, 0, 0, 5]  # W1, W2, W3, W5; M1
    assert values(work.denominator) == [5, 1, 0, 0, 6]
    assert (work.share.display, work.target, work.met) == ("83,3 %", Decimal(45), True)
    # Per gender the shares would give the hidden counts away.
    assert [s.display for s in work.shares] == ["*", "*", "–", "–"]
    studies = t[Indicator.Metric.SHARE_TO_STUDIES]
    assert values(studies.numerator) == [1, 0, 0, 0, 1]  # W4
    assert (studies.share.display, studies.met) == ("*", None)
    income = t[Indicator.Metric.OFF_INCOME_SUPPORT]
    assert values(income.numerator) == [2, 0, 0, 0, 2]  # W1, W2 (W3, M1 still on it)
    assert values(income.denominator) == [3, 1, 0, 0, 4]  # W1, W2, W3; M1
    handover = t[Indicator.Metric.HANDOVER_AF_FK]
    assert values(handover.numerator) == [1, 0, 0, 0, 1]  # W5
    assert values(handover.denominator) == [1, 0, 0, 0, 1]
    plan = t[Indicator.Metric.PLAN_AGREED]
    assert values(plan.numerator) == [6, 2, 0, 0, 8]  # W1–W6; M1, M2
    assert values(plan.denominator) == [7, 3, 1, 1, 12]
    assert (plan.share.display, plan.target, plan.met) == ("66,7 %", Decimal(90), False)
    # 2 men hidden, so the 6 women are hidden too; 8 of 12 shown.
    assert shown(plan.numerator) == ["*", "<5", "0", "0", "8"]


def test_it_shows_the_monthly_follow_up_pdf_and_csv(fixture, world, login):
    client = login(world.steering_a)
    query = "?month=2026-03"
    page = client.get(_url("funder_monthly", world.agreement_a) + query)
    assert page.status_code == 200
    assert "Arbetsförmedlingen" in page.content.decode()
    text = " ".join(
        pdf_text(
            client.get(_url("funder_monthly_file", world.agreement_a, "pdf") + query).content
        ).split()
    )
    assert "Månadsuppföljning" in text
    assert "83,3 %" in text and "66,7 %" in text
    assert "27,8" in text or "27.8" in text
    rows = _csv(client.get(_url("funder_monthly_file", world.agreement_a, "csv") + query))
    assert rows[0] == [
        "Indikatorkod",
        "Indikator",
        "Kvinna",
        "Man",
        "Icke-binär",
        "Ej angivet",
        "Totalt",
    ]
    by_code = {r[0]: r[2:] for r in rows[1:]}
    assert by_code["NEW"] == ["7", "<5", "0", "<5", "11"]
    assert by_code["PCT-share_to_work"][-1] == "83,3"
    assert by_code["TGT-plan_agreed"][-1] == "90"


def test_it_refuses_a_month_outside_the_agreement(fixture, world, login):
    client = login(world.manager_a)
    page = client.get(_url("funder_monthly", world.agreement_a) + "?month=2025-12")
    assert "utanför partnerskapets period" in page.context["form"].errors["month"][0]
    assert page.context["r"] is None
    page = client.get(_url("funder_monthly", world.agreement_a) + "?month=mars")
    assert "ÅÅÅÅ-MM" in page.context["form"].errors["month"][0]


# --------------------------------------------------------------------------- Finsam list


def test_it_lists_the_finsam_registrations_with_anonymous_ones_counted(fixture, world, login):
    client = login(world.coordinator_a)
    page = client.get(_url("funder_finsam", world.agreement_a) + QUERY)
    assert page.status_code == 200
    listing = page.context["l"]
    assert listing.intervention == "Malmökraften team 1"
    # 10 named participants in (W1–W7, M1–M3), 6 of them out; O1 and U1 only counted.
    assert [(line.direction, line.code) for line in listing.lines].count(
        ("out", fixture["W1"].participant.code)
    ) == 1
    assert sum(1 for line in listing.lines if line.direction == "in") == 10
    assert sum(1 for line in listing.lines if line.direction == "out") == 6
    codes = {line.code for line in listing.lines}
    assert fixture["O1"].participant.code not in codes
    assert fixture["U1"].participant.code not in codes
    assert [values(row) for row in listing.anonymous] == [[0, 0, 1, 1, 2], [0, 0, 0, 0, 0]]
    w1_out = next(
        line
        for line in listing.lines
        if line.code == fixture["W1"].participant.code and line.direction == "out"
    )
    assert (w1_out.income_before, w1_out.exit_outcome, w1_out.income_after) == (
        "Försörjningsstöd",
        "Arbete",
        "Lön",
    )
    assert w1_out.age_group == "30–54"
    logged = set(
        AccessLog.objects.filter(what="uppföljning finsam", action="view").values_list(
            "participant_id", flat=True
        )
    )
    assert logged == {e.participant_id for code, e in fixture.items() if code not in ("O1", "U1")}
    rows = _csv(client.get(_url("funder_finsam_file", world.agreement_a, "csv") + QUERY))
    assert len(rows) == 1 + 16
    assert rows[0][:4] == ["Registrering", "Deltagarkod", "Personnummer", "Kön"]
    assert sorted(r[0] for r in rows[1:]) == ["In"] * 10 + ["Ut"] * 6
    assert AccessLog.objects.filter(what="uppföljning finsam", action="export").count() == 10


@pytest.mark.parametrize("who", ["finance_a", "steering_a"])
def test_finance_and_steering_see_the_aggregates_but_never_the_finsam_list(
    fixture, world, login, who
):
    client = login(getattr(world, who))
    assert client.get(_url("funder_esf", world.agreement_a) + QUERY).status_code == 200
    assert (
        client.get(_url("funder_monthly", world.agreement_a) + "?month=2026-03").status_code == 200
    )
    assert client.get(_url("funder_finsam", world.agreement_a) + QUERY).status_code == 404
    assert (
        client.get(_url("funder_finsam_file", world.agreement_a, "csv") + QUERY).status_code == 404
    )
    index = client.get(_url("funder_index", world.agreement_a))
    assert index.status_code == 200
    assert _url("funder_finsam", world.agreement_a) not in index.content.decode()


def test_another_partnerships_user_gets_404(fixture, world, login):
    client = login(world.coordinator_b)
    for name in ("funder_index", "funder_esf", "funder_monthly", "funder_finsam"):
        assert client.get(_url(name, world.agreement_a)).status_code == 404
    assert client.get(_url("funder_esf_file", world.agreement_a, "pdf")).status_code == 404


def test_the_agreement_page_links_to_the_funder_reports(fixture, world, login):
    page = login(world.steering_a).get(world.agreement_a.get_absolute_url())
    assert _url("funder_index", world.agreement_a) in page.content.decode()


# --------------------------------------------------------------------------- comparison


def test_the_manager_keeps_comparison_values_shown_beside_the_figures(fixture, world, login):
    client = login(world.manager_a)
    url = _url("funder_references", world.agreement_a)
    data = {
        "indicator": "EECO13",
        "gender": "woman",
        "value": "61,5",
        "unit": "percent",
        "source": "SCB, nyanlända kvinnor i Malmö",
        "year": "2025",
    }
    response = client.post(url, {**data, "value": "61.5"})
    assert response.status_code == 302
    again = client.post(url, {**data, "value": "62"})
    assert "Det finns redan" in again.context["form"].errors["year"][0]
    bad = client.post(url, {**data, "year": "2024", "value": "140"})
    assert bad.context["form"].errors
    assert ReferenceValue.objects.count() == 1
    page = client.get(_url("funder_esf", world.agreement_a) + QUERY).content.decode()
    assert "61,5 % (kvinna, SCB, nyanlända kvinnor i Malmö 2025)" in page
    assert login(world.finance_a).get(url).status_code == 403


# --------------------------------------------------------------------------- queries


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_participants(fixture, world, login):
    client = login(world.manager_a)
    esf = _url("funder_esf_file", world.agreement_a, "csv") + QUERY
    monthly = _url("funder_monthly_file", world.agreement_a, "csv") + "?month=2026-03"
    finsam = _url("funder_finsam", world.agreement_a) + QUERY
    before = [_queries(client, u) for u in (esf, monthly, finsam)]
    build(world.agreement_a, world.org_a, prefix="x")
    after = [_queries(client, u) for u in (esf, monthly, finsam)]
    # Sign-in, session and roles, then ESF+: 3 populations + comparison values; monthly:
    # 11 figures; Finsam: the list, the anonymous counts, the total, the access log.
    assert before == after == [8, 14, 10]


# --------------------------------------------------------------------------- annual report


def test_the_annual_report_measures_the_casework_targets(fixture, world):
    from reporting import figures

    data = figures.annual_report_figures(world.agreement_a, 2026)
    outcomes = {
        ind["metric"]: (ind["outcome"], ind["target"], ind["met"])
        for goal in data["goals"]
        for ind in goal["indicators"]
    }
    # 8 of the 12 enrolled in 2026 have a multi-agency plan: 66,7 % against 90 %.
    assert outcomes[Indicator.Metric.PLAN_AGREED] == (Decimal("66.7"), Decimal(90), False)
    # W5, the one exit with sickness benefit at start, was handed over: 100 % against 60 %.
    assert outcomes[Indicator.Metric.HANDOVER_AF_FK] == (Decimal("100.0"), Decimal(60), True)


def _comparison_group(world) -> ReferenceValue:
    """A comparison value for the plan-agreement share: 40 % in 2025."""
    return ReferenceValue.objects.create(
        agreement=world.agreement_a,
        indicator=Indicator.Metric.PLAN_AGREED,
        value=Decimal("40"),
        source="Jämförelsegrupp",
        year=2025,
    )


def test_the_agreement_dashboard_shows_the_casework_targets_and_comparison_values(
    fixture, world, login
):
    _comparison_group(world)
    page = login(world.steering_a).get(
        reverse("dashboard_detail", args=[world.agreement_a.pk]) + "?year=2026"
    )
    html = page.content.decode()
    assert "Finansiärernas mål och jämförelsevärden" in html
    # 8 of 12 with a multi-agency plan against 90 %, beside the comparison group's 40 %.
    assert "66,7 %" in html and "40 % (Jämförelsegrupp 2025)" in html


def test_a_cached_dashboard_keeps_the_casework_targets_until_a_write_changes_them(
    fixture, world, login, settings, django_capture_on_commit_callbacks
):
    """Measured (issue 19): a cached dashboard still read the funders' targets and
    comparison values, and counted the plan and hand-over shares, on every view. They are
    kept with the cached page now, and a write to the partnership counts them afresh."""
    from django.core.cache import cache

    from reporting import figures_cache

    settings.IOP_DASHBOARD_CACHE_SECONDS = 300
    cache.clear()
    figures_cache.flush_pending()
    client = login(world.steering_a)
    url = reverse("dashboard_detail", args=[world.agreement_a.pk]) + "?year=2026"
    assert "66,7 %" in client.get(url).content.decode()
    with CaptureQueriesContext(connection) as cached:
        html = client.get(url).content.decode()
    assert "66,7 %" in html and "Jämförelsegrupp" not in html
    read = " ".join(q["sql"] for q in cached.captured_queries)
    assert "reporting_referencevalue" not in read and "partnerships_indicatortarget" not in read

    with django_capture_on_commit_callbacks(execute=True):
        _comparison_group(world)
    assert "40 % (Jämförelsegrupp 2025)" in client.get(url).content.decode()
