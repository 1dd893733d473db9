"""Benchmark (not a test): render the annual report and the invoice basis of a large partnership.

Builds, in the database DATABASE_URL points at (use your own, e.g.
postgres://postgres@127.0.0.1:5432/iop_bench_reporting), a partnership with 1 000
participants, 20 000 contacts, 20 000 attendance rows and 2 000 step assessments, then times
the annual report (figures + PDF) and the invoice basis, and prints the peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iop_bench_reporting \
        .venv/bin/python benchmarks/bench_reporting.py

Targets: annual report < 5 s and < 300 MiB; invoice basis < 1 s.
"""

from __future__ import annotations

import datetime
import os
import random
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402

from iop.audit import AuditContext  # noqa: E402

PARTICIPANTS = 1000
CONTACTS = 20000
ATTENDANCE = 20000
YEAR = 2026


def build() -> None:
    from participants.models import Attendance, Contact, Enrolment, Participant, ProgressAssessment
    from partnerships.actions import record_version
    from partnerships.models import (
        Agreement,
        AgreementParty,
        Budget,
        CostLine,
        FundingShare,
        Goal,
        Indicator,
        IndicatorTarget,
        Organisation,
        User,
    )

    Participant.objects.filter(code__startswith="B-").delete()
    Agreement.objects.filter(short_id="bench").delete()
    public, _ = Organisation.objects.get_or_create(
        org_number="212000-1124",
        defaults={"name": "Benchkommunen", "kind": "municipality", "invoice_reference": "B1"},
    )
    operator, _ = Organisation.objects.get_or_create(
        org_number="802438-1355", defaults={"name": "Benchföreningen", "kind": "non_profit"}
    )
    staff, _ = User.objects.get_or_create(
        username="bench-staff", defaults={"organisation": operator}
    )
    agreement = Agreement.objects.create(
        short_id="bench",
        title="IOP Bench",
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2027, 12, 31),
        status="active",
        capacity=1000,
    )
    public_party = AgreementParty.objects.create(
        agreement=agreement, organisation=public, role="public_funder"
    )
    operator_party = AgreementParty.objects.create(
        agreement=agreement, organisation=operator, role="operator"
    )
    budget = Budget.objects.create(agreement=agreement, year=YEAR)
    for i, amount in enumerate(("4200000", "1800000", "1400000", "600000")):
        CostLine.objects.create(
            budget=budget,
            category="other",
            description=f"Post {i + 1}",
            amount=Decimal(amount),
            position=i,
        )
    FundingShare.objects.create(budget=budget, party=public_party, percent=Decimal("75"))
    FundingShare.objects.create(budget=budget, party=operator_party, percent=Decimal("25"))
    goal = Goal.objects.create(agreement=agreement, title="Fler i arbete")
    for metric in ("share_to_work", "share_to_studies", "step_progression", "contacts"):
        ind = Indicator.objects.create(goal=goal, name=metric, metric=metric)
        IndicatorTarget.objects.create(indicator=ind, year=YEAR, target=Decimal("40"))
    record_version(
        audit=AuditContext.system(),
        agreement=agreement,
        user=None,
        summary="Bench",
        valid_from=agreement.start_date,
    )

    rng = random.Random(7)
    participants = Participant.objects.bulk_create(
        Participant(
            code=f"B-{i:06d}",
            gender=rng.choice(["woman", "man", "other", "unknown"]),
            birth_year=1980,
        )
        for i in range(PARTICIPANTS)
    )
    outcomes = [
        "work",
        "work_with_support",
        "studies",
        "other_programme",
        "moved",
        "other",
        "unknown",
    ]
    enrolments = []
    for p in participants:
        start = datetime.date(YEAR, 1, 1) + datetime.timedelta(days=rng.randint(-200, 200))
        exited = rng.random() < 0.4
        exit_date = start + datetime.timedelta(days=rng.randint(30, 150)) if exited else None
        enrolments.append(
            Enrolment(
                participant=p,
                agreement=agreement,
                start_date=start,
                exit_date=exit_date,
                exit_outcome=rng.choice(outcomes) if exited else "",
                income_at_start=rng.choice(["income_support", "salary", "none"]),
                income_at_exit=rng.choice(["income_support", "salary"]) if exited else "",
            )
        )
    enrolments = Enrolment.objects.bulk_create(enrolments)
    ProgressAssessment.objects.bulk_create(
        ProgressAssessment(
            enrolment=e, date=e.start_date + datetime.timedelta(days=d), step=rng.randint(1, 7)
        )
        for e in enrolments
        for d in (5, 25)
    )
    Contact.objects.bulk_create(
        (
            Contact(
                participant=participants[i % PARTICIPANTS],
                agreement=agreement,
                date=datetime.date(YEAR, 1, 1) + datetime.timedelta(days=rng.randint(0, 300)),
                kind=rng.choice(["meeting", "phone", "digital", "group"]),
                duration_minutes=rng.randint(10, 120),
                staff=staff,
            )
            for i in range(CONTACTS)
        ),
        batch_size=2000,
    )
    Attendance.objects.bulk_create(
        (
            Attendance(
                participant=participants[i % PARTICIPANTS],
                agreement=agreement,
                date=datetime.date(YEAR, 1, 1) + datetime.timedelta(days=i // PARTICIPANTS),
                status=rng.choice(["present", "present", "absent", "excused"]),
            )
            for i in range(ATTENDANCE)
        ),
        batch_size=2000,
    )


def main() -> None:
    from partnerships.models import Agreement
    from reporting import figures
    from reporting.annual import current_report
    from reporting.documents import annual_report_pdf, invoice_basis_pdf

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build()
    print(
        f"data built in {time.perf_counter() - started:.1f} s "
        f"({PARTICIPANTS} participants, {CONTACTS} contacts, {ATTENDANCE} attendance rows)"
    )
    agreement = Agreement.objects.get(short_id="bench")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    connection.force_debug_cursor = True
    reset_queries()
    started = time.perf_counter()
    report = current_report(agreement, YEAR)
    pdf = annual_report_pdf(report)
    elapsed = time.perf_counter() - started
    queries = len(connection.queries)
    connection.force_debug_cursor = False
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"annual report: {elapsed:.2f} s, {queries} queries, {len(pdf) / 1024:.0f} KiB PDF, "
        f"peak RSS {rss_after:.0f} MiB (before render {rss_before:.0f} MiB)"
    )

    started = time.perf_counter()
    data = figures.freeze(figures.invoice_figures(agreement, YEAR))
    basis = invoice_basis_pdf(data, number="BENCH-1", issued_on=datetime.date(2027, 1, 15))
    print(
        f"invoice basis: {time.perf_counter() - started:.2f} s, {len(basis) / 1024:.0f} KiB PDF, amount {data['amount']}"
    )


if __name__ == "__main__":
    main()
