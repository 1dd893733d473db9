"""An open action item past its due date reads "försenad" in the minutes PDF, as on the
meeting page; the stored PDF is rendered again the day an item becomes overdue."""

import datetime
import io

from django.urls import reverse
from pypdf import PdfReader

from tests.factories.partnerships import ActionItemFactory, MeetingFactory

D = datetime.date


def _text(response) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def test_overdue_action_item_is_marked_in_the_minutes_pdf(world, login, set_today):
    meeting = MeetingFactory(
        agreement=world.agreement_a, convened_by=world.org_a, date=D(2026, 3, 10)
    )
    ActionItemFactory(meeting=meeting, description="Skicka statistik", due_date=D(2026, 4, 30))
    client = login(world.manager_a)
    pdf_url = reverse("meeting_minutes_pdf", args=[meeting.pk])
    set_today(D(2026, 4, 30))
    text = _text(client.get(pdf_url))
    assert "öppen" in text and "försenad" not in text
    set_today(D(2026, 5, 1))
    assert "försenad" in _text(client.get(pdf_url))
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert "försenad" in page
