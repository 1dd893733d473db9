"""Who may see and do what with reports; every reporting view goes through these helpers.

Agreements the user's organisation is not party to answer 404 (partnerships.access);
a role lacking a function on a visible agreement answers 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from participants.access import require_participant_role, user_agreements
from partnerships.access import access_agreement_by_id, require_role
from partnerships.models import Agreement, Role, User

from .models import AnnualReport, FinalReport, InvoiceBasis, RenderJob

# Managers keep the report; finance, coordinators and managers follow drafts; the
# steering group reads what has been submitted.
CAN_EDIT_REPORT = (Role.MANAGER, Role.ADMIN)
CAN_SEE_DRAFT_REPORT = (Role.MANAGER, Role.ADMIN, Role.FINANCE, Role.COORDINATOR)
CAN_SEE_REPORTS = (*CAN_SEE_DRAFT_REPORT, Role.STEERING)
# Finance staff and managers issue, credit and re-issue invoice bases.
CAN_SEE_INVOICE_BASIS = (Role.FINANCE, Role.MANAGER, Role.ADMIN)


def access_agreement_for_reports(user: User, agreement_id: int) -> Agreement:
    agreement = access_agreement_by_id(user, agreement_id)
    require_role(user, CAN_SEE_REPORTS)
    return agreement


def access_annual_report(
    user: User, agreement: Agreement, year: int, version: int | None = None
) -> AnnualReport:
    """The requested version (default: the latest the user may read) of the year's report."""
    reports = AnnualReport.objects.for_year(agreement, year)
    draft = _report_version(user, reports, version)
    return draft or AnnualReport(agreement=agreement, year=year)


def access_final_report(
    user: User, agreement: Agreement, version: int | None = None
) -> FinalReport:
    """The requested version (default: the latest the user may read) of the final report."""
    draft = _report_version(user, FinalReport.objects.for_agreement(agreement), version)
    return draft or FinalReport(agreement=agreement)


def _report_version(user: User, reports: Any, version: int | None) -> Any:
    """The version of an annual or final report the user asks for and may read; None where
    there is no version yet and the user may start the draft. The steering group reads
    submitted versions only: a missing one is 404, no report at all 403."""
    reports = reports.select_related("agreement", "submitted_by")
    may_see_drafts = user.has_role(*CAN_SEE_DRAFT_REPORT)
    if not may_see_drafts:
        reports = reports.submitted()
    if version is not None:
        return get_object_or_404(reports, version=version)
    report = reports.first()
    if report is None and not may_see_drafts:
        raise PermissionDenied
    return report


def access_agreement_for_figure_participants(user: User, agreement_id: int) -> Agreement:
    """The agreement whose participants behind a report figure the user may list: only
    roles that work with participants (participants.access); for finance and the steering
    group the drill-down is a 404, like every participant URL."""
    require_participant_role(user)
    agreement = access_agreement_by_id(user, agreement_id)
    if not user_agreements(user).filter(pk=agreement.pk).exists():
        raise Http404
    return agreement


def access_invoice_agreement(user: User, agreement_id: int) -> Agreement:
    agreement = access_agreement_by_id(user, agreement_id)
    require_role(user, CAN_SEE_INVOICE_BASIS)
    return agreement


def access_invoice_basis_by_id(user: User, agreement_id: int, basis_id: int) -> InvoiceBasis:
    agreement = access_invoice_agreement(user, agreement_id)
    return get_object_or_404(
        InvoiceBasis.objects.select_related("agreement", "party__organisation", "created_by"),
        agreement=agreement,
        pk=basis_id,
    )


def access_render_job_by_id(user: User, job_id: int) -> RenderJob:
    job = get_object_or_404(RenderJob.objects.select_related("agreement", "report"), pk=job_id)
    # Jobs are personal: somebody else's render is as good as missing.
    if job.requested_by_id != user.pk:
        raise Http404
    access_agreement_for_reports(user, job.agreement_id)
    return job


def access_agreement_for_finsam_list(user: User, agreement_id: int) -> Agreement:
    """The Uppföljning Finsam list names participants: only staff who work with the
    agreement's participants; finance and the steering group get a 404."""
    return access_agreement_for_figure_participants(user, agreement_id)


def may_see_finsam_list(user: User, agreement: Agreement) -> bool:
    return user_agreements(user).filter(pk=agreement.pk).exists()


def access_agreement_for_reference_values(user: User, agreement_id: int) -> Agreement:
    """The partnership manager keeps the comparison values."""
    agreement = access_agreement_by_id(user, agreement_id)
    require_role(user, CAN_EDIT_REPORT)
    return agreement
