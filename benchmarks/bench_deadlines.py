"""Benchmark (not a test): the deadline list for a user with many partnerships.

Builds, in the database DATABASE_URL points at (use your own, e.g.
postgres://postgres@127.0.0.1:5432/iop_bench_deadlines), AGREEMENTS agreements that one
organisation is party to, each with 12 meetings a year for three years and 3 action items
per held meeting (those of the last two months still open), then times deadlines_for_user (what the start page, the feed and the reminders
call), counts its queries, and times the calendar feed for the same user.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iop_bench_deadlines \
        .venv/bin/python benchmarks/bench_deadlines.py

Target: < 0.5 s and a constant number of queries for 200 partnerships.
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from partnerships.deadlines import deadlines_for_user  # noqa: E402
from partnerships.feeds import build_calendar  # noqa: E402
from partnerships.models import (  # noqa: E402
    ActionItem,
    Agreement,
    AgreementParty,
    Meeting,
    Organisation,
    User,
)

AGREEMENTS = int(os.environ.get("AGREEMENTS", "200"))
D = datetime.date


def build() -> User:
    call_command("migrate", verbosity=0)
    with transaction.atomic():
        Agreement.objects.filter(short_id__startswith="bench-").delete()
        org, _ = Organisation.objects.get_or_create(
            org_number="802000-0005", defaults={"name": "Benchförening", "kind": "non_profit"}
        )
        user, _ = User.objects.get_or_create(
            username="bench-deadlines", defaults={"organisation": org}
        )
        agreements = Agreement.objects.bulk_create(
            Agreement(
                short_id=f"bench-{n}",
                title=f"Bench {n}",
                start_date=D(2025, 1, 1),
                end_date=D(2027, 12, 31),
                status=Agreement.Status.ACTIVE,
                extension_count=1,
                followups_per_year=12,
            )
            for n in range(AGREEMENTS)
        )
        AgreementParty.objects.bulk_create(
            AgreementParty(agreement=a, organisation=org, role="operator") for a in agreements
        )
        meetings = Meeting.objects.bulk_create(
            Meeting(
                agreement=a,
                kind="followup",
                status="held" if day < D(2026, 11, 1) else "planned",
                date=day,
                convened_by=org,
            )
            for a in agreements
            for day in (D(y, m, 10) for y in (2025, 2026, 2027) for m in range(1, 13))
        )
        ActionItem.objects.bulk_create(
            ActionItem(
                meeting=m,
                description="Åtgärd",
                owner="Bench",
                due_date=m.date + datetime.timedelta(days=40 + k),
                done_on=m.date + datetime.timedelta(days=30) if m.date < D(2026, 9, 1) else None,
            )
            for m in meetings
            if m.status == "held"
            for k in range(3)
        )
    return user


def main() -> None:
    user = build()
    today = D(2026, 11, 22)
    deadlines_for_user(user, today=today)  # warm up
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            deadlines = deadlines_for_user(user, today=today)
        runs.append(time.perf_counter() - start)
    print(
        f"partnerships: {AGREEMENTS}, meetings: {Meeting.objects.filter(agreement__short_id__startswith='bench-').count()}"
    )
    print(f"deadlines: {len(deadlines)}, queries: {len(ctx.captured_queries)}")
    print(f"deadlines_for_user: best {min(runs) * 1000:.0f} ms, worst {max(runs) * 1000:.0f} ms")
    start = time.perf_counter()
    body = build_calendar(deadlines_for_user(user, today=today), base_url="https://iop.example")
    print(f"calendar feed: {(time.perf_counter() - start) * 1000:.0f} ms, {len(body) // 1024} KiB")


if __name__ == "__main__":
    main()
