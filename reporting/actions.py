"""Reporting's verbs: every write that touches more than one row or freezes a version.

Each verb takes keyword arguments only, the acting user and the audit context (never the
request), and owns its transaction. Bad input (a year outside the agreement, no budget,
shares that do not add up, submitting twice, editing a submitted report) is refused with
a ValidationError whose Swedish message the view shows as it is; nothing is saved.

The readers the verbs share with the pages are in annual.py (the current report and its
figures), invoicing.py (invoice numbers) and figures/.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iop.audit import AuditContext
from partnerships.models import Agreement, AgreementParty, Organisation, User

from . import figures
from .annual import final_report_figures, final_submittable_from
from .documents import invoice_basis_pdf
from .invoicing import live_basis
from .models import (
    AnnualReport,
    FinalReport,
    FrozenReport,
    InvoiceBasis,
    InvoiceNumberSeries,
    RenderJob,
    final_period_end,
)
from .tasks import enqueue_render_job

# The audit context is part of every verb's signature so that callers pass it the same
# way in every app; reporting keeps its trail in the rows themselves (submitted_by,
# requested_by, created_by) and writes no separate log.

# --------------------------------------------------------------------------- annual report


def _refuse_if_submitted(report: FrozenReport) -> None:
    if not report.is_submitted:
        return
    if isinstance(report, AnnualReport):
        message = _(
            "Årsrapporten för %(year)s (version %(v)s) är inlämnad och kan inte ändras. "
            "Skapa en rättelse för att göra ändringar."
        ) % {"year": report.year, "v": report.version}
    else:
        message = _(
            "Slutrapporten (version %(v)s) är inlämnad och kan inte ändras. "
            "Skapa en rättelse för att göra ändringar."
        ) % {"v": report.version}
    raise ValidationError(message, code="submitted")


def _save_draft(report: FrozenReport, data: dict[str, Any]) -> FrozenReport:
    """Set the draft's narrative fields and manual outcomes from `data` and save it."""
    _refuse_if_submitted(report)
    for name in report.NARRATIVE_FIELDS:
        if name in data:
            setattr(report, name, data[name])
    if "manual_outcomes" in data:
        report.manual_outcomes = {
            key: str(value)
            for key, value in data["manual_outcomes"].items()
            if value not in (None, "")
        }
    report.full_clean()
    report.save()
    return report


def _freeze(report: FrozenReport, data: dict[str, Any], user: User) -> None:
    """Store the figures as they are now and mark the version submitted; the PDF follows
    from the frozen figures in the background, so it shows the report as submitted."""
    report.figures = figures.freeze(data)
    report.agreement_version_id = data["version_id"]
    report.status = FrozenReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = user
    report.save()
    _record_render_job(report=report, user=user)


def _correction_of(report: FrozenReport, latest: FrozenReport | None, reason: str) -> FrozenReport:
    """A new draft version of the submitted `report` (the latest), with its texts."""
    if not report.is_submitted or latest is None or latest.pk != report.pk:
        raise ValidationError(
            _("Det finns redan ett utkast till rättelse av rapporten."), code="draft_exists"
        )
    if not reason.strip():
        raise ValidationError(_("Ange varför rapporten rättas."), code="reason_missing")
    new = type(report)(  # type: ignore[misc]
        version=report.version + 1,
        previous=report,
        correction_reason=reason.strip(),
        manual_outcomes=report.manual_outcomes,
        **{name: getattr(report, name) for name in report.NARRATIVE_FIELDS},
    )
    return new


@transaction.atomic
def save_narrative(
    *, agreement: Agreement, year: int, data: dict[str, Any], user: User, audit: AuditContext
) -> AnnualReport:
    """Save the narrative parts and manually entered outcomes of the year's draft."""
    figures.check_year(agreement, year)
    Agreement.objects.select_for_update().filter(pk=agreement.pk).get()
    report = AnnualReport.objects.for_year(agreement, year).first()
    if report is None:
        report = AnnualReport(agreement=agreement, year=year)
    _save_draft(report, data)
    return report


