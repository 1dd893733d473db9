"""Follow-up: meetings with attendees, decisions and action items; the calendar feed
token and the record of reminders sent. Deadlines are computed in deadlines.py."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .agreements import (
    Agreement,
    AgreementParty,
    AgreementVersion,
    add_months,
)
from .governance import BodyMember, GovernanceBody
from .organisations import Organisation, User

# 50 000 characters is some twenty pages of minutes; the PDF of 400 KB took 14 s to lay out.
MINUTES_MAX_LENGTH = 50_000


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of a calendar quarter (1–4)."""
    first = datetime.date(year, 3 * quarter - 2, 1)
    return first, add_months(first, 3) - datetime.timedelta(days=1)


def covered_quarters(agreement: Agreement, year: int) -> list[int]:
    """The quarters of `year` that overlap the agreement's period."""
    return [
        quarter
        for quarter in (1, 2, 3, 4)
        if quarter_bounds(year, quarter)[0] <= agreement.end_date
        and quarter_bounds(year, quarter)[1] >= agreement.start_date
    ]


def required_followups(agreement: Agreement, year: int, quarters: int | None = None) -> int:
    """Follow-up meetings required in `year` by the end of its `quarters`-th covered quarter.

    The yearly number is spread evenly over the quarters the agreement covers, rounded up
    (4 a year → one a quarter; 3 a year → 1, 2, 3, 3 by quarter end). A year the agreement
    only partly covers requires its share of the yearly number.
    """
    covered = len(covered_quarters(agreement, year))
    quarters = covered if quarters is None else min(quarters, covered)
    if quarters <= 0:
        return 0
    return -(-agreement.followups_per_year * quarters // 4)


@dataclass(frozen=True)
class FollowupSummary:
    """How an agreement stands against its required follow-up meetings in one year."""

    year: int
    held: int
    required: int
    planned: int
    # Quarters (number, first day, last day) that ended without a held follow-up meeting.
    missed_quarters: tuple[tuple[int, datetime.date, datetime.date], ...]

    @property
    def is_behind(self) -> bool:
        return bool(self.missed_quarters)


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> MeetingQuerySet:
        return self.filter(agreement__in=Agreement.objects.visible_to(user))

    def followups(self) -> MeetingQuerySet:
        return self.filter(kind=Meeting.Kind.FOLLOWUP)

    def followup_summary(
        self, agreement: Agreement, year: int | None = None, today: datetime.date | None = None
    ) -> FollowupSummary:
        """Follow-up meetings held against the number required, and quarters missed."""
        today = today or timezone.localdate()
        year = year or today.year
        dates = list(
            self.filter(agreement=agreement, date__year=year)
            .followups()
            .exclude(status=Meeting.Status.CANCELLED)
            .values_list("date", "status")
        )
        held = [day for day, status in dates if status == Meeting.Status.HELD]
        missed = []
        for quarter in covered_quarters(agreement, year):
            first, last = quarter_bounds(year, quarter)
            if last < today and not any(first <= day <= last for day in held):
                missed.append((quarter, max(first, agreement.start_date), last))
        return FollowupSummary(
            year=year,
            held=len(held),
            required=required_followups(agreement, year),
            planned=sum(1 for day, status in dates if status == Meeting.Status.PLANNED),
            missed_quarters=tuple(missed),
        )


class Meeting(models.Model):
    class Kind(models.TextChoices):
        FOLLOWUP = "followup", _("Uppföljningsmöte")
        STEERING = "steering", _("Styrgruppsmöte")
        COLLABORATION = "collaboration", _("Samverkansgruppsmöte")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planerat")
        HELD = "held", _("Genomfört")
        CANCELLED = "cancelled", _("Inställt")

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="meetings",
        verbose_name=_("överenskommelse"),
    )
    kind = models.CharField(_("typ av möte"), max_length=20, choices=Kind.choices)
    body = models.ForeignKey(
        GovernanceBody,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("organ"),
        help_text=_("Det organ som håller mötet; närvarande väljs bland dess ledamöter."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    date = models.DateField(_("datum"))
    start_time = models.TimeField(_("klockan"), null=True, blank=True)
    place = models.CharField(_("plats"), max_length=200, blank=True)
    convened_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="convened_meetings",
        verbose_name=_("sammankallande part"),
    )
    agenda = models.TextField(_("dagordning"), blank=True, help_text=_("En punkt per rad."))
    minutes = models.TextField(
        _("protokoll"),
        blank=True,
        # A validator rather than max_length: the browser would cut pasted text silently.
        validators=[
            MaxLengthValidator(
                MINUTES_MAX_LENGTH,
                message=_(
                    "Protokollet får vara högst %(limit_value)s tecken (nu %(show_value)s). "
                    "Lägg långa bilagor som egna dokument."
                ),
            )
        ],
    )
    # The minutes PDF as last rendered, and a fingerprint of what it showed
    # (partnerships.minutes.minutes_pdf): served as long as nothing in it has changed.
    minutes_pdf = models.BinaryField(_("protokoll som PDF"), null=True, editable=False)
    minutes_pdf_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerat av"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-start_time", "-pk"]
        verbose_name = _("möte")
        verbose_name_plural = _("möten")
        indexes = [models.Index(fields=["agreement", "kind", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("meeting_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, str | Promise] = {}
        if self.agreement_id and self.date:
            agreement = self.agreement
            if not agreement.start_date <= self.date <= agreement.end_date:
                errors["date"] = _(
                    "Mötet måste ligga inom överenskommelsens period %(start)s–%(end)s."
                ) % {
                    "start": agreement.start_date.isoformat(),
                    "end": agreement.end_date.isoformat(),
                }
        body = self.body if self.body_id else None
        if body is not None and self.agreement_id and body.agreement_id != self.agreement_id:
            errors["body"] = _("Organet hör till en annan överenskommelse.")
        if self.status == self.Status.HELD and self.date and self.date > timezone.localdate():
            errors["status"] = _("Ett möte som ligger i framtiden kan inte vara genomfört.")
        if (
            self.agreement_id
            and self.convened_by_id
            and not self.agreement.parties.filter(organisation_id=self.convened_by_id).exists()
        ):
            errors["convened_by"] = _(
                "Den sammankallande organisationen är inte part i överenskommelsen."
            )
        if errors:
            raise ValidationError(errors)

    def agenda_items(self) -> list[str]:
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]


class Attendee(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendees", verbose_name=_("möte")
    )
    name = models.CharField(_("namn"), max_length=200)
    title = models.CharField(_("befattning"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("part"),
    )
    # A member of the meeting's body (picked from the members); guests have none.
    member = models.ForeignKey(
        BodyMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendances",
        verbose_name=_("ledamot"),
    )
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("deltagare vid möte")
        verbose_name_plural = _("deltagare vid möte")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation_label})"

    @property
    def organisation_label(self) -> str:
        organisation = self.organisation if self.organisation_id else None
        return organisation.name if organisation is not None else self.organisation_name

    def clean(self) -> None:
        if not self.organisation_id and not self.member_id:
            raise ValidationError({"organisation": _("Ange vilken part deltagaren företräder.")})
        if (
            self.meeting_id
            and self.organisation_id
            and not AgreementParty.objects.filter(
                agreement_id=self.meeting.agreement_id, organisation_id=self.organisation_id
            ).exists()
        ):
            raise ValidationError(
                {"organisation": _("Organisationen är inte part i överenskommelsen.")}
            )


class Decision(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("möte")
    )
    text = models.TextField(_("beslut"))
    amendment = models.ForeignKey(
        AgreementVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("ledde till ändring"),
        help_text=_("Den version av överenskommelsen som beslutet ledde till, om någon."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self) -> None:
        amendment = self.amendment if self.meeting_id and self.amendment_id else None
        if amendment is not None and amendment.agreement_id != self.meeting.agreement_id:
            raise ValidationError({"amendment": _("Ändringen hör till en annan överenskommelse.")})


class ActionItemQuerySet(models.QuerySet):
    def open(self) -> ActionItemQuerySet:
        return self.filter(done_on__isnull=True)

    def visible_to(self, user: User) -> ActionItemQuerySet:
        return self.filter(meeting__agreement__in=Agreement.objects.visible_to(user))


class ActionItem(models.Model):
    """A task decided at a meeting, with an owner and a due date; ticked off later."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("möte")
    )
    description = models.CharField(_("åtgärd"), max_length=300)
    owner = models.CharField(
        _("ansvarig"),
        max_length=200,
        error_messages={"blank": _("Ange vem som ansvarar för åtgärden.")},
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ansvarig part"),
    )
    due_date = models.DateField(
        _("klart senast"), error_messages={"null": _("Ange när åtgärden ska vara klar.")}
    )
    done_on = models.DateField(_("klar"), null=True, blank=True)
    done_at_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="completed_items",
        verbose_name=_("avbockad vid möte"),
    )

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("åtgärd")
        verbose_name_plural = _("åtgärder")
        constraints = [
            models.CheckConstraint(
                condition=~Q(owner=""),
                name="action_item_has_owner",
                violation_error_message=_("Ange vem som ansvarar för åtgärden."),
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        if (
            self.meeting_id
            and self.owner_organisation_id
            and not AgreementParty.objects.filter(
                agreement_id=self.meeting.agreement_id, organisation_id=self.owner_organisation_id
            ).exists()
        ):
            raise ValidationError(
                {"owner_organisation": _("Organisationen är inte part i överenskommelsen.")}
            )

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return not self.is_done and self.due_date < (today or timezone.localdate())


class CalendarToken(models.Model):
    """A user's secret calendar-feed address. Revoking it makes the old address answer 404."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="calendar_tokens", verbose_name=_("användare")
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kalenderlänk")
        verbose_name_plural = _("kalenderlänkar")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_calendar_token_per_user",
                violation_error_message=_("Användaren har redan en aktiv kalenderlänk."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({'återkallad' if self.revoked_at else 'aktiv'})"


class SentReminder(models.Model):
    """One e-mail reminder sent to one user for one deadline on its due date.

    The due date is part of the key: when a deadline moves (an agreement is extended), the
    moved deadline is reminded of again.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    due_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("skickad påminnelse")
        verbose_name_plural = _("skickade påminnelser")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key", "due_date"],
                name="remind_once_per_deadline",
                violation_error_message=_("Påminnelsen om den här tidsfristen är redan skickad."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.key} {self.due_date.isoformat()}"
