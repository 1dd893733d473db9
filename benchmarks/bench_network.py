"""Benchmark (not a test): the statistics network's national report over 200 members × 10
periods (issue 17).

Builds, in the database DATABASE_URL points at (use your own, e.g.
postgres://postgres@127.0.0.1:5432/iop_bench_network, migrated), a network of 200 invented
members with a submission each for ten yearly periods, then times the report of the latest
period as CSV (figures + suppression + CSV) and as PDF, and prints the page count. The
forms carry one cross-tabulation (form of exploitation × gender), as a coordinator would
choose. Besides the wall-clock time it prints the CPU time (this process and the PDF's
child together): on a shared machine the wall clock mostly measures the wait for a core.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iop_bench_network \
        .venv/bin/python benchmarks/bench_network.py

Targets: CSV ≤ 1 s; PDF ≤ 0.2 s per page.
"""

from __future__ import annotations

import datetime
import io
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402

from reporting.models import NetworkForm  # noqa: E402

MEMBERS = 200
PERIODS = 10
NAME = "Benchnätverket"


def build() -> NetworkForm:
    from partnerships.models import Organisation, User
    from reporting.demo_network import invented_counts, invented_crosstabs
    from reporting.models import Network, NetworkMember, NetworkSubmission

    NetworkSubmission.objects.filter(form__network__name=NAME).delete()
    Network.objects.filter(name=NAME).delete()
    coordinating, _ = Organisation.objects.get_or_create(
        org_number="802438-1355", defaults={"name": "Benchföreningen", "kind": "non_profit"}
    )
    user, _ = User.objects.get_or_create(username="bench-network", defaults={})
    network = Network.objects.create(name=NAME, coordinator=coordinating)
    orgs = [
        Organisation.objects.get_or_create(
            org_number=f"bench-{i:04d}", defaults={"name": f"Benchmedlem {i}", "kind": "non_profit"}
        )[0]
        for i in range(MEMBERS)
    ]
    members = NetworkMember.objects.bulk_create(
        [NetworkMember(network=network, organisation=o) for o in orgs]
    )
    rng = random.Random(1)
    forms = []
    for year in range(2016, 2016 + PERIODS):
        form = NetworkForm.objects.create(
            network=network,
            year=year,
            status="open",
            crosstabs=[{"rows": "exploitation", "columns": "gender"}],
            due_on=datetime.date(year + 1, 1, 31),
            closes_on=datetime.date(year + 1, 2, 28),
        )
        rows = []
        for member in members:
            total = rng.randint(0, 120)
            counts = invented_counts(form, total, rng)
            rows.append(
                NetworkSubmission(
                    form=form,
                    member=member,
                    total_contacts=total,
                    counts=counts,
                    crosstab_counts=invented_crosstabs(form, counts),
                    submitted_by=user,
                )
            )
        NetworkSubmission.objects.bulk_create(rows)
        forms.append(form)
    return forms[-1]


def cpu_seconds() -> float:
    """User + system time of this process and its (finished) children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    from pypdf import PdfReader

    from reporting.network_report import build_report, report_csv
    from reporting.pdf import render_pdf

    started = time.perf_counter()
    form = build()
    print(f"built {MEMBERS} members × {PERIODS} periods in {time.perf_counter() - started:.1f} s")
    connection.force_debug_cursor = True
    reset_queries()
    started = time.perf_counter()
    report = build_report(form)
    text = report_csv(report)
    csv_seconds = time.perf_counter() - started
    print(f"CSV: {csv_seconds:.3f} s, {len(connection.queries)} queries, {len(text)} bytes")
    # The first PDF also loads WeasyPrint's fonts; the later ones are what a server does.
    timings, cpu = [], []
    for _run in range(6):
        started, cpu_started = time.perf_counter(), cpu_seconds()
        pdf = render_pdf(
            "reporting/network_report_pdf.html",
            {"network": form.network, "form": form, "report": build_report(form)},
        )
        timings.append(time.perf_counter() - started)
        cpu.append(cpu_seconds() - cpu_started)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    warm, warm_cpu = sorted(timings[1:])[2], sorted(cpu[1:])[2]
    print(f"PDF: first {timings[0]:.3f} s, then median {warm:.3f} s for {pages} pages")
    print(f"PDF per page (warm): {warm / pages:.3f} s wall, {warm_cpu / pages:.3f} s CPU")
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
