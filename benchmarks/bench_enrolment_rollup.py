"""Benchmark (not a test): the participant figures a steering dashboard counts.

Times participant_statistics, step_progression(_by_gender), monthly_participant_flow and
participants_active_by_agreement for every partnership of the bench data (the
`bench-*` agreements benchmarks/bench_participants.py seeds: 50 000 participants, one
enrolment each, 20 partnerships) over one year, the way reporting.dashboards.fetch_figures
calls them. Prints per function the median wall time, CPU time (time.process_time) and
SQL time per call, and the number of queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_rollups_50k \
        .venv/bin/python benchmarks/bench_enrolment_rollup.py [--runs 15] [--year 2026]
        [--code /path/to/another/checkout]

--code times another checkout's figures (e.g. main's, before the enrolment rows) against
the same database. Reads only; use a copy of the bench database of your own.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--prefix", default="bench-")
    parser.add_argument("--code", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    sys.path.insert(0, str(Path(args.code).resolve()))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partnerships.models import Agreement
    from reporting import figures

    ids = list(
        Agreement.objects.filter(short_id__startswith=args.prefix).values_list("pk", flat=True)
    )
    start, end = datetime.date(args.year, 1, 1), datetime.date(args.year, 12, 31)
    calls = {
        "participant_statistics": lambda: figures.participant_statistics(ids, start, end),
        "step_progression": lambda: figures.step_progression(ids, start, end),
        "step_progression_by_gender": lambda: figures.step_progression_by_gender(ids, start, end),
        "monthly_participant_flow": lambda: figures.monthly_participant_flow(ids, start, end),
        "participants_active_by_agreement": lambda: figures.participants_active_by_agreement(
            ids, end
        ),
    }
    print(f"{len(ids)} partnerships, {start}–{end}, {args.runs} runs, code {args.code}")
    print(f"{'function':34} {'wall ms':>8} {'CPU ms':>8} {'SQL ms':>8} {'queries':>8}")
    for name, call in calls.items():
        call()  # warm the connection and the caches of both
        walls, cpus, sqls, queries = [], [], [], 0
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as captured:
                wall, cpu = time.perf_counter(), time.process_time()
                call()
                cpu = time.process_time() - cpu
                wall = time.perf_counter() - wall
            walls.append(wall * 1000)
            cpus.append(cpu * 1000)
            sqls.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
            queries = len(captured.captured_queries)
        print(
            f"{name:34} {statistics.median(walls):8.1f} {statistics.median(cpus):8.1f} "
            f"{statistics.median(sqls):8.1f} {queries:8}"
        )


if __name__ == "__main__":
    main()