@transaction.atomic
def submit_annual_report(
    *,
    agreement: Agreement,
    year: int,
    accept_warnings: bool = False,
    user: User,
    audit: AuditContext,
) -> AnnualReport:
    """Freeze the figures of the year's draft and mark it submitted; the PDF follows.

    Refuses a report already submitted, one with blocking problems (no budget, shares that
    do not add up), and, unless `accept_warnings`, one with data-quality warnings.
    """
    figures.check_year(agreement, year)
    _refuse_before_year_end(agreement, year)
    # Serialise submissions of the same agreement: two clicks must not both pass.
    Agreement.objects.select_for_update().filter(pk=agreement.pk).get()
    report = AnnualReport.objects.for_year(agreement, year).first()
    if report is None:
        report = AnnualReport.objects.create(agreement=agreement, year=year)
    if report.is_submitted:
        raise ValidationError(
            _("Årsrapporten för %(year)s är redan inlämnad (version %(v)s).")
            % {"year": year, "v": report.version},
            code="already_submitted",
        )
    data = figures.annual_report_figures(agreement, year, report.manual_outcomes)
    _refuse_if_not_ready(data["quality"], accept_warnings=accept_warnings)
    _freeze(report, data, user)
    return report


def _refuse_before_year_end(agreement: Agreement, year: int) -> None:
    first_day = figures.submittable_from(agreement, year)
    if timezone.localdate() < first_day:
        raise ValidationError(
            _(
                "Året %(year)s är inte slut än. Årsrapporten kan lämnas in från och med "
                "%(day)s, när årets siffror är kompletta. Fram till dess kan du spara utkastet."
            )
            % {"year": year, "day": first_day.isoformat()},
            code="year_not_ended",
        )


def _refuse_if_not_ready(
    quality: dict[str, Any], *, accept_warnings: bool, final: bool = False
) -> None:
    if quality["blocking"]:
        heading = (
            _("Slutrapporten kan inte lämnas in:")
            if final
            else _("Årsrapporten kan inte lämnas in:")
        )
        raise ValidationError([heading] + quality["blocking"], code="blocking")
    if quality["warnings"] and not accept_warnings:
        raise ValidationError(
            _(
                "Kvalitetskontrollen hittade %(n)s brister. Åtgärda dem eller bekräfta att "
                "rapporten ska lämnas in ändå."
            )
            % {"n": len(quality["warnings"])},
            code="warnings",
        )


@transaction.atomic
def start_correction(
    *, report: AnnualReport, reason: str, user: User, audit: AuditContext
) -> AnnualReport:
    """Open a new draft version of a submitted report; the submitted one stays as it was."""
    Agreement.objects.select_for_update().filter(pk=report.agreement_id).get()
    report = AnnualReport.objects.get(pk=report.pk)
    latest = AnnualReport.objects.for_year(report.agreement, report.year).first()
    new = _correction_of(report, latest, reason)
    assert isinstance(new, AnnualReport)
    new.agreement_id = report.agreement_id
    new.year = report.year
    new.save()
    return new


# --------------------------------------------------------------------------- final report


@transaction.atomic
def save_final_narrative(
    *, agreement: Agreement, data: dict[str, Any], user: User, audit: AuditContext
) -> FinalReport:
    """Save the narrative parts and the whole period's manual outcomes of the draft."""
    Agreement.objects.select_for_update().filter(pk=agreement.pk).get()
    report = FinalReport.objects.for_agreement(agreement).first()
    if report is None:
        report = FinalReport(agreement=agreement)
    _save_draft(report, data)
    return report


@transaction.atomic
def submit_final_report(
    *, agreement: Agreement, accept_warnings: bool = False, user: User, audit: AuditContext
) -> FinalReport:
    """Freeze the final report's figures over the whole period and mark it submitted.

    The same rules as the annual report: not before the period has ended, not twice, not
    with blocking problems (a year without budget, shares that do not add up), and not
    with data-quality warnings unless `accept_warnings`.
    """
    first_day = final_submittable_from(agreement)
    if timezone.localdate() < first_day:
        raise ValidationError(
            _(
                "Överenskommelsens period är inte slut än. Slutrapporten kan lämnas in från "
                "och med %(day)s. Fram till dess kan du spara utkastet."
            )
            % {"day": first_day.isoformat()},
            code="year_not_ended",
        )
    Agreement.objects.select_for_update().filter(pk=agreement.pk).get()
    report = FinalReport.objects.for_agreement(agreement).first()
    if report is None:
        report = FinalReport.objects.create(agreement=agreement)
    if report.is_submitted:
        raise ValidationError(
            _("Slutrapporten är redan inlämnad (version %(v)s).") % {"v": report.version},
            code="already_submitted",
        )
    data = final_report_figures(report)
    _refuse_if_not_ready(data["quality"], accept_warnings=accept_warnings, final=True)
    _freeze(report, data, user)
    return report


@transaction.atomic
def start_final_correction(
    *, report: FinalReport, reason: str, user: User, audit: AuditContext
) -> FinalReport:
    """Open a new draft version of the submitted final report; the submitted one stays."""
    Agreement.objects.select_for_update().filter(pk=report.agreement_id).get()
    report = FinalReport.objects.get(pk=report.pk)
    latest = FinalReport.objects.for_agreement(report.agreement).first()
    new = _correction_of(report, latest, reason)
    assert isinstance(new, FinalReport)
    new.agreement_id = report.agreement_id
    new.save()
    return new


