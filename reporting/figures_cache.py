"""When cached dashboard figures and deadlines stop being true: one version per partnership.

The dashboards keep their figures in the shared cache (settings.CACHES, the database by
default) under a key that holds the version of every partnership they cover, and the
deadlines of a dashboard likewise. A write that changes what a partnership's pages show
gives that partnership a new version after its transaction commits, so the next look
counts afresh on every worker; nothing is deleted, the old entries simply expire.

The writes are found by signal: any save or delete of a model of partnerships,
participants or reporting that leads to an agreement (its own `agreement`, or through up
to two foreign keys: a cost line's budget, an action item's meeting). Models with no
way to one partnership (a participant's name or gender, an organisation) move the version
of every partnership at once. Writes that send no signal — `bulk_create`, `update()`, the
roll-up triggers — call `bump_agreements` themselves. The versions of one transaction are
moved once, at its commit.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

from iop.signals import rows_written
from partnerships.models import Agreement

ALL = "all"
PREFIX = "figures:version:"
# Written on every read or by the machinery, never what a page counts.
IGNORED = {
    "partnerships.AdministrationLogEntry",
    "partnerships.AgreementVersion",
    "partnerships.CalendarToken",
    "partnerships.Invitation",
    "partnerships.SentReminder",
    "partnerships.User",
    "partnerships.Document",
    "partnerships.DocumentFile",
    "participants.AccessLog",
    "participants.DuplicateSuspicion",
    "participants.ParticipantDocument",
    "reporting.RenderJob",
    "reporting.ContactDay",
    "reporting.AttendanceDay",
    "reporting.AssessmentSpan",
}
APPS = ("partnerships", "participants", "reporting")

# model -> (first field's attname, lookup from its related model to the agreement id)
_paths: dict[type[models.Model], tuple[str, type[models.Model] | None, str]] = {}


def _path_to_agreement(model: type[models.Model]) -> tuple[str, type[models.Model] | None, str]:
    """How to reach the agreement from a row: ("agreement_id", None, "") when it holds
    it, (attname, Related, "x__agreement_id") through foreign keys, or ("", None, "")."""
    if model is Agreement:
        return ("pk", None, "")
    fks = [f for f in model._meta.concrete_fields if f.many_to_one and f.related_model]
    for f in fks:
        if f.related_model is Agreement:
            return (f.attname, None, "")
    for depth in (1, 2):
        for f in fks:
            related: Any = f.related_model
            lookup = _lookup(related, depth)
            if lookup:
                return (f.attname, related, lookup)
    return ("", None, "")


def _lookup(model: type[models.Model], depth: int) -> str:
    for f in model._meta.concrete_fields:
        if not (f.many_to_one and f.related_model):
            continue
        if f.related_model is Agreement:
            return f"{f.name}_id"
        if depth > 1:
            deeper = _lookup(f.related_model, depth - 1)  # type: ignore[arg-type]
            if deeper:
                return f"{f.name}__{deeper}"
    return ""


def version_keys(agreement_ids: list[int]) -> list[str]:
    return [f"{PREFIX}{ALL}", *(f"{PREFIX}{pk}" for pk in sorted(set(agreement_ids)))]


def versions_token(agreement_ids: list[int]) -> str:
    """A short digest of the versions of these partnerships (one cache read)."""
    keys = version_keys(agreement_ids)
    found = cache.get_many(keys)
    joined = ",".join(f"{key}={found.get(key, 0)}" for key in keys)
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def bump_agreements(agreement_ids: list[int] | None) -> None:
    """Give these partnerships (None: every partnership) a new version at the commit."""
    _queue(*([ALL] if agreement_ids is None else agreement_ids))


# --------------------------------------------------------------------------- per transaction


class _Batch(set[Any]):
    done = False

    def flush(self) -> None:
        items = set(self)
        self.clear()
        self.done = True
        ids: set[Any] = set()
        for item in items:
            if isinstance(item, tuple):
                related, lookup, value = item
                found = related._default_manager.filter(pk=value).values_list(lookup, flat=True)
                ids.update(x for x in found if x is not None)
            else:
                ids.add(item)
        if ids:
            token = uuid.uuid4().hex[:12]
            cache.set_many({f"{PREFIX}{pk}": token for pk in ids}, None)


def _queue(*items: Any) -> None:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _Batch(items).flush()
        return
    for _sids, fn, _robust in connection.run_on_commit:
        batch = getattr(fn, "__self__", None)
        if isinstance(batch, _Batch) and not batch.done:
            batch.update(items)
            return
    batch = _Batch(items)
    transaction.on_commit(batch.flush, robust=True)


def flush_pending() -> None:
    """Move the versions queued in the open transaction now, as its commit would (tests:
    "the setup has committed")."""
    for _sids, fn, _robust in transaction.get_connection().run_on_commit:
        batch = getattr(fn, "__self__", None)
        if isinstance(batch, _Batch) and not batch.done:
            batch.flush()


def _written(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    attname, related, lookup = _paths[sender]
    if not attname:
        _queue(ALL)
        return
    value = getattr(instance, attname, None)
    if value is not None:
        _queue(value if related is None else (related, lookup, value))


def _bulk_written(sender: Any, agreement_ids: list[int] | None = None, **kwargs: Any) -> None:
    bump_agreements(agreement_ids)


def connect() -> None:
    """Called from ReportingConfig.ready()."""
    rows_written.connect(_bulk_written, dispatch_uid="figures-version-bulk")
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label in IGNORED:
                continue
            _paths[model] = _path_to_agreement(model)
            uid = f"figures-version-{model._meta.label}"
            post_save.connect(_written, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(_written, sender=model, dispatch_uid=f"{uid}-delete")
