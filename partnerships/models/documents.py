"""The document archive: files attached to an agreement, one of its amendments, a meeting
or an actual cost (the signed agreement, minutes, receipts).

A `Document` is the thing people talk about ("the signed agreement"); each upload is a
`DocumentFile`, numbered, so a new version keeps the old ones listed. A document is never
deleted: it is marked deleted with who, when and why, and its files stay in storage until
retention removes them (`purged_at`; the row, with its title and history, stays).
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, default_storage, storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .agreements import Agreement, AgreementVersion
from .budgets import ActualCost
from .meetings import Meeting
from .organisations import User


def document_storage() -> Storage:
    """The storage the archive writes to: STORAGES["documents"] when configured (an
    S3-compatible store in production), otherwise the default storage."""
    if "documents" in settings.STORAGES:
        return storages["documents"]
    return default_storage


def random_document_name(instance: DocumentFile, filename: str) -> str:
    """A stored name nobody can guess: the user's file name lives only in the database."""
    return f"documents/{secrets.token_urlsafe(24)}"


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


class DocumentQuerySet(models.QuerySet["Document"]):
    def past_retention(
        self,
        *,
        now: datetime.datetime,
        today: datetime.date,
        deleted_days: int,
        agreement_years: int,
    ) -> DocumentQuerySet:
        """Documents whose files are still stored although retention has come: deleted
        more than `deleted_days` ago, or of an agreement that ended (or was terminated)
        more than `agreement_years` before `today`. An active agreement past its end date
        counts as ended, as on its page."""
        cutoff = years_before(today, agreement_years)
        ended = Q(
            agreement__status__in=(Agreement.Status.ENDED, Agreement.Status.ACTIVE),
            agreement__end_date__lt=cutoff,
        ) | Q(agreement__status=Agreement.Status.TERMINATED) & (
            Q(agreement__terminated_on__lt=cutoff)
            | Q(agreement__terminated_on__isnull=True, agreement__end_date__lt=cutoff)
        )
        deleted = Q(deleted_at__lt=now - datetime.timedelta(days=deleted_days))
        return self.filter(deleted | ended, purged_at__isnull=True)


class Document(models.Model):
    """One archived document of an agreement, attached to the agreement itself or to one
    of its amendments, meetings or actual costs."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("överenskommelse"),
    )
    amendment = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("ändring"),
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("möte"),
    )
    actual_cost = models.ForeignKey(
        ActualCost,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("utfall"),
    )
    # A report of a higher app the document belongs to (hooks.report_targets), such as an
    # annual report's attachment; the document itself belongs to the agreement.
    report = models.CharField(_("rapport"), max_length=40, blank=True)
    title = models.CharField(_("titel"), max_length=200)
    personal = models.BooleanField(
        _("personuppgift"),
        default=False,
        help_text=_(
            "Hör till en deltagare (till exempel en inskannad samtyckesblankett): visas och "
            "hämtas bara genom deltagaren, och varje läsning loggas."
        ),
    )
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uppladdad av"),
    )
    created_at = models.DateTimeField(_("uppladdad"), default=timezone.now)
    deleted_at = models.DateTimeField(_("borttagen"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("borttagen av"),
    )
    deletion_reason = models.CharField(_("skäl till borttagning"), max_length=300, blank=True)
    # When retention removed the files from storage; the row stays for the history.
    purged_at = models.DateTimeField(_("gallrad"), null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "title", "pk"]
        verbose_name = _("dokument")
        verbose_name_plural = _("dokument")
        constraints = [
            models.CheckConstraint(
                # At most one of the three is set: two of them are always empty.
                condition=(
                    Q(amendment__isnull=True, meeting__isnull=True)
                    | Q(amendment__isnull=True, actual_cost__isnull=True)
                    | Q(meeting__isnull=True, actual_cost__isnull=True)
                ),
                name="document_attached_to_one_thing",
                violation_error_message=_(
                    "Ett dokument hör till överenskommelsen eller till en enda ändring, "
                    "ett möte eller ett utfall."
                ),
            ),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | ~Q(deletion_reason=""),
                name="document_deletion_explained",
                violation_error_message=_("Ange varför dokumentet tas bort."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        agreement_id = self.agreement_id
        amendment, meeting, cost = self.amendment, self.meeting, self.actual_cost
        if amendment is not None and amendment.agreement_id != agreement_id:
            errors["amendment"] = str(_("Ändringen hör till en annan överenskommelse."))
        if meeting is not None and meeting.agreement_id != agreement_id:
            errors["meeting"] = str(_("Mötet hör till en annan överenskommelse."))
        if cost is not None and cost.cost_line.budget.agreement_id != agreement_id:
            errors["actual_cost"] = str(_("Utfallet hör till en annan överenskommelse."))
        if errors:
            raise ValidationError(errors)

    @property
    def kind(self) -> str:
        """What the document is attached to: agreement, amendment, meeting or cost."""
        if self.amendment_id:
            return "amendment"
        if self.meeting_id:
            return "meeting"
        if self.actual_cost_id:
            return "cost"
        return "agreement"

    @property
    def attached_to(self) -> str:
        if self.amendment is not None:
            return str(_("Ändring %(label)s") % {"label": self.amendment.label})
        if self.meeting is not None:
            return str(_("Möte %(day)s") % {"day": self.meeting.date.isoformat()})
        if self.actual_cost_id:
            return str(_("Utfall %(cost)s") % {"cost": self.actual_cost})
        if self.report:
            return str(_("Bilaga till rapport: %(report)s") % {"report": self.report})
        return str(_("Överenskommelsen"))

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None


class DocumentFile(models.Model):
    """One uploaded version of a document. The stored name is random; the name the user
    gave the file is kept for the download."""

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="files", verbose_name=_("dokument")
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(
        _("fil"), storage=document_storage, upload_to=random_document_name, max_length=200
    )
    original_name = models.CharField(_("filnamn"), max_length=255)
    content_type = models.CharField(_("filtyp"), max_length=100)
    size = models.PositiveBigIntegerField(_("storlek (byte)"))
    sha256 = models.CharField(_("kontrollsumma"), max_length=64)
    uploaded_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uppladdad av"),
    )
    uploaded_at = models.DateTimeField(_("uppladdad"), default=timezone.now)

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("dokumentversion")
        verbose_name_plural = _("dokumentversioner")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"],
                name="document_file_number_unique",
                violation_error_message=_("Dokumentet har redan en version med det numret."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"
