"""Reads of reports, dashboards and exports from a PostgreSQL read replica.

A router sees only models, not the request, so the request decides: `ReplicaMiddleware`
marks a GET of one of settings.IOP_REPLICA_VIEW_NAMES as "may read from the replica"
(a context variable), unless the user wrote something in the last
IOP_REPLICA_STICKY_SECONDS (a signed cookie set on every POST, PUT, PATCH or DELETE), so
that nobody misses what they just saved. `ReplicaRouter` then sends that request's reads
to the `replica` database when one is configured (DATABASE_REPLICA_URL) and is healthy:
reachable and at most IOP_REPLICA_MAX_LAG_SECONDS behind (`replica_lag`, checked at most
every few seconds per process). Otherwise, and for every write, the primary.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connections
from django.http import HttpRequest, HttpResponse

log = logging.getLogger(__name__)

REPLICA = "replica"
COOKIE = "iop_wrote"
# How long a verdict on the replica's health is kept in this process.
CHECK_SECONDS = 5.0

# Always from the primary: the shared cache (its versions must be current), sessions and
# sign-in state (a session made a moment ago may not have reached the replica).
PRIMARY_ONLY = {"django_cache", "sessions", "iop", "axes", "otp_totp", "otp_static"}

_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "iop_replica_reads", default=False
)
# (checked at, lag in seconds or None when unreachable)
_last_check: dict[str, tuple[float, float | None]] = {}


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_lag(*, fresh: bool = False) -> float | None:
    """How far behind the replica is, in seconds (0 when it has replayed everything it
    received), or None when it is absent or cannot be reached. Kept CHECK_SECONDS."""
    if not replica_configured():
        return None
    now = time.monotonic()
    checked = _last_check.get(REPLICA)
    if checked is not None and not fresh and now - checked[0] < CHECK_SECONDS:
        return checked[1]
    lag: float | None
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
            )
            row = cursor.fetchone()
        lag = float(row[0]) if row and row[0] is not None else 0.0
    except Exception as error:  # down, refused, not PostgreSQL, or not allowed in a test
        log.warning("replica unavailable: %s", type(error).__name__)
        with contextlib.suppress(Exception):
            connections[REPLICA].close()
        lag = None
    _last_check[REPLICA] = (now, lag)
    return lag


def replica_usable() -> bool:
    lag = replica_lag()
    return lag is not None and lag <= settings.IOP_REPLICA_MAX_LAG_SECONDS


def forget_replica_health() -> None:
    """The next read asks the replica again (tests; after a fail-over)."""
    _last_check.clear()


@contextlib.contextmanager
def replica_reads(allowed: bool = True) -> Iterator[None]:
    """Within the block, reads may go to the replica (the middleware does this per page;
    a management command or a benchmark may use it directly)."""
    token = _replica_reads.set(allowed)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """Reads to the replica where the request allows it and the replica is healthy."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if (
            _replica_reads.get()
            and model._meta.app_label not in PRIMARY_ONLY  # type: ignore[attr-defined]
            and replica_usable()
        ):
            return REPLICA
        return None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica is a copy of the primary: objects from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA


def cookie_name() -> str:
    """Like the session and CSRF cookies: "__Host-" (HTTPS, this host, path /) in production."""
    return COOKIE if settings.DEBUG else f"__Host-{COOKIE}"


def recently_wrote(request: HttpRequest) -> bool:
    seconds = settings.IOP_REPLICA_STICKY_SECONDS
    try:
        request.get_signed_cookie(cookie_name(), salt=COOKIE, max_age=seconds)
    except (KeyError, signing.BadSignature):
        return False
    return True


class ReplicaMiddleware:
    """Decides per request whether its reads may go to the replica (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _replica_reads.set(False)
        response = self.get_response(request)
        if response.streaming:
            # A streamed export reads while it is sent: until the server closes it.
            response._resource_closers.append(  # type: ignore[attr-defined]
                lambda: _replica_reads.set(False)
            )
        else:
            _replica_reads.set(False)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            response.set_signed_cookie(
                cookie_name(),
                "1",
                salt=COOKIE,
                max_age=settings.IOP_REPLICA_STICKY_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=not settings.DEBUG,
            )
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        match = request.resolver_match
        if (
            replica_configured()
            and request.method in ("GET", "HEAD")
            and match is not None
            and match.view_name in settings.IOP_REPLICA_VIEW_NAMES
            and not recently_wrote(request)
        ):
            _replica_reads.set(True)
