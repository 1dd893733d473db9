"""A meeting as recorded: its rows, the action items it follows up, and the minutes PDF."""

from __future__ import annotations

import datetime
import hashlib

from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone

from iop.pdf import html_to_pdf

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


def _minutes_html(meeting: Meeting, printed_on: datetime.date | None) -> str:
    return render_to_string(
        "partnerships/meeting_minutes_pdf.html",
        {
            "meeting": meeting,
            "agreement": meeting.agreement,
            "followed_up": followed_up_items(meeting),
            "printed_on": printed_on,
            # An open item past its due date reads "försenad", as on the meeting page. The
            # fingerprint holds the marks, not the date: a new day re-renders the PDF only
            # when an item has become overdue.
            "today": timezone.localdate(),
            "for_pdf": True,
        },
    )


def minutes_pdf(meeting: Meeting) -> bytes:
    """The meeting minutes as an A4 PDF (Swedish, "sida X av Y" in the footer).

    Rendered once per change and stored on the meeting: a GET serves the stored file as
    long as what the PDF shows (the meeting, its rows, the items it follows up) is the
    same, whichever door changed it (page, admin, import). Through the one safe renderer
    (iop.pdf): no request host as base URL, a page, time and memory limit.
    """
    meeting = meeting_with_rows(meeting.pk)
    # The print date alone is no change.
    fingerprint = hashlib.sha256(_minutes_html(meeting, None).encode()).hexdigest()
    if meeting.minutes_pdf is not None and meeting.minutes_pdf_fingerprint == fingerprint:
        return bytes(meeting.minutes_pdf)
    pdf = html_to_pdf(_minutes_html(meeting, timezone.localdate()))
    Meeting.objects.filter(pk=meeting.pk).update(
        minutes_pdf=pdf, minutes_pdf_fingerprint=fingerprint
    )
    return pdf
