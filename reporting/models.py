"""Annual reports, invoice bases and background PDF renders.

The figures themselves are not stored here while a report is a draft: they are computed
by reporting.figures each time. Submitting a report (or issuing an invoice basis) freezes
them as JSON together with the PDF, so that the document can be read exactly as it was
sent, whatever happens to the underlying data afterwards.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iop.money import format_sek
from partnerships.models import (
    Agreement,
    AgreementParty,
    AgreementVersion,
    InvoicingPair,
    MoneyField,
    Organisation,
    User,
    add_months,
)


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SUBMITTED = "submitted", _("Inlämnad")


class FrozenReport(models.Model):
    """What the annual and the final report share: numbered versions, a draft that is
    worked on and a submitted version whose figures and PDF are frozen; a correction is a
    new draft version pointing at the submitted one it corrects."""

    Status = ReportStatus

    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # Outcomes of indicators the system cannot measure itself: {indicator_id: "12"}.
    manual_outcomes = models.JSONField(_("manuellt ifyllda utfall"), default=dict, blank=True)
    correction_reason = models.TextField(_("skäl till rättelse"), blank=True)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        verbose_name=_("rättar version"),
    )
    agreement_version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beräknad från version"),
    )
    figures = models.JSONField(_("frysta siffror"), null=True, blank=True, editable=False)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("inlämnad"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inlämnad av"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The narrative fields a correction copies into its new draft.
    NARRATIVE_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @property
    def is_submitted(self) -> bool:
        return self.status == ReportStatus.SUBMITTED

    @property
    def narratives_complete(self) -> bool:
        """Every narrative part is written; the confirmation warns before submitting without."""
        return all(getattr(self, name) for name in self.NARRATIVE_FIELDS)

    @property
    def due_date(self) -> datetime.date:
        raise NotImplementedError

    def is_late(self, today: datetime.date | None = None) -> bool:
        """Late when submitted after the due date, or still not submitted once it passed."""
        # A correction is judged by when the report was first submitted. A previous
        # version that could not be loaded (select_related gives None for a key it cannot
        # join) leaves the correction to be judged by its own dates.
        previous = self.previous if self.previous_id is not None else None  # type: ignore[attr-defined]
        if previous is not None:
            return previous.is_late(today)
        if self.submitted_at is not None:
            return timezone.localdate(self.submitted_at) > self.due_date
        return (today or timezone.localdate()) > self.due_date


class AnnualReportQuerySet(models.QuerySet):
    def for_year(self, agreement: Agreement, year: int) -> AnnualReportQuerySet:
        return self.filter(agreement=agreement, year=year).order_by("-version")

    def submitted(self) -> AnnualReportQuerySet:
        return self.filter(status=ReportStatus.SUBMITTED)


class AnnualReport(FrozenReport):
    """One version of the annual report (årsrapport) of an agreement for a year."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="annual_reports",
        verbose_name=_("överenskommelse"),
    )
    year = models.PositiveSmallIntegerField(_("år"))
    activities = models.TextField(_("verksamheten under året"), blank=True)
    went_well = models.TextField(_("vad som gick bra"), blank=True)
    went_badly = models.TextField(_("vad som inte gick som planerat"), blank=True)

    NARRATIVE_FIELDS = ("activities", "went_well", "went_badly")

    objects = AnnualReportQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "year", "version"]
        verbose_name = _("årsrapport")
        verbose_name_plural = _("årsrapporter")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "year", "version"],
                name="annual_report_version_unique",
                violation_error_message=_("Versionen av årsrapporten finns redan."),
            ),
            # Only one version can be worked on at a time.
            models.UniqueConstraint(
                fields=["agreement", "year"],
                condition=Q(status="draft"),
                name="one_draft_annual_report_per_year",
                violation_error_message=_("Det finns redan ett utkast till årsrapporten."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False, figures__isnull=False),
                name="submitted_report_is_frozen",
                violation_error_message=_(
                    "En inlämnad årsrapport måste ha inlämningstid och frysta siffror."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.year} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:annual_report", args=[self.agreement_id, self.year]) + (
            f"?version={self.version}"
        )

    @property
    def due_date(self) -> datetime.date:
        return self.agreement.report_due_date(self.year)


class FinalReportQuerySet(models.QuerySet):
    def for_agreement(self, agreement: Agreement) -> FinalReportQuerySet:
        return self.filter(agreement=agreement).order_by("-version")

    def submitted(self) -> FinalReportQuerySet:
        return self.filter(status=ReportStatus.SUBMITTED)