@transaction.atomic
def request_report_pdf(*, report: FrozenReport, user: User, audit: AuditContext) -> RenderJob:
    """Record a render job for the report (draft or submitted) and queue it after commit."""
    return _record_render_job(report=report, user=user)


def _record_render_job(*, report: FrozenReport, user: User) -> RenderJob:
    # Keep one finished PDF per user and report: older renders are superseded.
    if isinstance(report, FinalReport):
        year = final_period_end(report.agreement).year
        mine = RenderJob.objects.filter(agreement_id=report.agreement_id, is_final=True)
        kind: dict[str, Any] = {"final_report": report if report.pk else None, "is_final": True}
    else:
        assert isinstance(report, AnnualReport)
        year = report.year
        mine = RenderJob.objects.filter(agreement_id=report.agreement_id, year=year, is_final=False)
        kind = {"report": report if report.pk else None}
    mine.filter(requested_by=user).exclude(status=RenderJob.Status.PENDING).delete()
    job = RenderJob.objects.create(
        agreement_id=report.agreement_id, year=year, requested_by=user, **kind
    )
    transaction.on_commit(lambda: enqueue_render_job(job.pk))
    return job


# --------------------------------------------------------------------------- invoice basis


class AlreadyIssued(ValidationError):
    """Issuing a basis for a seller, buyer and period that already has a live one: the
    caller shows `basis` instead of billing the party twice."""

    def __init__(self, basis: InvoiceBasis) -> None:
        super().__init__(
            _(
                "Fakturaunderlag %(n)s är redan utfärdat för %(period)s. Vill du ändra det, "
                "kreditera det först och utfärda sedan ett nytt."
            )
            % {"n": basis.number, "period": basis.figures.get("period_label", basis.year)},
            code="already_issued",
        )
        self.basis = basis


@transaction.atomic
def issue_invoice_basis(
    *,
    agreement: Agreement,
    year: int,
    party: AgreementParty | None = None,
    billing: figures.Billing | None = None,
    period_start: datetime.date | None = None,
    issued_on: datetime.date | None = None,
    user: User | None,
    audit: AuditContext,
) -> InvoiceBasis:
    """Number, date and freeze the invoice basis from a seller to a public party for one
    period (defaults: the agreement's first billing to `party`, the year's first period).

    Refuses, with a Swedish ValidationError and nothing saved, a year outside the
    agreement, a year without budget, shares that do not add up, a party without a share,
    a period with nothing to invoice, and (AlreadyIssued) a period already invoiced.
    `user` is None when a command or the demo data issues it.
    """
    # Serialise issues of the same agreement: two clicks must not both pass.
    Agreement.objects.select_for_update().filter(pk=agreement.pk).get()
    data = figures.freeze(
        figures.invoice_figures(agreement, year, party, billing=billing, period_start=period_start)
    )
    seller = AgreementParty.objects.select_related("organisation").get(pk=data["seller_party_id"])
    existing = live_basis(
        seller_id=seller.organisation_id,
        party_id=data["party_id"],
        start=data["period_start"],
        end=data["period_end"],
    )
    if existing is not None:
        raise AlreadyIssued(existing)
    amount = Decimal(str(data["amount"]))
    if amount <= 0:
        raise ValidationError(
            _(
                "Det finns inget att fakturera för %(period)s: beloppet blir 0 kr%(why)s. "
                "Inget underlag utfärdas."
            )
            % {"period": data["period_label"], "why": _nothing_reason(data)},
            code="nothing_to_invoice",
        )
    issued_on = issued_on or timezone.localdate()
    _refuse_before_period_end(agreement, data, issued_on)
    basis = InvoiceBasis(
        agreement=agreement,
        year=year,
        party_id=data["party_id"],
        seller=seller.organisation,
        pair_id=data["pair_id"],
        period_start=data["period_start"],
        period_end=data["period_end"],
        number=allocate_number(seller.organisation, InvoiceBasis.Kind.INVOICE),
        issued_on=issued_on,
        amount=amount,
        agreement_version_id=data["version_id"],
        figures=data,
        created_by=user,
    )
    basis.pdf = invoice_basis_pdf(data, number=basis.number, issued_on=issued_on)
    basis.save()
    return basis


