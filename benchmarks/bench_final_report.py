"""Benchmark (not a test): the final report of a three-year partnership with 1 300
participants — its figures, its PDF, and the PDF's seconds per page.

Builds (once), in the database DATABASE_URL points at (use your own, e.g.
postgres://postgres@127.0.0.1:5432/iop_bench_final), a partnership 2014-06-01 –
2016-12-31 like Internationella kvinnor: three stages, a budget a year with actual costs,
a participant indicator, 17 risks with a history, an obstacle list and N participants
entering over the three years (two women to every man, half leaving to work, half to
studies). Then renders the final report R times and prints the figures' time, the PDF's
time, pages, seconds per page (target ≤ 0.2 s) and the query count.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iop_bench_final \
        .venv/bin/python benchmarks/bench_final_report.py [--participants 1300] [--runs 3]
"""

from __future__ import annotations

import argparse
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

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from partnerships.models import Agreement, Organisation, Risk, RiskChange  # noqa: E402
from reporting.annual import current_final_report, final_report_figures  # noqa: E402
from reporting.documents import final_report_pdf  # noqa: E402
from tests.factories.reporting import three_year_partnership  # noqa: E402

PREFIX = "BENCH"


def seed(participants: int) -> Agreement:
    existing = Agreement.objects.filter(short_id=f"kvinnor-{PREFIX.lower()}").first()
    if existing is not None:
        return existing
    operator, _ = Organisation.objects.get_or_create(
        org_number="802900-0017", defaults={"name": "Bänkföreningen"}
    )
    public, _ = Organisation.objects.get_or_create(
        org_number="212000-1124",
        defaults={"name": "Bänkkommunen", "kind": Organisation.Kind.MUNICIPALITY},
    )
    agreement = three_year_partnership(operator, public, participants=participants, prefix=PREFIX)
    owner = agreement.parties.first()
    assert owner is not None
    for i in range(16):  # 17 risks in all, as in the seed
        risk = Risk.objects.create(
            agreement=agreement,
            title=f"Risk {i + 2}: resurser räcker inte till",
            category="resources",
            likelihood=1 + i % 3,
            consequence=1 + (i // 3) % 3,
            owner_party=owner,
            owner_person="Vera Påhittad",
        )
        RiskChange.objects.create(
            risk=risk,
            likelihood=risk.likelihood,
            consequence=risk.consequence,
            grade=risk.grade,
            status="open",
        )
    return agreement


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=1300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    agreement = seed(args.participants)
    print(f"data ready in {time.perf_counter() - started:.1f} s ({args.participants} participants)")

    figure_times, pdf_times, per_page = [], [], []
    pages = queries = size = 0
    for _run in range(args.runs):
        report = current_final_report(agreement)
        connection.force_debug_cursor = True
        reset_queries()
        started = time.perf_counter()
        final_report_figures(report)
        figure_times.append(time.perf_counter() - started)
        queries = len(connection.queries)
        connection.force_debug_cursor = False
        # The PDF as a user gets it: its figures computed again, laid out and rendered.
        started = time.perf_counter()
        pdf = final_report_pdf(report)
        pdf_times.append(time.perf_counter() - started)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        size = len(pdf)
        per_page.append(pdf_times[-1] / pages)
    print(
        f"figures (3 years + whole period): median {statistics.median(figure_times):.2f} s, {queries} queries"
    )
    print(
        f"figures + PDF: median {statistics.median(pdf_times):.2f} s, {pages} pages, "
        f"{size / 1024:.0f} KiB"
    )
    print(
        f"seconds per page: median {statistics.median(per_page):.3f} s, "
        f"worst {max(per_page):.3f} s (target ≤ 0.2 s)"
    )
    # Other work on the machine slows the PDF down more than anything in the report.
    print("load average during the run: " + " ".join(f"{n:.1f}" for n in os.getloadavg()))


if __name__ == "__main__":
    main()
