"""Benchmark (not a test): render the annual report and the invoice basis of a large partnership.

Builds, in the database DATABASE_URL points at (use your own, e.g.
postgres://postgres@127.0.0.1:5432/iop_bench_reporting), a partnership with 1 000
participants, 20 000 contacts, 20 000 attendance rows and 2 000 step assessments, then times
the annual report (figures + PDF) and the invoice basis, and prints the peak memory. Then
prints the PDF table (`pdf_rows`): each document's pages and seconds per page against the
floor, a one-page document with the same stylesheet.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iop_bench_reporting \
        .venv/bin/python benchmarks/bench_reporting.py [--runs 7]

Targets: annual report < 5 s and < 300 MiB; invoice basis < 1 s; annual report PDF
≤ 0.15 s per page (issue 19).
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402

from iop.audit import AuditContext  # noqa: E402

PARTICIPANTS = 1000
CONTACTS = 20000
ATTENDANCE = 20000
YEAR = 2026
# The data set of `pdf_rows`, apart from the one `build()` makes by default (and from the
# "B-" participants of bench_participants, which share that prefix).
PDF_PREFIX = "PDFB-"
PDF_AGREEMENT = "bench-pdf"


def add_budget(agreement: Any, public_party: Any, operator_party: Any, year: int) -> Any:
    """A budget of 8 000 000 kr in four cost lines, 75 % paid by the public funder."""
    from partnerships.models import Budget, CostLine, FundingShare

    budget = Budget.objects.create(agreement=agreement, year=year)
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
    return budget


def build(prefix: str = "B-", short_id: str = "bench") -> None:
    """The partnership of this benchmark, made again from scratch: participants coded
    `prefix` + number, the agreement `short_id`."""
    from participants.models import Attendance, Contact, Enrolment, Participant, ProgressAssessment
    from partnerships.actions import record_version
    from partnerships.models import (
        Agreement,
        AgreementParty,
        Goal,
        Indicator,
        IndicatorTarget,
        Organisation,
        User,
    )

    Participant.objects.filter(code__startswith=prefix).delete()
    Agreement.objects.filter(short_id=short_id).delete()
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
        short_id=short_id,
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
    add_budget(agreement, public_party, operator_party, YEAR)
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
            code=f"{prefix}{i:06d}",
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


def _cpu() -> float:
    """CPU seconds of this process and its reaped children: each PDF is laid out in a
    forked child (iop.limits), whose time process_time() would not see."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


FLOOR = (
    '{% extends "reporting/pdf_base.html" %}{% block document %}<article class="doc">'
    '<h1 class="doc-title" data-header="Golv">Golv</h1><p class="subtitle">En sida</p>'
    "<p>Ett stycke text med appens egen stilmall.</p></article>{% endblock %}"
)


def _pdf_data() -> tuple[Any, Any]:
    """The annual report's and the final report's partnerships, seeded once (idempotent)."""
    from partnerships.models import Agreement, Organisation
    from tests.factories.reporting import three_year_partnership

    if not Agreement.objects.filter(short_id=PDF_AGREEMENT).exists():
        with transaction.atomic():
            build(PDF_PREFIX, PDF_AGREEMENT)
    final = Agreement.objects.filter(short_id="kvinnor-pdfb").first()
    if final is None:
        with transaction.atomic():
            operator, _ = Organisation.objects.get_or_create(
                org_number="802900-0017", defaults={"name": "Bänkföreningen"}
            )
            public, _ = Organisation.objects.get_or_create(
                org_number="212000-1124",
                defaults={"name": "Bänkkommunen", "kind": Organisation.Kind.MUNICIPALITY},
            )
            final = three_year_partnership(operator, public, participants=120, prefix="PDFB")
    return Agreement.objects.get(short_id=PDF_AGREEMENT), final


def pdf_documents() -> list[tuple[str, Callable[[], bytes]]]:
    """Each PDF with its figures computed beforehand, so that only the document is timed:
    the template, the layout in the limited child and the PDF, as the renderer makes it."""
    from django.template import engines

    from reporting import figures
    from reporting.annual import (
        current_final_report,
        current_report,
        final_report_figures,
        report_figures,
    )
    from reporting.documents import (
        annual_report_context,
        final_report_context,
        invoice_basis_context,
    )
    from reporting.pdf import html_to_pdf, render_pdf

    agreement, final_agreement = _pdf_data()
    report = current_report(agreement, YEAR)
    annual = annual_report_context(report, report_figures(report), for_pdf=True)
    invoice = invoice_basis_context(
        figures.freeze(figures.invoice_figures(agreement, YEAR)),
        number="BENCH-1",
        issued_on=datetime.date(YEAR + 1, 1, 15),
    )
    final_report = current_final_report(final_agreement)
    final = final_report_context(final_report, final_report_figures(final_report), for_pdf=True)
    floor = engines["django"].from_string(FLOOR).render({"for_pdf": True})
    return [
        ("Floor: one page, the app's stylesheet", lambda: html_to_pdf(floor)),
        ("Annual report", lambda: render_pdf("reporting/annual_report_pdf.html", annual)),
        ("Invoice basis", lambda: render_pdf("reporting/invoice_basis_pdf.html", invoice)),
        ("Final report", lambda: render_pdf("reporting/final_report_pdf.html", final)),
    ]


def pdf_rows(runs: int) -> list[str]:
    """Markdown lines: per PDF its pages, the median seconds per page (wall), the median
    CPU seconds per page (this process and the child that lays it out) and that CPU per
    page over the floor's (wall time on a shared machine swings with other work; CPU
    holds). The documents take turns in every run, so that other work weighs on each
    alike; a first render of each is not counted (a fresh process's imports and its
    one warm-up of the fonts)."""
    from pypdf import PdfReader

    documents = pdf_documents()
    pages = {label: len(PdfReader(io.BytesIO(make())).pages) for label, make in documents}
    wall: dict[str, list[float]] = {label: [] for label, _make in documents}
    cpu: dict[str, list[float]] = {label: [] for label, _make in documents}
    for _run in range(runs):
        for label, make in documents:
            cpu0, wall0 = _cpu(), time.perf_counter()
            make()
            wall[label].append((time.perf_counter() - wall0) / pages[label])
            cpu[label].append((_cpu() - cpu0) / pages[label])
    floor = statistics.median(cpu[documents[0][0]])
    lines = ["| PDF | pages | s/page p50 | CPU s/page | vs floor |", "|---|---|---|---|---|"]
    for label, _make in documents:
        per_page = statistics.median(cpu[label])
        lines.append(
            f"| {label} | {pages[label]} | {statistics.median(wall[label]):.3f} "
            f"| {per_page:.3f} | {per_page / floor:.1f}× |"
        )
    return lines


def main() -> None:
    from partnerships.models import Agreement
    from reporting import figures
    from reporting.annual import current_report
    from reporting.documents import annual_report_pdf, invoice_basis_pdf

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7, help="renders of each PDF in the table")
    args = parser.parse_args()
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

    print("\n".join(pdf_rows(args.runs)))
    print("load average: " + " ".join(f"{n:.1f}" for n in os.getloadavg()))


if __name__ == "__main__":
    main()
