"""/health/ for the load balancer and the monitoring: is this app server fit to serve?

No sign-in, no session, no personal data, not throttled: the answer names only the checks
and their verdicts. The database and the cache are needed to serve a page; when either
fails the answer is 503 and the load balancer takes the server out. The replica and the
background worker are reported too, but only `?full=1` (for the monitoring) fails on them:
the router reads from the primary when the replica lags or is down, and a stopped worker
delays PDFs and large imports without stopping any page, so neither should take every
app server out of the balancer at once.

The worker's heartbeat is its queue: a task ready to run that has waited longer than
IOP_HEALTH_WORKER_MAX_WAIT_SECONDS means no worker is taking tasks.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connections
from django.db.models import Case, F, When
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .db_router import replica_configured, replica_lag

OK = "ok"


def check_database() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def check_cache() -> str:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", 30)
    found = cache.get(key)
    cache.delete(key)
    if found != "1":
        raise RuntimeError("the cache did not keep a value")
    return OK


def check_replica() -> str:
    if not replica_configured():
        return "not configured"
    lag = replica_lag(fresh=True)
    if lag is None:
        raise RuntimeError("unreachable")
    if lag > settings.IOP_REPLICA_MAX_LAG_SECONDS:
        raise RuntimeError(f"{lag:.1f} s behind")
    return OK


def check_worker() -> str:
    from django_tasks_db.models import DBTaskResult, get_date_max

    oldest = (
        DBTaskResult.objects.ready()
        .annotate(
            waiting_since=Case(
                When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after")
            )
        )
        .order_by("waiting_since")
        .values_list("waiting_since", flat=True)
        .first()
    )
    if oldest is None:
        return OK
    waited = (timezone.now() - oldest).total_seconds()
    if waited > settings.IOP_HEALTH_WORKER_MAX_WAIT_SECONDS:
        raise RuntimeError(f"a task has waited {waited:.0f} s")
    return OK


CRITICAL: dict[str, Callable[[], str]] = {"database": check_database, "cache": check_cache}
REPORTED: dict[str, Callable[[], str]] = {"replica": check_replica, "worker": check_worker}


def run_checks(*, full: bool) -> tuple[bool, dict[str, str]]:
    healthy = True
    verdicts: dict[str, str] = {}
    for checks, counts in ((CRITICAL, True), (REPORTED, full)):
        for name, check in checks.items():
            try:
                verdicts[name] = check()
            except Exception as error:  # the verdict, never the message of a driver
                verdicts[name] = f"fail: {error}" if isinstance(error, RuntimeError) else "fail"
                healthy = healthy and not counts
    return healthy, verdicts


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    healthy, verdicts = run_checks(full=request.GET.get("full") == "1")
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": verdicts},
        status=200 if healthy else 503,
    )