class FinalReport(FrozenReport):
    """One version of the final report (slutrapport) over an agreement's whole period."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="final_reports",
        verbose_name=_("överenskommelse"),
    )
    activities = models.TextField(_("genomförandet under perioden"), blank=True)
    lessons = models.TextField(_("lärdomar"), blank=True)
    continuation = models.TextField(_("fortsättning och spridning"), blank=True)

    NARRATIVE_FIELDS = ("activities", "lessons", "continuation")

    objects = FinalReportQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "version"]
        verbose_name = _("slutrapport")
        verbose_name_plural = _("slutrapporter")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "version"],
                name="final_report_version_unique",
                violation_error_message=_("Versionen av slutrapporten finns redan."),
            ),
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(status="draft"),
                name="one_draft_final_report",
                violation_error_message=_("Det finns redan ett utkast till slutrapporten."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False, figures__isnull=False),
                name="submitted_final_report_is_frozen",
                violation_error_message=_(
                    "En inlämnad slutrapport måste ha inlämningstid och frysta siffror."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} slutrapport v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:final_report", args=[self.agreement_id]) + (
            f"?version={self.version}"
        )

    @property
    def due_date(self) -> datetime.date:
        return final_report_due_date(self.agreement)


def final_period_end(agreement: Agreement) -> datetime.date:
    """The last day the final report covers: the end date, or the day a terminated
    agreement ended if that came first."""
    end = agreement.end_date
    if agreement.status == Agreement.Status.TERMINATED and agreement.terminated_on:
        end = min(end, agreement.terminated_on)
    return end


def final_report_due_date(agreement: Agreement) -> datetime.date:
    """The final report is due IOP_FINAL_REPORT_MONTHS (default 3) after the period ends."""
    return add_months(final_period_end(agreement), settings.IOP_FINAL_REPORT_MONTHS)


class InvoiceBasis(models.Model):
    """An issued invoice basis (fakturaunderlag) from one seller to one public party for
    one period, or a credit note (kreditnota) that cancels all or part of one.

    One live basis per seller, buyer and period (a database constraint): a basis that has
    been credited in full is no longer live, and a new one may be issued in its place.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Fakturaunderlag")
        CREDIT_NOTE = "credit_note", _("Kreditnota")

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="invoice_bases",
        verbose_name=_("överenskommelse"),
    )
    year = models.PositiveSmallIntegerField(_("år"))
    kind = models.CharField(_("slag"), max_length=20, choices=Kind.choices, default=Kind.INVOICE)
    party = models.ForeignKey(
        AgreementParty,
        on_delete=models.PROTECT,
        related_name="invoice_bases",
        verbose_name=_("mottagare"),
    )
    seller = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("säljare"),
    )
    pair = models.ForeignKey(
        InvoicingPair,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice_bases",
        verbose_name=_("faktureringspar"),
    )
    period_start = models.DateField(_("period från"))
    period_end = models.DateField(_("period till"))
    number = models.CharField(_("nummer"), max_length=60)
    issued_on = models.DateField(_("datum"))
    amount = MoneyField(_("att fakturera"))
    original = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("krediterar"),
    )
    credited = models.BooleanField(_("krediterat i sin helhet"), default=False)
    reason = models.TextField(_("skäl"), blank=True)
    agreement_version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beräknad från version"),
    )
    figures = models.JSONField(_("frysta siffror"), editable=False)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utfärdat av"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement", "period_start", "created_at"]
        verbose_name = _("fakturaunderlag")
        verbose_name_plural = _("fakturaunderlag")
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "party", "period_start", "period_end"],
                condition=Q(kind="invoice", credited=False),
                name="one_live_invoice_basis_per_pair_and_period",
                violation_error_message=_(
                    "Det finns redan ett utfärdat fakturaunderlag för parten och perioden."
                ),
            ),
            models.UniqueConstraint(
                fields=["seller", "kind", "number"],
                name="invoice_number_once_per_seller",
                violation_error_message=_("Numret är redan använt."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="invoice_basis_period_order",
                violation_error_message=_("Perioden slutar före den börjar."),
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", original__isnull=True)
                | Q(kind="credit_note", original__isnull=False),
                name="credit_note_has_original",
                violation_error_message=_("En kreditnota ska hänvisa till sitt fakturaunderlag."),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("reporting:invoice_basis_issued", args=[self.agreement_id, self.pk])

    def clean(self) -> None:
        original = self.original if self.original_id else None
        if original is None or self.amount is None:
            return
        already = sum(
            (c.amount for c in original.credit_notes.exclude(pk=self.pk)), start=Decimal("0")
        )
        if self.amount > original.amount - already:
            raise ValidationError(
                {
                    "amount": _(
                        "Kreditnotan kan högst vara %(left)s, det som återstår av %(number)s."
                    )
                    % {"left": format_sek(original.amount - already), "number": original.number}
                }
            )

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE


class InvoiceNumberSeries(models.Model):
    """The last number a seller has used for a kind of document: numbers run per seller
    without gaps, taken under a row lock in the verb that issues the document."""

    seller = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("säljare")
    )
    kind = models.CharField(_("slag"), max_length=20, choices=InvoiceBasis.Kind.choices)
    last_number = models.PositiveIntegerField(_("senaste nummer"), default=0)

    class Meta:
        verbose_name = _("nummerserie")
        verbose_name_plural = _("nummerserier")
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "kind"],
                name="one_number_series_per_kind",
                violation_error_message=_(
                    "Säljaren har redan en nummerserie för den dokumenttypen."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.seller} {self.kind} {self.last_number}"