def _refuse_before_period_end(
    agreement: Agreement, data: dict[str, Any], issued_on: datetime.date
) -> None:
    """An agreement invoiced in arrears is invoiced for a period once the period is over."""
    end = datetime.date.fromisoformat(data["period_end"])
    if not agreement.invoice_in_advance and issued_on <= end:
        raise ValidationError(
            _(
                "Överenskommelsen faktureras i efterskott: underlaget för %(period)s kan "
                "utfärdas tidigast %(day)s."
            )
            % {"period": data["period_label"], "day": end + datetime.timedelta(days=1)},
            code="in_arrears",
        )


def _nothing_reason(data: dict[str, Any]) -> str:
    if data["actual_share"] is not None and not data["vouchers"]:
        return _(" eftersom inga faktiska kostnader är bokförda för perioden")
    return ""


def allocate_number(seller: Organisation, kind: str) -> str:
    """The seller's next number of the kind, without gaps: the series row is locked until
    the issuing transaction ends, and rolled back with it if the issue fails."""
    InvoiceNumberSeries.objects.get_or_create(seller=seller, kind=kind)
    series = InvoiceNumberSeries.objects.select_for_update().get(seller=seller, kind=kind)
    series.last_number += 1
    series.save(update_fields=["last_number"])
    prefix = "KF" if kind == InvoiceBasis.Kind.CREDIT_NOTE else "FU"
    return f"{prefix}-{series.last_number:05d}"


@transaction.atomic
def credit_invoice_basis(
    *,
    basis: InvoiceBasis,
    reason: str,
    amount: Decimal | None = None,
    issued_on: datetime.date | None = None,
    user: User | None,
    audit: AuditContext,
) -> InvoiceBasis:
    """Issue a credit note (kreditnota) for `basis`: by default all that is left of it,
    which makes room for a new basis for the same period.

    Refuses a credit note without a reason, of a credit note, of 0 kr, or larger than what
    is left of the basis (Swedish message at the field; nothing saved).
    """
    original = InvoiceBasis.objects.select_for_update().select_related("seller").get(pk=basis.pk)
    if original.is_credit_note:
        raise ValidationError(_("En kreditnota kan inte krediteras."), code="credit_of_credit")
    if not reason.strip():
        raise ValidationError({"reason": _("Ange varför underlaget krediteras.")})
    left = original.amount - sum(
        (c.amount for c in original.credit_notes.all()), start=Decimal("0")
    )
    amount = left if amount is None else amount
    if amount <= 0:
        raise ValidationError({"amount": _("Kreditnotans belopp ska vara större än 0 kr.")})
    issued_on = issued_on or timezone.localdate()
    data = dict(original.figures)
    data["lines"] = [dict(line) for line in original.figures["lines"]]
    if amount != original.amount:
        # A part of the basis is credited over its cost lines; only a credit of the whole
        # basis repeats its lines as they were, index adjustments included.
        shares = [Decimal(str(line["party_share"])) for line in data["lines"]]
        for line, part in zip(data["lines"], figures.allocate(amount, shares), strict=True):
            line["party_share"] = str(part)
        data["index_adjustments"] = []
    data.update(
        {
            "amount": str(amount),
            "credit_of": {"number": original.number, "issued_on": original.issued_on.isoformat()},
            "credit_reason": reason.strip(),
        }
    )
    credit = InvoiceBasis(
        agreement_id=original.agreement_id,
        year=original.year,
        kind=InvoiceBasis.Kind.CREDIT_NOTE,
        party_id=original.party_id,
        seller=original.seller,
        pair_id=original.pair_id,
        period_start=original.period_start,
        period_end=original.period_end,
        original=original,
        number="",
        issued_on=issued_on,
        amount=amount,
        reason=reason.strip(),
        agreement_version_id=original.agreement_version_id,
        figures=data,
        created_by=user,
    )
    credit.full_clean(exclude=["number", "figures", "pdf"], validate_constraints=False)
    credit.number = allocate_number(original.seller, InvoiceBasis.Kind.CREDIT_NOTE)
    credit.pdf = invoice_basis_pdf(data, number=credit.number, issued_on=issued_on)
    credit.save()
    if amount == left:
        original.credited = True
        original.save(update_fields=["credited"])
    return credit


@transaction.atomic
def latest_or_issue(
    *,
    agreement: Agreement,
    year: int,
    billing: figures.Billing | None = None,
    user: User | None = None,
    audit: AuditContext,
) -> tuple[InvoiceBasis, bool]:
    """The live basis for the year's first period, or a newly issued one (for the command)."""
    try:
        basis = issue_invoice_basis(
            agreement=agreement, year=year, billing=billing, user=user, audit=audit
        )
        return basis, True
    except AlreadyIssued as exc:
        return exc.basis, False
