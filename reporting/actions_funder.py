"""Verbs for the funders' comparison values (reporting.models_funder.ReferenceValue)."""

from __future__ import annotations

from django.db import transaction

from iop.audit import AuditContext
from partnerships.actions import record_version
from partnerships.models import User

from .models import ReferenceValue


@transaction.atomic
def add_reference_value(
    *, user: User, audit: AuditContext, reference: ReferenceValue
) -> ReferenceValue:
    """Save a comparison value (validated by ReferenceValueForm and the constraints)."""
    reference.full_clean()
    reference.save()
    record_version(
        agreement=reference.agreement,
        user=user,
        audit=audit,
        summary=f"Jämförelsevärde {reference}",
    )
    return reference


@transaction.atomic
def remove_reference_value(*, user: User, audit: AuditContext, reference: ReferenceValue) -> None:
    agreement = reference.agreement
    summary = f"Jämförelsevärde borttaget: {reference}"
    reference.delete()
    record_version(agreement=agreement, user=user, audit=audit, summary=summary)
