"""Benchmark (not a test): issue 19's pages in one run, against a trivial signed-in view.

Seeds once (bench_participants.seed: partnerships, coordinators, participants with 40
contacts each, server-side), then requests each page through Django's test client and
prints, per page: p50 and p95 wall time, queries per request, page time / its own SQL time,
CPU of this process per request (Django's share: PostgreSQL runs elsewhere) and that CPU
as a multiple of the trivial view's. Run through `benchmarks/run`, which picks the database.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/bench_all.py --participants 5000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")

import django  # noqa: E402

django.setup()

import bench_participants as seeding  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.decorators import login_required  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import include, path, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from participants.models import Contact, Enrolment, Participant  # noqa: E402
from partnerships.models import User  # noqa: E402


@login_required
def empty(request: HttpRequest) -> HttpResponse:
    """The reference: every middleware, a signed-in user, no template, no query of its own."""
    return HttpResponse("ok")


urlpatterns = [path("bench/empty/", empty, name="bench_empty"), path("", include("iop.urls"))]


class Row:
    def __init__(self, label: str) -> None:
        self.label = label
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.sql: list[float] = []
        self.queries: set[int] = set()

    def line(self, reference: Row | None) -> str:
        wall, cpu = self.wall[3:], self.cpu[3:]  # the first requests warm connections
        p50 = statistics.median(wall)
        p95 = statistics.quantiles(wall, n=20, method="inclusive")[-1]
        cpu_ms = statistics.median(cpu)
        sql_ms = statistics.median(self.sql[3:])
        # Django records each query's time to the millisecond: below that, no ratio.
        page_sql = f"{p50 / sql_ms:6.1f}" if sql_ms >= 1 else "     —"
        ratio = f"{cpu_ms / statistics.median(reference.cpu[3:]):5.1f}×" if reference else "   1×"
        q = "/".join(str(n) for n in sorted(self.queries))
        return (
            f"| {self.label:<40} | {p50:7.1f} | {p95:7.1f} | {q:>7} | {page_sql} "
            f"| {cpu_ms:7.1f} | {ratio} |"
        )


def measure(label: str, runs: int, request: Callable[[int], int], before=None) -> Row:
    row = Row(label)
    for i in range(runs):
        if before:
            before()
        with CaptureQueriesContext(connection) as ctx:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            status = request(i)
            row.wall.append((time.perf_counter() - wall0) * 1000)
            row.cpu.append((time.process_time() - cpu0) * 1000)
        assert status == 200, (label, status)
        row.queries.add(len(ctx.captured_queries))
        row.sql.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL (benchmarks/run picks a database of its own).")
    seeding.PARTICIPANTS = args.participants
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if args.reseed or not Participant.objects.filter(code="B-000001").exists():
        if Participant.objects.filter(code__startswith="B-").exists():
            sys.exit("Partly seeded database: drop it and start again.")
        seeding.seed()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    print(
        f"{Participant.objects.count():,} participants, {Contact.objects.count():,} contacts, "
        f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, DEBUG={settings.DEBUG}"
    )
    with override_settings(ROOT_URLCONF=__name__):
        table(args.runs)


def table(runs: int) -> None:
    user = User.objects.get(username=f"{seeding.PREFIX}coord0")
    client = Client()
    client.force_login(user)
    seeding._pass_second_factor(client, user)
    visible = list(
        Enrolment.objects.filter(
            agreement__short_id__in=[f"{seeding.PREFIX}0", f"{seeding.PREFIX}1"],
            exit_date__isnull=True,
        ).values_list("pk", "participant_id")
    )
    rng = random.Random(1)
    pages = max(len(visible) // 50, 1)
    today = timezone.localdate().isoformat()
    agreement_id = Enrolment.objects.filter(pk=visible[0][0]).values_list("agreement_id").get()[0]
    overview = reverse("dashboard_overview")
    detail = reverse("dashboard_detail", args=[agreement_id])
    get = client.get

    reference = measure(
        "Trivial signed-in view (reference)", runs, lambda i: get("/bench/empty/").status_code
    )
    rows = [
        measure(
            "Mina deltagare, page 1", runs, lambda i: get(reverse("participants:list")).status_code
        ),
        measure(
            "Mina deltagare, any page",
            runs,
            lambda i: (
                get(reverse("participants:list"), {"page": rng.randint(1, pages)}).status_code
            ),
        ),
        measure(
            "Timeline",
            runs,
            lambda i: (
                get(reverse("participants:timeline", args=[rng.choice(visible)[1]])).status_code
            ),
        ),
        measure(
            "Log contact (htmx POST)",
            runs,
            lambda i: (
                client.post(
                    reverse("participants:contact_create", args=[rng.choice(visible)[0]]),
                    {"date": today, "kind": "phone", "duration_minutes": "15", "topic": "Bench"},
                    HTTP_HX_REQUEST="true",
                ).status_code
            ),
        ),
        measure(
            "Dashboards overview, nothing cached",
            max(runs // 3, 8),
            lambda i: get(overview).status_code,
            before=cache.clear,
        ),
        measure("Dashboards overview, cached", runs, lambda i: get(overview).status_code),
        measure(
            "One dashboard, nothing cached",
            max(runs // 3, 8),
            lambda i: get(detail).status_code,
            before=cache.clear,
        ),
        measure("One dashboard, cached", runs, lambda i: get(detail).status_code),
        measure(
            "Health (/health/, no sign-in)", runs, lambda i: Client().get("/health/").status_code
        ),
    ]
    print("| page | p50 ms | p95 ms | queries | page / SQL | CPU ms | CPU vs reference |")
    print("|---|---|---|---|---|---|---|")
    print(reference.line(None))
    for row in rows:
        print(row.line(reference))
    print(
        "Imports: benchmarks/bench_import.py; PDFs: benchmarks/bench_reporting.py (not in "
        "this run yet: bench_import's imports currently stop with a JSONDecodeError)."
    )


if __name__ == "__main__":
    main()
