"""Meeting workflows: record a meeting with its rows, tick off action items, print minutes."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.forms import BaseInlineFormSet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .forms_followup import MeetingForm
from .models import ActionItem, Attendee, Decision, Meeting, User


@transaction.atomic
def save_meeting(
    *,
    form: MeetingForm,
    attendees: BaseInlineFormSet[Any, Meeting, Any],
    decisions: BaseInlineFormSet[Any, Meeting, Any],
    action_items: BaseInlineFormSet[Any, Meeting, Any],
    user: User,
) -> Meeting:
    """Save a validated meeting form and its three row formsets together, or nothing."""
    meeting = form.save(commit=False)
    if meeting.pk is None:
        meeting.created_by = user
    meeting.save()
    for formset in (attendees, decisions, action_items):
        formset.instance = meeting
        formset.save()
    return meeting


@transaction.atomic
def complete_action_item(
    *,
    item: ActionItem,
    user: User,
    meeting: Meeting | None = None,
    day: datetime.date | None = None,
) -> ActionItem:
    """Tick an action item off, at a (later) meeting of the same agreement or on a day."""
    item = ActionItem.objects.select_for_update().select_related("meeting").get(pk=item.pk)
    if meeting is not None and meeting.agreement_id != item.meeting.agreement_id:
        raise ValidationError(_("Åtgärden hör till en annan överenskommelse."))
    if item.done_on is not None:
        return item
    item.done_on = day or (meeting.date if meeting is not None else timezone.localdate())
    item.done_at_meeting = meeting
    item.save(update_fields=["done_on", "done_at_meeting"])
    return item


@transaction.atomic
def reopen_action_item(*, item: ActionItem, user: User) -> ActionItem:
    item.done_on = None
    item.done_at_meeting = None
    item.save(update_fields=["done_on", "done_at_meeting"])
    return item


def meeting_with_rows(meeting_id: int) -> Meeting:
    """The meeting with attendees, decisions and action items in as few queries as possible."""
    return (
        Meeting.objects.select_related("agreement", "convened_by")
        .prefetch_related(
            Prefetch("attendees", queryset=Attendee.objects.select_related("organisation")),
            Prefetch("decisions", queryset=Decision.objects.select_related("amendment")),
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.select_related("owner_organisation", "done_at_meeting"),
            ),
        )
        .get(pk=meeting_id)
    )


def followed_up_items(meeting: Meeting) -> list[ActionItem]:
    """Action items from earlier meetings of the agreement that this meeting follows up:
    those still open, and those ticked off at this meeting."""
    return list(
        ActionItem.objects.filter(meeting__agreement_id=meeting.agreement_id)
        .exclude(meeting=meeting)
        .filter(
            Q(done_on__isnull=True, meeting__date__lte=meeting.date) | Q(done_at_meeting=meeting)
        )
        .select_related("meeting", "owner_organisation")
        .order_by("due_date", "pk")
    )


def render_minutes_pdf(*, meeting: Meeting, base_url: str | None = None) -> bytes:
    """The meeting minutes as an A4 PDF (Swedish, "sida X av Y" in the footer)."""
    from weasyprint import HTML  # imported here: loading WeasyPrint costs ~0.5 s

    meeting = meeting_with_rows(meeting.pk)
    html = render_to_string(
        "partnerships/meeting_minutes_pdf.html",
        {
            "meeting": meeting,
            "agreement": meeting.agreement,
            "followed_up": followed_up_items(meeting),
            "printed_on": timezone.localdate(),
        },
    )
    return HTML(string=html, base_url=base_url).write_pdf()
