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
    # Consent decides who sees identities, never what is counted (statistics count all).
    "participants.Consent",
    "participants.DuplicateSuspicion",
    "participants.ParticipantDocument",
    "reporting.RenderJob",
    "reporting.ContactDay",
    "reporting.AttendanceDay",
    "reporting.AssessmentSpan",
}
APPS = ("partnerships", "participants", "reporting")

# model -> (the row's attribute, the model to ask, the field to filter it by, the lookup
# from there to the agreement id); ("", None, "", "") when nothing leads to one partnership.
Path = tuple[str, type[models.Model] | None, str, str]
_paths: dict[type[models.Model], Path] = {}
NOWHERE: Path = ("", None, "", "")
# Where a row belongs to several partnerships (a participant, an organisation), the
# partnerships are those of these rows that point at it.
PREFERRED_REVERSE = ("Enrolment", "AgreementParty")


def _relations(model: type[models.Model]) -> list[Any]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model
    ]


def _path_to_agreement(model: type[models.Model]) -> Path:
    """How to reach the agreements of a row: itself, its own `agreement`, through up to
    two foreign keys (a cost line's budget), or the rows that point at it (a participant's
    enrolments, an organisation's parties)."""
    if model is Agreement:
        return ("pk", None, "", "")
    fks = _relations(model)
    for f in fks:
        if f.related_model is Agreement:
            return (f.attname, None, "", "")
    for depth in (1, 2):
        for f in fks:
            related: Any = f.related_model
            lookup = _lookup(related, depth)
            if lookup:
                return (f.attname, related, "pk", lookup)
    return _reverse_path(model)


def _reverse_path(model: type[models.Model]) -> Path:
    found: list[Path] = []
    for label in APPS:
        for other in apps.get_app_config(label).get_models():
            own = [f for f in _relations(other) if f.related_model is Agreement]
            back = [f for f in _relations(other) if f.related_model is model]
            if own and back:
                path: Path = ("pk", other, back[0].attname, own[0].attname)
                if other.__name__ in PREFERRED_REVERSE:
                    return path
                found.append(path)
    return found[0] if found else NOWHERE


def _lookup(model: type[models.Model], depth: int) -> str:
    for f in _relations(model):
        if f.related_model is Agreement:
            return f"{f.name}_id"
        if depth > 1:
            deeper = _lookup(f.related_model, depth - 1)
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
                related, by, lookup, value = item
                rows = related._default_manager.filter(**{by: value})
                ids.update(x for x in rows.values_list(lookup, flat=True) if x is not None)
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
    attname, related, by, lookup = _paths[sender]
    if not attname:
        _queue(ALL)
        return
    value = getattr(instance, attname, None)
    if value is not None:
        _queue(value if related is None else (related, by, lookup, value))


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
