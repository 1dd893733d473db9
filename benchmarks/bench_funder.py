"""Benchmark: the ESF+ participant report and the monthly follow-up (issue 15) over N
enrolments, as CSV and as PDF, through the views.

Seeds (once) one partnership with N participants, each with a background at entry, every
third exited with a result and a 6-month follow-up, a referral and a plan for every
second, then times each download and prints p50/p95, the SQL query count (which must not
grow with N) and, for the PDFs, the time per page. Targets: CSV ≤ 2 s, PDF ≤ 0.2 s a page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iop_funder_bench \\
        .venv/bin/python benchmarks/bench_funder.py [--participants 10000] [--runs 10]

Use a database of your own: the script migrates it and fills it.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from participants.models import (  # noqa: E402
    ActionPlan,
    Enrolment,
    EntryBackground,
    ExitResult,
    FollowUp,
    Participant,
    Phase,
    Referral,
)
from partnerships.models import Agreement, AgreementParty, Organisation, Role, User  # noqa: E402

SHORT_ID = "bench-funder"
GENDERS = ("woman", "woman", "man", "man", "other", "unknown")
STATUSES = ("unemployed", "unemployed", "inactive", "inactive_no_edu", "employed", "declined", "")
EDUCATION = ("isced_0_2", "isced_3_4", "isced_5_8", "declined", "")
ANSWERS = ("yes", "no", "declined", "")
RESULTS = ("yes", "no", "unknown", "")
OUTCOMES = ("work", "work_with_support", "studies", "other_programme", "moved", "other", "unknown")
START = datetime.date(2026, 1, 1)


def _seed_enrolments(agreement: Agreement, org: Organisation, n: int) -> list[Enrolment]:
    phases = list(Phase.objects.filter(agreement__isnull=True))
    participants = Participant.objects.bulk_create(
        [Participant(code=f"BF{i:07d}", gender=GENDERS[i % 6], organisation=org) for i in range(n)],
        batch_size=2000,
    )
    return Enrolment.objects.bulk_create(
        [
            Enrolment(
                participant=p,
                agreement=agreement,
                start_date=START + datetime.timedelta(days=i % 360),
                exit_date=START + datetime.timedelta(days=i % 360 + 5) if i % 3 == 0 else None,
                exit_outcome=OUTCOMES[i % 7] if i % 3 == 0 else "",
                income_at_start=("income_support", "sickness_benefit", "salary")[i % 3],
                income_at_exit="salary" if i % 3 == 0 else "",
                phase=phases[i % len(phases)],
            )
            for i, p in enumerate(participants)
        ],
        batch_size=2000,
    )


def _six_months_after(e: Enrolment) -> datetime.date:
    assert e.exit_date is not None
    return e.exit_date + datetime.timedelta(days=182)


def _seed_details(enrolments: list[Enrolment], agencies: list[Organisation]) -> None:
    EntryBackground.objects.bulk_create(
        [
            EntryBackground(
                enrolment=e,
                labour_market_status=STATUSES[i % 7],
                unemployed_months=(i % 40) if STATUSES[i % 7] == "unemployed" else None,
                age_at_entry=16 + i % 50,
                education_level=EDUCATION[i % 5],
                disability=ANSWERS[i % 4],
                third_country_national=ANSWERS[(i + 1) % 4],
                foreign_background=ANSWERS[(i + 2) % 4],
                homeless=ANSWERS[(i + 3) % 4],
                income_sources=[e.income_at_start],
            )
            for i, e in enumerate(enrolments)
        ],
        batch_size=2000,
    )
    exited = [e for e in enrolments if e.exit_date]
    ExitResult.objects.bulk_create(
        [
            ExitResult(
                enrolment=e,
                job_seeking=RESULTS[i % 4],
                in_education=RESULTS[(i + 1) % 4],
                gained_qualification=RESULTS[(i + 2) % 4],
                in_employment=RESULTS[(i + 3) % 4],
                income_sources=["salary"],
            )
            for i, e in enumerate(exited)
        ],
        batch_size=2000,
    )
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                enrolment=e,
                months=6,
                due_on=_six_months_after(e),
                done_on=_six_months_after(e) if i % 2 else None,
                income="salary" if i % 2 else "",
                in_employment=RESULTS[i % 4] if i % 2 else "",
                better_situation=RESULTS[(i + 1) % 4] if i % 2 else "",
            )
            for i, e in enumerate(exited)
        ],
        batch_size=2000,
    )
    Referral.objects.bulk_create(
        [
            Referral(
                participant_id=e.participant_id,
                agreement_id=e.agreement_id,
                date=e.start_date,
                referred_by="Handläggare",
                organisation=agencies[i % len(agencies)],
            )
            for i, e in enumerate(enrolments)
            if i % 2 == 0
        ],
        batch_size=2000,
    )
    ActionPlan.objects.bulk_create(
        [
            ActionPlan(
                enrolment=e,
                drawn_up_on=e.start_date,
                agreed_revision=1,
                first_agreed_on=e.start_date + datetime.timedelta(days=10),
                agreed_agency_count=2,
            )
            for i, e in enumerate(enrolments)
            if i % 2 == 0
        ],
        batch_size=2000,
    )


def seed(n: int) -> tuple[Agreement, User]:
    org, _ = Organisation.objects.get_or_create(
        org_number="802900-0017", defaults={"name": "Bänkföreningen Finans"}
    )
    agreement, created = Agreement.objects.get_or_create(
        short_id=SHORT_ID,
        defaults={
            "title": "Bänkpartnerskap ESF",
            "start_date": START,
            "end_date": datetime.date(2027, 12, 31),
            "status": "active",
            "capacity": n,
        },
    )
    AgreementParty.objects.get_or_create(agreement=agreement, organisation=org, role="operator")
    user, _ = User.objects.get_or_create(username="bench-funder", organisation=org)
    user.groups.add(Group.objects.get_or_create(name=Role.MANAGER)[0])
    if not created:
        return agreement, user
    started = time.perf_counter()
    agencies = [
        Organisation.objects.get_or_create(org_number=number, defaults={"name": name})[0]
        for number, name in (
            ("202100-2114", "Arbetsförmedlingen (bänk)"),
            ("202100-5521", "Försäkringskassan (bänk)"),
            ("212000-1124", "Kommunen (bänk)"),
        )
    ]
    enrolments = _seed_enrolments(agreement, org, n)
    _seed_details(enrolments, agencies)
    print(f"seeded {n} enrolments in {time.perf_counter() - started:.1f} s")
    return agreement, user


def measure(label: str, client: Client, url: str, runs: int) -> None:
    times = []
    queries = 0
    pages = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            body = (
                b"".join(getattr(response, "streaming_content", []))
                if response.streaming
                else response.content
            )
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
        if response["Content-Type"] == "application/pdf":
            pages = len(PdfReader(io.BytesIO(body)).pages)
    times.sort()
    p50 = statistics.median(times)
    p95 = times[max(int(len(times) * 0.95) - 1, 0)]
    per_page = f"  {p50 / pages:5.3f} s/page ({pages} pages)" if pages else ""
    print(f"{label:<22} p50 {p50:6.3f} s  p95 {p95:6.3f} s  {queries} queries{per_page}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    agreement, user = seed(args.participants)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    _pass_second_factor(client, user)
    year = "?start=2026-01-01&end=2026-12-31"
    month = "?month=2026-06"
    for label, name, fmt, query in (
        ("ESF+ CSV", "reporting:funder_esf_file", "csv", year),
        ("ESF+ XLSX", "reporting:funder_esf_file", "xlsx", year),
        ("ESF+ PDF", "reporting:funder_esf_file", "pdf", year),
        ("monthly CSV", "reporting:funder_monthly_file", "csv", month),
        ("monthly PDF", "reporting:funder_monthly_file", "pdf", month),
    ):
        measure(label, client, reverse(name, args=[agreement.pk, fmt]) + query, args.runs)


def _pass_second_factor(client: Client, user: User) -> None:
    """Mark the session as having passed the second factor, as a real sign-in would."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(
        user=user, confirmed=True
    ).first() or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


if __name__ == "__main__":
    main()
