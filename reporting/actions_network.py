"""The statistics network's verbs (see models_network.py).

Like reporting's other verbs, the trail is kept in the rows themselves: a form version
and a submission version are never changed once made (a reopening only records who, when
and why on the locked row), so every earlier state can be read back.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from iop.audit import AuditContext
from partnerships.models import User

from .models_network import (
    NetworkForm,
    NetworkMember,
    NetworkSubmission,
    count_errors,
    crosstab_errors,
)


@transaction.atomic
def save_form(
    *, form: NetworkForm, changes: dict[str, Any], user: User, audit: AuditContext
) -> NetworkForm:
    """Change a form. A draft is changed in place; an opened form is frozen, so the
    change makes a new version (a draft) and the old one stays as it was filled in."""
    NetworkForm.objects.select_for_update().filter(pk=form.pk).first()
    if form.pk is not None and form.status != NetworkForm.Status.DRAFT:
        last = NetworkForm.objects.filter(
            network=form.network, year=form.year, half=form.half
        ).aggregate(n=Max("version"))["n"]
        form = NetworkForm(
            network=form.network,
            year=form.year,
            half=form.half,
            version=(last or 0) + 1,
            dimensions=form.dimensions,
            crosstabs=form.crosstabs,
            allows_not_recorded=form.allows_not_recorded,
            due_on=form.due_on,
            closes_on=form.closes_on,
        )
    for name, value in changes.items():
        setattr(form, name, value)
    form.full_clean()
    form.save()
    return form


@transaction.atomic
def create_form(*, form: NetworkForm, user: User, audit: AuditContext) -> NetworkForm:
    """A new form for a period: the next version of that period's form, as a draft."""
    last = NetworkForm.objects.filter(
        network=form.network, year=form.year, half=form.half
    ).aggregate(n=Max("version"))["n"]
    form.version = (last or 0) + 1
    form.status = NetworkForm.Status.DRAFT
    form.full_clean()
    form.save()
    return form


@transaction.atomic
def open_form(*, form: NetworkForm, user: User, audit: AuditContext) -> NetworkForm:
    """Open a form version for reporting (freezing it); an earlier open version of the
    same period is replaced."""
    if form.status != NetworkForm.Status.DRAFT:
        raise ValidationError(_("Formuläret är redan öppnat."), code="opened")
    NetworkForm.objects.filter(
        network=form.network, year=form.year, half=form.half, status=NetworkForm.Status.OPEN
    ).update(status=NetworkForm.Status.REPLACED)
    form.status = NetworkForm.Status.OPEN
    form.save(update_fields=["status"])
    return form


def current_submission(form: NetworkForm, member: NetworkMember) -> NetworkSubmission | None:
    return NetworkSubmission.objects.filter(form=form, member=member).order_by("-version").first()


@transaction.atomic
def submit_counts(
    *,
    form: NetworkForm,
    member: NetworkMember,
    total_contacts: int,
    counts: dict[str, dict[str, int]],
    crosstab_counts: dict[str, dict[str, dict[str, int]]] | None = None,
    user: User,
    audit: AuditContext,
) -> NetworkSubmission:
    """A member's counts for an open form: refused after the period has closed, while an
    earlier submission is locked, or when the counts do not add up (a cross-tabulation's
    rows and columns to the dimensions' counts). Nothing is saved then."""
    NetworkMember.objects.select_for_update().filter(pk=member.pk).first()
    if member.network_id != form.network_id:
        raise ValidationError(_("Medlemmen hör till ett annat nätverk."), code="member")
    if form.status != NetworkForm.Status.OPEN:
        raise ValidationError(_("Formuläret är inte öppet för rapportering."), code="not_open")
    if form.is_closed():
        raise ValidationError(
            _("Perioden stängdes %s; inrapportering går inte längre.") % form.closes_on,
            code="closed",
        )
    last = current_submission(form, member)
    if last is not None and last.is_locked:
        raise ValidationError(
            _("Inrapporteringen är inlämnad och låst. Samordnaren kan öppna den igen."),
            code="locked",
        )
    errors = count_errors(form, total_contacts, counts)
    errors.update(crosstab_errors(form, counts, crosstab_counts or {}))
    if errors:
        raise ValidationError(errors)
    submission = NetworkSubmission(
        form=form,
        member=member,
        version=(last.version + 1) if last else 1,
        total_contacts=total_contacts,
        counts=counts,
        crosstab_counts=crosstab_counts or {},
        submitted_by=user,
    )
    submission.full_clean()
    submission.save()
    return submission


@transaction.atomic
def reopen_submission(
    *, submission: NetworkSubmission, reason: str, user: User, audit: AuditContext
) -> NetworkSubmission:
    """The coordinator reopens a locked submission, saying why; the member then submits
    a new version and this one stays as it was."""
    submission = NetworkSubmission.objects.select_for_update().get(pk=submission.pk)
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Ange skälet till att inrapporteringen öppnas igen.")}, code="reason"
        )
    if not submission.is_locked:
        raise ValidationError(_("Inrapporteringen är redan öppnad igen."), code="reopened")
    submission.reopened_reason = reason.strip()
    submission.reopened_by = user
    submission.reopened_at = timezone.now()
    submission.save(update_fields=["reopened_reason", "reopened_by", "reopened_at"])
    return submission


@transaction.atomic
def publish_report(*, form: NetworkForm, user: User, audit: AuditContext) -> NetworkForm:
    """Make the period's aggregate visible to the members."""
    if form.status != NetworkForm.Status.OPEN:
        raise ValidationError(_("Bara ett öppnat formulär har en rapport."), code="not_open")
    form.published_at = timezone.now()
    form.save(update_fields=["published_at"])
    return form
