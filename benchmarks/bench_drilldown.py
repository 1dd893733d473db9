"""Benchmark (not a test): the participants behind an annual-report figure (the drill-down).

Builds the partnership of benchmarks/bench_reporting.py (1 000 participants, 20 000
contacts, 2 000 step assessments) in the database DATABASE_URL points at, gives half the
participants a consent towards the operator, and times the drill-down page of a few figures
for a coordinator of the operator (consent-limited) and an administrator (sees everyone):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iop_bench_reporting \\
        .venv/bin/python benchmarks/bench_drilldown.py
"""

from __future__ import annotations

import datetime
import statistics
import sys
import time
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_reporting  # noqa: E402  (sets up Django)
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import RequestFactory  # noqa: E402

YEAR = bench_reporting.YEAR
FIGURES = [("exited", {}), ("to_work", {}), ("enrolled", {"gender": "woman"}), ("progressed", {})]
RUNS = 7


def _user(username: str, role: str, organisation):
    from partnerships.models import User

    user, _ = User.objects.get_or_create(username=username, defaults={"organisation": organisation})
    user.groups.set([Group.objects.get_or_create(name=role)[0]])
    return user


def main() -> None:
    call_command("migrate", verbosity=0)
    bench_reporting.build()
    # The drill-down writes to the access log, which protects the participants from being
    # deleted: roll it all back, so that the next run can rebuild the data.
    with transaction.atomic():
        measure()
        transaction.set_rollback(True)


def measure() -> None:
    from participants.models import Consent, Participant
    from partnerships.http import AuthedHttpRequest
    from partnerships.models import Agreement, Role
    from reporting import figures
    from reporting.views import figure_participants

    agreement = Agreement.objects.get(short_id="bench")
    party = agreement.operator_party()
    assert party is not None, "the bench agreement has an operator"
    operator = party.organisation
    Consent.objects.bulk_create(
        Consent(
            participant=p,
            holder=operator,
            organisation=operator,
            share_identity=True,
            purpose="Registrering",
            method="written",
            reference=f"REG-{p.pk}",
            given_on=datetime.date(2024, 1, 1),
        )
        for p in Participant.objects.filter(code__startswith="B-").order_by("pk")[::2]
    )
    # Planner statistics as a live database would have them (autovacuum has not seen
    # the freshly built rows, and without them PostgreSQL picks nested loops).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    users = {
        "coordinator": _user("bench-coordinator", Role.COORDINATOR, operator),
        "admin": _user("bench-admin", Role.ADMIN, None),
    }
    start, end = figures.period(agreement, YEAR)
    factory = RequestFactory()
    for key, codes in FIGURES:
        counted = figures.figure_enrolments(agreement, start, end, key, **codes).count()
        for who, user in users.items():
            timings = []
            for _run in range(RUNS):
                request = factory.get("/", codes)
                request.user = user
                connection.force_debug_cursor = True
                reset_queries()
                started = time.perf_counter()
                response = figure_participants(
                    cast(AuthedHttpRequest, request), agreement.pk, YEAR, key
                )
                timings.append((time.perf_counter() - started) * 1000)
                queries = len(connection.queries)
                connection.force_debug_cursor = False
                assert response.status_code == 200
            print(
                f"{key:<10} {str(codes):<22} {who:<11} counted {counted:>4}: "
                f"median {statistics.median(timings):6.1f} ms, max {max(timings):6.1f} ms, "
                f"{queries} queries"
            )


if __name__ == "__main__":
    main()
