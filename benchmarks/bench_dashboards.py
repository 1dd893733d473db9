"""Benchmark (not a test): steering-group dashboard pages on a large data set.

Builds, in the PostgreSQL database DATABASE_URL points at (use your own, e.g.
postgres://postgres@127.0.0.1:5432/iop_bench_dashboards), ten partnerships 2024–2026 with
50 000 participants (one enrolment each), 2 000 000 contacts, 500 000 attendance rows and
100 000 step assessments, loaded with COPY (the dashboards' daily totals of contacts and
attendance, reporting/rollup.py, are counted once afterwards). Then signs in a
steering-group member whose organisation is party to all ten and requests each dashboard
page repeatedly through the Django test client (URL routing, middleware, figures, SVG and
template included), printing the median, p95 and the number of queries per page, both
"cold" (the figures cache emptied before every request: everything counted in PostgreSQL)
and "warm" (the figures kept for IOP_DASHBOARD_CACHE_SECONDS, as when a steering group
clicks around).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iop_bench_dashboards \
        .venv/bin/python benchmarks/bench_dashboards.py [--rebuild] [--runs 30]

Target: p95 < 300 ms per page. The data is kept between runs; --rebuild starts over.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

PARTNERSHIPS = 10
PARTICIPANTS = 50_000
CONTACTS = 2_000_000
ATTENDANCE = 500_000
ASSESSMENTS = 100_000
PREFIX = "BD"
START = datetime.date(2024, 1, 1)
END = datetime.date(2026, 12, 31)
TODAY = datetime.date.today()


def _copy(table: str, columns: str, rows) -> None:
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        buffer = io.StringIO()
        for n, row in enumerate(rows, 1):
            buffer.write("\t".join(row))
            buffer.write("\n")
            if n % 100_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


def build() -> None:
    from participants.models import Participant
    from partnerships.models import (
        ActualCost,
        Agreement,
        AgreementParty,
        Budget,
        CostLine,
        Goal,
        Indicator,
        IndicatorTarget,
        Meeting,
        Organisation,
        Role,
        User,
    )
    from reporting import rollup

    started = time.perf_counter()
    rng = random.Random(50_000)
    with connection.cursor() as cursor:
        # Faster than cascading deletes over millions of rows.
        cursor.execute(
            "TRUNCATE participants_contact, participants_attendance, participants_progressassessment, "
            "participants_enrolment, participants_participant, reporting_contactday, "
            "reporting_attendanceday, reporting_assessmentspan CASCADE"
        )
    # The daily totals and step spans are counted once after loading, not by a trigger per row.
    rollup.drop_triggers()
    # Actual costs protect their cost line, cost lines their budget, budgets their agreement.
    ActualCost.objects.filter(
        cost_line__budget__agreement__short_id__startswith="bench-dash-"
    ).delete()
    CostLine.objects.filter(budget__agreement__short_id__startswith="bench-dash-").delete()
    Budget.objects.filter(agreement__short_id__startswith="bench-dash-").delete()
    Agreement.objects.filter(short_id__startswith="bench-dash-").delete()
    public, _ = Organisation.objects.get_or_create(
        org_number="212000-1140",
        defaults={"name": "Bänkkommunen", "kind": Organisation.Kind.MUNICIPALITY},
    )
    operator, _ = Organisation.objects.get_or_create(
        org_number="802000-0001",
        defaults={"name": "Bänkföreningen", "kind": Organisation.Kind.NON_PROFIT},
    )
    staff, _ = User.objects.get_or_create(
        username="bench-staff", defaults={"organisation": operator}
    )
    steering, _ = User.objects.get_or_create(
        username="bench-steering", defaults={"organisation": public}
    )
    from django.contrib.auth.models import Group

    steering.groups.add(Group.objects.get_or_create(name=Role.STEERING)[0])
    agreements = []
    for n in range(PARTNERSHIPS):
        agreement = Agreement.objects.create(
            short_id=f"bench-dash-{n}",
            title=f"IOP Bänk {n:02d}",
            start_date=START,
            end_date=END,
            status=Agreement.Status.ACTIVE,
            capacity=2000,
            followups_per_year=4,
        )
        AgreementParty.objects.create(
            agreement=agreement, organisation=public, role=AgreementParty.PartyRole.PUBLIC_FUNDER
        )
        AgreementParty.objects.create(
            agreement=agreement, organisation=operator, role=AgreementParty.PartyRole.OPERATOR
        )
        goal = Goal.objects.create(agreement=agreement, title="Mål")
        for metric, target in (
            ("share_to_work", 45),
            ("share_to_studies", 10),
            ("step_progression", 90),
        ):
            indicator = Indicator.objects.create(goal=goal, name=metric, metric=metric)
            for year in (2024, 2025, 2026):
                IndicatorTarget.objects.create(
                    indicator=indicator, year=year, target=Decimal(target)
                )
        for year in (2024, 2025, 2026):
            budget = Budget.objects.create(agreement=agreement, year=year)
            line = CostLine.objects.create(
                budget=budget,
                category="personnel",
                description="Personal",
                amount=Decimal("5000000"),
            )
            for month in range(1, 13):
                ActualCost.objects.create(
                    cost_line=line,
                    date=datetime.date(year, month, 28),
                    amount=Decimal("400000"),
                    voucher=f"B{n}-{year}-{month}",
                )
            for quarter in range(4):
                Meeting.objects.create(
                    agreement=agreement,
                    kind=Meeting.Kind.FOLLOWUP,
                    status=Meeting.Status.HELD,
                    date=datetime.date(year, 3 * quarter + 2, 15),
                    convened_by=public,
                )
        agreements.append(agreement)

    now = "2024-01-01 00:00:00+00"
    genders = ["woman"] * 50 + ["man"] * 47 + ["other"] * 2 + ["unknown"]
    outcomes = (
        ["work"] * 40
        + ["work_with_support"] * 8
        + ["studies"] * 11
        + ["other_programme"] * 20
        + ["moved"] * 9
        + ["other"] * 12
    )
    _copy(
        "participants_participant",
        "id, code, name, personnummer, gender, birth_year, language, created_at, revision",
        (
            (
                str(i),
                f"{PREFIX}{i:08d}",
                "",
                "",
                rng.choice(genders),
                str(rng.randint(1960, 2005)),
                "",
                now,
                "1",
            )
            for i in range(1, PARTICIPANTS + 1)
        ),
    )
    span = (END - START).days
    # (participant, agreement, start, end)
    enrolments: list[tuple[int, int, datetime.date, datetime.date | None]] = []
    for i in range(1, PARTICIPANTS + 1):
        start = START + datetime.timedelta(days=rng.randint(0, span - 30))
        exit_day = start + datetime.timedelta(days=rng.randint(60, 400))
        still_in = exit_day > min(END, TODAY) or rng.random() < 0.3
        exit_date = None if still_in else exit_day
        enrolments.append((i, agreements[i % PARTNERSHIPS].pk, start, exit_date))
    _copy(
        "participants_enrolment",
        "id, participant_id, agreement_id, start_date, exit_date, exit_outcome, income_at_start, income_at_exit, "
        "next_step, created_at, revision",
        (
            (
                str(i),
                str(p),
                str(a),
                s.isoformat(),
                e.isoformat() if e else "\\N",
                rng.choice(outcomes) if e else "",
                "income_support",
                "salary" if e else "",
                "",
                now,
                "1",
            )
            for i, (p, a, s, e) in enumerate(enrolments, 1)
        ),
    )

    def day_in(start: datetime.date, exit_date: datetime.date | None) -> datetime.date:
        last = min(exit_date or END, TODAY)
        return start + datetime.timedelta(days=rng.randint(0, max((last - start).days, 0)))

    per_person = CONTACTS // PARTICIPANTS
    kinds = ["meeting", "phone", "digital", "group", "home_visit", "outreach"]
    _copy(
        "participants_contact",
        "participant_id, agreement_id, date, kind, duration_minutes, staff_id, topic, referrals, note, created_at",
        (
            (
                str(p),
                str(a),
                day_in(s, e).isoformat(),
                rng.choice(kinds),
                "30",
                str(staff.pk),
                "",
                "",
                "",
                now,
            )
            for p, a, s, e in enrolments
            for _ in range(per_person)
        ),
    )
    # Attendance: one row per participant and day, so the days must differ.
    attendance = ATTENDANCE // PARTICIPANTS

    def attendance_rows():
        for p, a, s, e in enrolments:
            days = {day_in(s, e) for _ in range(attendance)}
            for day in days:
                status = rng.choices(("present", "absent", "excused"), (82, 10, 8))[0]
                yield (str(p), str(a), day.isoformat(), status)

    _copy(
        "participants_attendance", "participant_id, agreement_id, date, status", attendance_rows()
    )
    per_enrolment = ASSESSMENTS // PARTICIPANTS
    _copy(
        "participants_progressassessment",
        "enrolment_id, date, step, comment",
        (
            (str(i), day_in(s, e).isoformat(), str(rng.randint(1, 7)), "")
            for i, (_p, _a, s, e) in enumerate(enrolments, 1)
            for _ in range(per_enrolment)
        ),
    )
    rollup.install_triggers()
    rollup.rebuild()
    with connection.cursor() as cursor:
        for table in ("participants_participant", "participants_enrolment"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")
    print(
        f"Built in {time.perf_counter() - started:.0f} s: {Participant.objects.count()} participants."
    )


def client_for(username: str):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from partnerships.models import User

    user = User.objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    client = Client()
    from django.test import override_settings

    with override_settings(AXES_ENABLED=False):
        client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def measure(client, url: str, runs: int, *, cold: bool) -> tuple[float, float, int]:
    """Median and p95 in ms, and the queries of the last request. Cold: the figures cache
    is emptied before every request, so every figure is counted in the database."""
    from django.core.cache import cache

    client.get(url)  # warm connections and the templates once
    times = []
    for _ in range(runs):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    p95 = times[max(int(len(times) * 0.95) - 1, 0)]
    return statistics.median(times), p95, len(ctx)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL: set DATABASE_URL to your own database.")
    setup_test_environment()
    call_command("migrate", verbosity=0)
    from participants.models import Contact, Participant
    from partnerships.models import Agreement

    if args.rebuild or Participant.objects.filter(code__startswith=PREFIX).count() != PARTICIPANTS:
        build()
    print(
        f"{Participant.objects.count()} participants, {Contact.objects.count()} contacts, "
        f"{Agreement.objects.filter(short_id__startswith='bench-dash-').count()} partnerships"
    )
    client = client_for("bench-steering")
    first = Agreement.objects.get(short_id="bench-dash-0")
    pages = [
        ("overview, 10 partnerships, current year", f"/dashboards/?year={TODAY.year}"),
        ("overview, 10 partnerships, 2025", "/dashboards/?year=2025"),
        ("one partnership, current year", f"/dashboards/{first.pk}/?year={TODAY.year}"),
        ("one partnership, 2025", f"/dashboards/{first.pk}/?year=2025"),
        ("CSV, one partnership, 2025", f"/dashboards/{first.pk}/csv/?year=2025"),
    ]
    print(f"{'page':45} {'cache':>6} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for label, url in pages:
        for cold in (True, False):
            median, p95, queries = measure(client, url, args.runs, cold=cold)
            flag = "" if p95 < 300 else "  (over the 300 ms target)"
            state = "cold" if cold else "warm"
            print(f"{label:45} {state:>6} {median:10.0f} {p95:8.0f} {queries:8d}{flag}", flush=True)


if __name__ == "__main__":
    main()
