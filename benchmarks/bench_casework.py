"""Benchmark: the casework start-page sources (plan not agreed, follow-up due, referral
waiting), the waiting list and the plan-agreement page, on a caseload of N enrolments.

Seeds (once) one partnership with N participants — every third with an agreed plan, every
fifth exited with follow-ups, N/10 waiting for a place — then times each source and page
and prints p50/p95 and the SQL query count (which must not grow with N).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iop_casework_bench \
        .venv/bin/python benchmarks/bench_casework.py [--participants 5000] [--runs 40]

Use a database of your own: the script migrates it and fills it.
"""

from __future__ import annotations

import argparse
import datetime
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
from django.utils import timezone  # noqa: E402

from participants import worklist_casework  # noqa: E402
from participants.models import (  # noqa: E402
    ActionPlan,
    Consent,
    Enrolment,
    FollowUp,
    Participant,
    Referral,
    ReferralStatus,
)
from partnerships.models import Agreement, AgreementParty, Organisation, Role, User  # noqa: E402

SHORT_ID = "bench-casework"


def seed(n: int) -> tuple[Agreement, User]:
    today = timezone.localdate()
    org, _ = Organisation.objects.get_or_create(
        org_number="802900-0009", defaults={"name": "Bänkföreningen"}
    )
    agreement, created = Agreement.objects.get_or_create(
        short_id=SHORT_ID,
        defaults={
            "title": "Bänkpartnerskap",
            "start_date": today - datetime.timedelta(days=700),
            "end_date": today + datetime.timedelta(days=700),
            "status": "active",
            "capacity": n,
        },
    )
    AgreementParty.objects.get_or_create(agreement=agreement, organisation=org, role="operator")
    user, _ = User.objects.get_or_create(username="bench-casework", organisation=org)
    user.groups.add(Group.objects.get_or_create(name=Role.COORDINATOR)[0])
    if not created:
        return agreement, user
    started = time.perf_counter()
    participants = Participant.objects.bulk_create(
        [Participant(code=f"BC{i:07d}", gender="woman") for i in range(n)], batch_size=2000
    )
    Consent.objects.bulk_create(
        [
            Consent(participant=p, organisation=org, given_on=today - datetime.timedelta(700))
            for p in participants
        ],
        batch_size=2000,
    )
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                participant=p,
                agreement=agreement,
                start_date=today - datetime.timedelta(days=30 + i % 600),
                exit_date=today - datetime.timedelta(days=10) if i % 5 == 0 else None,
                exit_outcome="work" if i % 5 == 0 else "",
            )
            for i, p in enumerate(participants)
        ],
        batch_size=2000,
    )
    ActionPlan.objects.bulk_create(
        [
            ActionPlan(
                enrolment=e,
                drawn_up_on=e.start_date,
                agreed_revision=1 if i % 3 == 0 else None,
                first_agreed_on=e.start_date if i % 3 == 0 else None,
                agreed_agency_count=2 if i % 3 == 0 else 0,
            )
            for i, e in enumerate(enrolments)
        ],
        batch_size=2000,
    )
    FollowUp.objects.bulk_create(
        [
            FollowUp(enrolment=e, months=1, due_on=today)
            for e in enrolments
            if e.exit_date is not None
        ],
        batch_size=2000,
    )
    Referral.objects.bulk_create(
        [
            Referral(
                participant=p,
                agreement=agreement,
                date=today,
                referred_by="Handläggare",
                status=ReferralStatus.WAITING,
            )
            for p in participants[: n // 10]
        ],
        batch_size=2000,
    )
    print(f"seeded {n} participants in {time.perf_counter() - started:.1f} s")
    return agreement, user


def measure(label: str, fn, runs: int) -> None:
    times = []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(ctx.captured_queries)
    times.sort()
    p95 = times[max(int(len(times) * 0.95) - 1, 0)]
    print(
        f"{label:<34} p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  {queries} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    agreement, user = seed(args.participants)
    today = timezone.localdate()
    user.roles()
    caseload = Enrolment.objects.filter(agreement=agreement, exit_date__isnull=True)
    for source in (
        worklist_casework.plan_not_agreed,
        worklist_casework.follow_up_due,
        worklist_casework.referral_waiting,
    ):
        measure(source.__name__, lambda s=source: list(s(user, today, caseload)), args.runs)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    _pass_second_factor(client, user)
    url = reverse("participants:waiting_list", args=[agreement.pk])
    assert client.get(url).status_code == 200
    measure("GET waiting list", lambda: client.get(url), args.runs)


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
