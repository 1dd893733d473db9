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
import json
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
        self.missing = 0  # the status the page answered when it is not there

    def line(self, reference: Row | None) -> str:
        if self.missing:
            return f"| {self.label:<40} | not on this version (answered {self.missing}) |"
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


def measure(
    label: str, runs: int, request: Callable[[int], int], before=None, ok: int = 200
) -> Row:
    row = Row(label)
    for i in range(runs):
        if before:
            before()
        with CaptureQueriesContext(connection) as ctx:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            status = request(i)
            row.wall.append((time.perf_counter() - wall0) * 1000)
            row.cpu.append((time.process_time() - cpu0) * 1000)
        if status != ok and i == 0:  # a page this version of the code does not have
            row.missing = status
            return row
        assert status == ok, (label, status)
        row.queries.add(len(ctx.captured_queries))
        row.sql.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--no-imports", action="store_true", help="skip the import rows")
    parser.add_argument("--no-pdfs", action="store_true", help="skip the PDF rows")
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--import-big", type=int, default=100_000)
    parser.add_argument("--pdf-runs", type=int, default=10)
    parser.add_argument(
        "--growth",
        metavar="SIZES",
        help="only print the growth between earlier runs, e.g. 5000,50000",
    )
    args = parser.parse_args()
    if args.growth:
        growth([int(s) for s in args.growth.split(",")])
        return
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL (benchmarks/run picks a database of its own).")
    seeding.PARTICIPANTS = args.participants
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if not settings.DEBUG:  # production serves static files from a collected manifest
        call_command("collectstatic", interactive=False, verbosity=0)
    if args.reseed or not Participant.objects.filter(code="B-000001").exists():
        if Participant.objects.filter(code__startswith="B-").exists():
            sys.exit("Partly seeded database: drop it and start again.")
        started = time.perf_counter()
        seeding.seed()
        print(f"Seeding took {time.perf_counter() - started:.0f} s")
    finance_user = _finance_setup()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    print(
        f"{Participant.objects.count():,} participants, {Contact.objects.count():,} contacts, "
        f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}, DEBUG={settings.DEBUG}"
    )
    with override_settings(ROOT_URLCONF=__name__):
        reference, rows = table(args.runs, finance_user)
    _save(args.participants, reference, rows)
    if not args.no_imports:
        _extra("imports", "bench_import", "import_rows", args.import_rows, args.import_big)
    if not args.no_pdfs:
        _extra("PDFs", "bench_reporting", "pdf_rows", args.pdf_runs)


def _extra(what: str, module: str, function: str, *args: int) -> None:
    """The import or PDF table of the topic's own script, in the same run."""
    print(f"\n{what} ({module}.{function}):")
    try:
        lines = getattr(__import__(module), function)(*args)
    except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not stop
        print(f"  not measured: {type(exc).__name__}: {exc}")
        return
    for line in lines:
        print(line)


def _finance_setup() -> User:
    """A finance user of organisation 0 and a 2026 budget for agreement 0 with a public
    funder, so that the invoice basis (the finance journey of the load test) has figures.
    Idempotent."""
    from django.contrib.auth.models import Group

    from iop.roles import Role
    from partnerships.models import (
        Agreement,
        AgreementParty,
        Budget,
        Organisation,
    )

    agreement = Agreement.objects.get(short_id=f"{seeding.PREFIX}0")
    operator = AgreementParty.objects.get(agreement=agreement, role="operator")
    user, created = User.objects.get_or_create(
        username=f"{seeding.PREFIX}finance0",
        defaults={"organisation": operator.organisation, "first_name": "Bench"},
    )
    if created:
        user.groups.add(Group.objects.get_or_create(name=Role.FINANCE)[0])
    if not Budget.objects.filter(agreement=agreement, year=2026).exists():
        public, _ = Organisation.objects.get_or_create(
            org_number=seeding.org_number(900),
            defaults={"name": "Benchkommunen", "kind": "municipality", "invoice_reference": "B1"},
        )
        funder, _ = AgreementParty.objects.get_or_create(
            agreement=agreement, organisation=public, defaults={"role": "public_funder"}
        )
        from bench_reporting import add_budget

        add_budget(agreement, funder, operator, 2026)
    return user


