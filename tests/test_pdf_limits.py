"""Every PDF through one path: the safe renderer (no request host as base URL), with a
page, time and memory limit and a plain Swedish message; the minutes rendered once per
change and stored, and limited in length."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

import iop.limits
import iop.pdf
import partnerships.minutes
from partnerships.models import Meeting
from tests.factories.partnerships import MeetingFactory
from tests.test_meetings import meeting_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(world):
    return MeetingFactory(
        agreement=world.agreement_a,
        convened_by=world.org_a,
        date=datetime.date(2026, 3, 10),
        minutes="Verksamheten går enligt plan.",
    )


@pytest.fixture
def renders(monkeypatch):
    """Counts the layouts made by the one renderer (the parent's side of the child)."""
    calls: list[str] = []
    original = iop.pdf.run_limited

    def counting(func, html, fetcher, *args, **kwargs):
        # The safe layout (base URL https://iop-pdf.invalid/) with the static-only fetcher.
        assert func is iop.pdf._layout and isinstance(fetcher, iop.pdf.SafeURLFetcher)
        calls.append(html)
        return original(func, html, fetcher, *args, **kwargs)

    monkeypatch.setattr(iop.pdf, "run_limited", counting)
    return calls


def test_minutes_are_rendered_once_per_change_and_then_served_stored(
    world, login, meeting, renders
):
    client = login(world.manager_a)
    url = reverse("meeting_minutes_pdf", args=[meeting.pk])
    first = client.get(url)
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    second = client.get(url)
    assert second.content == first.content
    assert len(renders) == 1
    # Any change to what the PDF shows, by any door, renders it anew.
    Meeting.objects.filter(pk=meeting.pk).update(minutes="Nytt beslut om lokalen.")
    third = client.get(url)
    assert third.content != first.content
    assert len(renders) == 2
    assert "Nytt beslut om lokalen." in renders[-1]


def test_minutes_go_through_the_safe_renderer_not_the_request_host(
    world, login, meeting, renders, settings
):
    settings.ALLOWED_HOSTS = ["intern.example"]
    response = login(world.manager_a).get(
        reverse("meeting_minutes_pdf", args=[meeting.pk]), HTTP_HOST="intern.example"
    )
    assert response.status_code == 200
    assert len(renders) == 1 and "intern.example" not in renders[0]
    meeting.refresh_from_db()
    assert meeting.minutes_pdf is not None


def test_a_render_over_the_time_limit_is_stopped_with_a_plain_message(
    world, login, meeting, settings
):
    settings.IOP_PDF_SECONDS = 0.01
    response = login(world.manager_a).get(reverse("meeting_minutes_pdf", args=[meeting.pk]))
    assert response.status_code == 422
    page = response.content.decode()
    assert "Dokumentet tog för lång tid att skapa" in page
    meeting.refresh_from_db()
    assert meeting.minutes_pdf is None


def test_a_render_over_the_page_limit_is_refused(world, login, meeting, settings):
    settings.IOP_PDF_MAX_PAGES = 1
    Meeting.objects.filter(pk=meeting.pk).update(
        minutes="\n\n".join(f"Punkt {n}: " + "Lång diskussion. " * 40 for n in range(30))
    )
    response = login(world.manager_a).get(reverse("meeting_minutes_pdf", args=[meeting.pk]))
    assert response.status_code == 422
    assert "fler än tillåtna 1" in response.content.decode()


def test_a_render_over_the_memory_limit_is_stopped(world, login, meeting, settings):
    settings.IOP_PDF_MEMORY = 1024 * 1024
    # Far more than the child can lay out in the free memory it inherits: with the fonts
    # warmed up in the parent (issue 19) a child no longer maps them, and 2 000 sentences
    # (~6 pages) fit in the parent's free heap plus 1 MiB.
    Meeting.objects.filter(pk=meeting.pk).update(minutes="Lång diskussion. " * 200000)
    response = login(world.manager_a).get(reverse("meeting_minutes_pdf", args=[meeting.pk]))
    assert response.status_code == 422
    assert "för mycket minne" in response.content.decode()


def test_the_participant_export_pdf_goes_through_the_same_renderer(world, login, renders):
    from tests.factories.participants import enrolled

    enrolment = enrolled(world.agreement_a, world.org_a)
    response = login(world.admin).get(
        reverse("participants:export_pdf", args=[enrolment.participant_id])
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert len(renders) == 1


def test_minutes_over_the_length_limit_are_refused_at_the_field(world, login):
    too_long = "x" * (partnerships.models.meetings.MINUTES_MAX_LENGTH + 1)
    response = login(world.manager_a).post(
        reverse("meeting_create", args=[world.agreement_a.pk]),
        meeting_post(world, minutes=too_long),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Protokollet får vara högst 50000 tecken" in page
    assert 'id="id_minutes_error"' in page or "id_minutes" in page
    assert not Meeting.objects.exists()


def test_an_annual_report_render_over_the_time_limit_tells_the_user_why(
    world, login, settings, django_capture_on_commit_callbacks
):
    from reporting.models import RenderJob

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.IOP_PDF_SECONDS = 0.01
    client = login(world.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:annual_report_render", args=[world.agreement_a.pk, 2026]))
    job = RenderJob.objects.get()
    assert job.status == RenderJob.Status.FAILED
    page = client.get(reverse("reporting:render_job", args=[job.pk])).content.decode()
    assert "Dokumentet tog för lång tid att skapa (mer än 0 sekunder)" in page


def test_every_pdf_is_laid_out_with_the_process_one_warmed_up_font_configuration(monkeypatch):
    # A fresh font configuration in each child cost ~50 ms of CPU per document (issue 19).
    seen = []
    original = iop.pdf.run_limited

    def capture(func, html, fetcher, max_pages, fonts, **kwargs):
        seen.append(fonts)
        return original(func, html, fetcher, max_pages, fonts, **kwargs)

    monkeypatch.setattr(iop.pdf, "run_limited", capture)
    for text in ("Ett", "Två"):
        assert iop.pdf.html_to_pdf(f"<p>{text}</p>").startswith(b"%PDF")
    assert len(seen) == 2 and seen[0] is seen[1] is iop.pdf._warm_fonts()


def _frozen_objects() -> int:
    import gc

    return gc.get_freeze_count()


def test_the_limited_child_leaves_the_inherited_heap_to_itself():
    # The garbage collector's full pass over the inherited heap was a third of a PDF's
    # CPU time (issue 19): the child freezes what it inherits.
    assert iop.limits.run_limited(_frozen_objects, seconds=10, memory=64 * 1024 * 1024) > 0
