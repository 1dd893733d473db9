"""A meeting as recorded: its rows, the action items it follows up, and the minutes PDF."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone

from .models import ActionItem, Attendee, Decision, Meeting


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