def _budget_agreement() -> int:
    from partnerships.models import Agreement

    return Agreement.objects.values_list("pk", flat=True).get(short_id=f"{seeding.PREFIX}0")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    seeding._pass_second_factor(client, user)
    return client


# The load test's journeys (benchmarks/loadtest.py) and their weights: a coordinator opens
# the list, the contact form and saves; finance opens an invoice basis; the steering group
# opens the overview and two dashboards. Mostly cached dashboards, as in a day's use.
MIX = {
    "Mina deltagare, page 1": 20,
    "Contact form (GET)": 20,
    "Contact save (POST, redirect)": 20,
    "Invoice basis (finance)": 15,
    "Dashboards overview, cached": 15,
    "One dashboard, cached": 30,
}


def table(runs: int, finance_user: User) -> tuple[Row, list[Row]]:
    user = User.objects.get(username=f"{seeding.PREFIX}coord0")
    client = _client(user)
    finance = _client(finance_user)
    budget_agreement = _budget_agreement()
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
    anonymous = Client()  # one client: a new one loads every middleware again
    contact = {"date": today, "kind": "phone", "duration_minutes": "15", "topic": "Bench"}

    def contact_url() -> str:
        return reverse("participants:contact_create", args=[rng.choice(visible)[0]])

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
        measure("Contact form (GET)", runs, lambda i: get(contact_url()).status_code),
        measure(
            "Log contact (htmx POST)",
            runs,
            lambda i: client.post(contact_url(), contact, HTTP_HX_REQUEST="true").status_code,
        ),
        measure(
            "Contact save (POST, redirect)",
            runs,
            lambda i: client.post(contact_url(), contact).status_code,
            ok=302,
        ),
        measure(
            "Invoice basis (finance)",
            runs,
            lambda i: (
                finance.get(
                    reverse("reporting:invoice_basis", args=[budget_agreement, 2026])
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
            "Health (/health/, no sign-in)", runs, lambda i: anonymous.get("/health/").status_code
        ),
    ]
    print("| page | p50 ms | p95 ms | queries | page / SQL | CPU ms | CPU vs reference |")
    print("|---|---|---|---|---|---|---|")
    print(reference.line(None))
    for row in rows:
        print(row.line(reference))
    by_label = {row.label: row for row in rows}
    weights = sum(MIX.values())
    if any(by_label[k].missing for k in MIX):
        return reference, rows
    mix_cpu = sum(statistics.median(by_label[k].cpu[3:]) * w for k, w in MIX.items()) / weights
    ref_cpu = statistics.median(reference.cpu[3:])
    print(
        f"Load-test mix: {mix_cpu:.1f} ms CPU per page ({mix_cpu / ref_cpu:.1f}× the reference), "
        f"so two cores serve about {2000 / mix_cpu:.0f} pages/s of Django alone."
    )
    return reference, rows


RESULTS = HERE / ".results"


def _save(size: int, reference: Row, rows: list[Row]) -> None:
    """This run's medians, for --growth to compare sizes."""
    RESULTS.mkdir(exist_ok=True)
    data = {
        row.label: {
            "p50": statistics.median(row.wall[3:]),
            "cpu": statistics.median(row.cpu[3:]),
            "sql": statistics.median(row.sql[3:]),
        }
        for row in [reference, *rows]
        if not row.missing
    }
    (RESULTS / f"{size}.json").write_text(json.dumps(data, indent=1))


def growth(sizes: list[int]) -> None:
    """p50 and SQL time at the largest size over the smallest, per page (earlier runs)."""
    small, large = min(sizes), max(sizes)
    try:
        a, b = (json.loads((RESULTS / f"{n}.json").read_text()) for n in (small, large))
    except FileNotFoundError as exc:
        sys.exit(f"No results for one of the sizes: {exc.filename}")
    print(f"\nGrowth from {small:,} to {large:,} participants (p50 and SQL time, ×):")
    print(f"| page | p50 ms at {small:,} | p50 ms at {large:,} | p50 × | SQL × |")
    print("|---|---|---|---|---|")
    for label, x in a.items():
        y = b.get(label)
        if not y:
            continue
        sql = f"{y['sql'] / x['sql']:.1f}" if x["sql"] >= 1 else "—"
        print(f"| {label} | {x['p50']:.1f} | {y['p50']:.1f} | {y['p50'] / x['p50']:.1f} | {sql} |")


if __name__ == "__main__":
    main()