class RenderJob(models.Model):
    """A PDF rendered in the background, so that no web worker waits for it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("I kö")
        READY = "ready", _("Klar")
        FAILED = "failed", _("Misslyckades")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="+", verbose_name=_("överenskommelse")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    report = models.ForeignKey(
        AnnualReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="render_jobs",
        verbose_name=_("årsrapport"),
    )
    final_report = models.ForeignKey(
        FinalReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="render_jobs",
        verbose_name=_("slutrapport"),
    )
    # A final report's draft may not be saved yet, so the kind is kept apart from the key.
    is_final = models.BooleanField(_("slutrapport"), default=False)
    requested_by = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("beställd av")
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    task_id = models.CharField(max_length=64, blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("PDF-beställning")
        verbose_name_plural = _("PDF-beställningar")

    def __str__(self) -> str:
        return f"{self.agreement} {self.year}: {self.get_status_display()}"


# --------------------------------------------------------------------------- activity rollup


class ContactDay(models.Model):
    """Registered contacts per agreement, day and the participant's gender.

    Written only by database triggers (see reporting/rollup.py), read by the dashboards.
    """

    # The unique key starts with the agreement, so it serves as its index too.
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    gender = models.CharField(max_length=10)
    total = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "day", "gender"],
                name="contactday_key",
                violation_error_message=_("Dagen är redan summerad för könet."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.day} {self.gender}: {self.total}"


class AttendanceDay(models.Model):
    """Attendance rows per agreement, day, status and the participant's gender.

    Written only by database triggers (see reporting/rollup.py), read by the dashboards.
    """

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    status = models.CharField(max_length=10)
    gender = models.CharField(max_length=10)
    total = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "day", "status", "gender"],
                name="attendanceday_key",
                violation_error_message=_("Dagen är redan summerad för närvarostatus och kön."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.day} {self.status} {self.gender}: {self.total}"


class AssessmentSpan(models.Model):
    """A step assessment with its enrolment's first step and the date of the enrolment's
    next assessment: from `date` up to `next_date` it is the enrolment's latest step.

    Written only by database triggers (see reporting/rollup.py), read by the step figures.
    """

    assessment_id = models.BigIntegerField(primary_key=True)
    enrolment = models.ForeignKey(
        "participants.Enrolment", on_delete=models.DO_NOTHING, related_name="step_spans"
    )
    date = models.DateField()
    step = models.SmallIntegerField()
    first_step = models.SmallIntegerField()
    next_date = models.DateField(null=True)
    # The same enrolment's narrow row (no column of its own): the step figures join the
    # spans to EnrolmentRow instead of to the enrolments and their participants.
    row = models.ForeignObject(
        "EnrolmentRow",
        on_delete=models.DO_NOTHING,
        from_fields=["enrolment"],
        to_fields=["enrolment"],
        related_name="step_spans",
        null=True,
    )

    class Meta:
        # The spans that cross a day (dated on or before it, the next one after it): the
        # step figures of a period that ends before an enrolment's latest assessment.
        indexes = [models.Index(fields=["next_date"], name="assessmentspan_next")]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.date}–{self.next_date or ''}: {self.step}"


class EnrolmentRow(models.Model):
    """An enrolment narrowed to what the participant figures count: its partnership, the
    participant and their gender, start and exit with outcome and income.

    Written only by database triggers (see reporting/rollup.py), read by the participant
    figures instead of joining every enrolment of the period to its participant.
    """

    enrolment = models.OneToOneField(
        "participants.Enrolment",
        on_delete=models.DO_NOTHING,
        primary_key=True,
        related_name="+",
        db_constraint=False,
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    gender = models.CharField(max_length=10)
    start_date = models.DateField()
    exit_date = models.DateField(null=True)
    exit_outcome = models.CharField(max_length=20, blank=True)
    income_at_start = models.CharField(max_length=20)
    income_at_exit = models.CharField(max_length=20, blank=True)
    # From the enrolment's latest step span (none: not assessed): its first step, and its
    # latest step and that assessment's date.
    first_assessed_step = models.SmallIntegerField(null=True)
    latest_step = models.SmallIntegerField(null=True)
    latest_date = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["agreement", "start_date"], name="enrolmentrow_start"),
            models.Index(fields=["agreement", "exit_date"], name="enrolmentrow_exit"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.start_date}–{self.exit_date or ''}"


# The statistics network's models live in their own module; imported here so that Django
# finds them and `from reporting.models import Network` works.
# The funders' comparison populations (issue 15).
from .models_funder import ReferenceValue  # noqa: E402
from .models_network import (  # noqa: E402
    Network,
    NetworkForm,
    NetworkMember,
    NetworkRole,
    NetworkSubmission,
)

__all__ = [
    "AnnualReport",
    "FinalReport",
    "FrozenReport",
    "ReportStatus",
    "AssessmentSpan",
    "AttendanceDay",
    "ContactDay",
    "InvoiceBasis",
    "InvoiceNumberSeries",
    "Network",
    "NetworkForm",
    "NetworkMember",
    "NetworkRole",
    "NetworkSubmission",
    "ReferenceValue",
    "RenderJob",
]
