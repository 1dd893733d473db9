"""Meetings: compliance counting, recording with attendees/decisions/action items, bad
input refused with a Swedish message and nothing saved, access, minutes PDF."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from iop.audit import AuditContext
from partnerships.access import access_meeting_by_id
from partnerships.actions import record_version
from partnerships.models import ActionItem, Attendee, Decision, Meeting
from tests.factories.partnerships import (
    ActionItemFactory,
    AttendeeFactory,
    DecisionFactory,
    MeetingFactory,
)

D = datetime.date


@pytest.fixture
def meeting(world):
    meeting = MeetingFactory(
        agreement=world.agreement_a,
        convened_by=world.org_a,
        date=D(2026, 3, 10),
        agenda="Läget\nEkonomi",
        minutes="Verksamheten går enligt plan.",
    )
    AttendeeFactory(meeting=meeting, name="Åsa Påhittad", organisation=world.org_a)
    AttendeeFactory(meeting=meeting, name="Örjan Påhittad", organisation=world.municipality)
    DecisionFactory(meeting=meeting, text="Parterna ses varje kvartal.")
    ActionItemFactory(meeting=meeting, description="Skicka statistik", due_date=D(2026, 4, 30))
    return meeting


def meeting_post(world, **overrides):
    data = {
        "kind": "followup",
        "status": "held",
        "date": "2026-05-12",
        "start_time": "09:30",
        "place": "Kommunhuset",
        "convened_by": world.municipality.pk,
        "agenda": "Läget",
        "minutes": "Allt enligt plan.",
        "attendees-TOTAL_FORMS": "1",
        "attendees-INITIAL_FORMS": "0",
        "attendees-0-name": "Åsa Påhittad",
        "attendees-0-title": "Verksamhetschef",
        "attendees-0-organisation": world.org_a.pk,
        "decisions-TOTAL_FORMS": "1",
        "decisions-INITIAL_FORMS": "0",
        "decisions-0-text": "Nästa möte i augusti.",
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-0-description": "Boka lokal",
        "actions-0-owner": "Åsa Påhittad",
        "actions-0-owner_organisation": world.org_a.pk,
        "actions-0-due_date": "2026-06-01",
    }
    data.update(overrides)
    return data


# --------------------------------------------------------------------------- compliance


def test_summary_counts_held_followups_against_the_required_number(world):
    for day in (D(2026, 2, 1), D(2026, 5, 1)):
        MeetingFactory(agreement=world.agreement_a, convened_by=world.org_a, date=day)
    MeetingFactory(
        agreement=world.agreement_a,
        convened_by=world.org_a,
        date=D(2026, 12, 1),
        status=Meeting.Status.PLANNED,
    )
    MeetingFactory(
        agreement=world.agreement_a,
        convened_by=world.org_a,
        date=D(2026, 3, 1),
        kind=Meeting.Kind.STEERING,
    )
    summary = Meeting.objects.followup_summary(world.agreement_a, 2026, today=D(2026, 11, 22))
    assert (summary.held, summary.required, summary.planned) == (2, 4, 1)
    assert [q for q, _first, _last in summary.missed_quarters] == [3]


def test_agreement_page_shows_followups_held_and_warns_about_a_missed_quarter(world, login):
    today = datetime.date.today()
    MeetingFactory(agreement=world.agreement_a, convened_by=world.org_a, date=D(today.year, 1, 1))
    MeetingFactory(agreement=world.agreement_a, convened_by=world.org_a, date=D(today.year, 1, 2))
    response = login(world.steering_a).get(world.agreement_a.get_absolute_url())
    text = response.content.decode()
    assert f"2 av 4 uppföljningsmöten hållna {today.year}" in text
    if today.year not in world.agreement_a.years or today < D(today.year, 7, 1):
        pytest.skip("the warning needs a passed second quarter within the agreement period")
    assert "Inget uppföljningsmöte hölls under kvartal 2" in text


def test_meeting_list_shows_summary_and_warning_for_the_chosen_year(world, login):
    MeetingFactory(agreement=world.agreement_a, convened_by=world.org_a, date=D(2026, 2, 1))
    response = login(world.manager_a).get(
        reverse("meeting_list", args=[world.agreement_a.pk]) + "?year=2026"
    )
    text = response.content.decode()
    assert "1 av 4 uppföljningsmöten hållna 2026" in text


# --------------------------------------------------------------------------- recording


def test_manager_records_meeting_with_attendees_decisions_and_action_items(world, login):
    response = login(world.manager_a).post(
        reverse("meeting_create", args=[world.agreement_a.pk]), meeting_post(world)
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    assert meeting.created_by == world.manager_a
    assert meeting.attendees.get().organisation == world.org_a
    assert meeting.decisions.get().text == "Nästa möte i augusti."
    assert meeting.action_items.get().due_date == D(2026, 6, 1)


def assert_refused(response, message):
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Meeting.objects.exists()
    assert not Attendee.objects.exists()
    assert not Decision.objects.exists()
    assert not ActionItem.objects.exists()


def test_action_item_without_owner_is_refused_and_nothing_saved(world, login):
    response = login(world.manager_a).post(
        reverse("meeting_create", args=[world.agreement_a.pk]),
        meeting_post(world, **{"actions-0-owner": ""}),
    )
    assert_refused(response, "Ange vem som ansvarar för åtgärden.")


def test_action_item_without_due_date_is_refused_and_nothing_saved(world, login):
    response = login(world.manager_a).post(
        reverse("meeting_create", args=[world.agreement_a.pk]),
        meeting_post(world, **{"actions-0-due_date": ""}),
    )
    assert_refused(response, "Ange när åtgärden ska vara klar.")


def test_attendee_from_an_organisation_that_is_not_a_party_is_refused(world, login):
    response = login(world.manager_a).post(
        reverse("meeting_create", args=[world.agreement_a.pk]),
        meeting_post(world, **{"attendees-0-organisation": world.org_b.pk}),
    )
    assert_refused(response, "Organisationen är inte part i överenskommelsen.")


def test_convener_that_is_not_a_party_is_refused(world, login):
    response = login(world.manager_a).post(
        reverse("meeting_create", args=[world.agreement_a.pk]),
        meeting_post(world, convened_by=world.outsider_org.pk),
    )
    assert_refused(response, "Organisationen är inte part i överenskommelsen.")


def test_meeting_outside_the_agreement_period_is_refused(world, login):
    response = login(world.manager_a).post(
        reverse("meeting_create", args=[world.agreement_a.pk]),
        meeting_post(world, date="2028-01-15"),
    )
    assert_refused(
        response, "Mötet måste ligga inom överenskommelsens period 2026-01-01–2027-12-31."
    )


def test_the_message_sits_next_to_the_field(world, login):
    response = login(world.manager_a).post(
        reverse("meeting_create", args=[world.agreement_a.pk]),
        meeting_post(world, **{"actions-0-owner": ""}),
    )
    text = response.content.decode()
    field = text.index('name="actions-0-owner"')
    # Once in the error summary at the top, once beside the field.
    message = text.index("Ange vem som ansvarar för åtgärden.", field)
    assert 0 < message - field < 400
    summary = text.index("data-error-summary")
    assert summary < text.index("Ange vem som ansvarar för åtgärden.", summary) < field


def test_model_clean_refuses_non_party_attendee_for_other_doors(world, meeting):
    from django.core.exceptions import ValidationError

    attendee = Attendee(meeting=meeting, name="X", organisation=world.org_b)
    with pytest.raises(ValidationError) as exc:
        attendee.full_clean()
    assert "organisation" in exc.value.message_dict


def test_action_item_without_owner_cannot_reach_the_database(meeting):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItem.objects.create(
            meeting=meeting, description="x", owner="", due_date=D(2026, 5, 1)
        )


def test_a_held_meeting_cannot_lie_in_the_future(world, login):
    future = datetime.date.today() + datetime.timedelta(days=30)
    if not world.agreement_a.start_date <= future <= world.agreement_a.end_date:
        pytest.skip("the agreement period does not cover next month")
    response = login(world.manager_a).post(
        reverse("meeting_create", args=[world.agreement_a.pk]),
        meeting_post(world, date=future.isoformat()),
    )
    assert_refused(response, "Ett möte som ligger i framtiden kan inte vara genomfört.")


def test_decision_links_to_the_amendment_it_led_to(world, login, meeting):
    version = record_version(
        audit=AuditContext.system(), agreement=world.agreement_a, user=None, summary="Ny budget"
    )
    response = login(world.manager_a).post(
        reverse("meeting_create", args=[world.agreement_a.pk]),
        meeting_post(world, **{"decisions-0-amendment": version.pk}),
    )
    assert response.status_code == 302
    decision = Decision.objects.get(text="Nästa möte i augusti.")
    assert decision.amendment == version
    page = login(world.steering_a).get(decision.meeting.get_absolute_url()).content.decode()
    assert reverse("agreement_version", args=[world.agreement_a.pk, version.number]) in page


def test_decision_cannot_link_to_another_agreements_amendment(world, login):
    version = record_version(
        audit=AuditContext.system(), agreement=world.agreement_b, user=None, summary="B:s ändring"
    )
    response = login(world.manager_a).post(
        reverse("meeting_create", args=[world.agreement_a.pk]),
        meeting_post(world, **{"decisions-0-amendment": version.pk}),
    )
    assert_refused(response, "Ändringen hör till en annan överenskommelse.")


def test_action_item_is_ticked_off_at_a_later_meeting(world, login, meeting):
    item = meeting.action_items.get()
    later = MeetingFactory(agreement=world.agreement_a, convened_by=world.org_a, date=D(2026, 6, 2))
    client = login(world.manager_a)
    page = client.get(later.get_absolute_url()).content.decode()
    assert "Skicka statistik" in page  # followed up at the later meeting
    response = client.post(reverse("action_item_done", args=[later.pk, item.pk]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_on == D(2026, 6, 2)
    assert item.done_at_meeting == later


def test_action_item_of_another_agreement_cannot_be_ticked_off_here(world, login, meeting):
    other = MeetingFactory(agreement=world.agreement_b, convened_by=world.org_b)
    foreign = ActionItemFactory(meeting=other)
    response = login(world.manager_a).post(
        reverse("action_item_done", args=[meeting.pk, foreign.pk])
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.done_on is None


def test_manager_edits_meeting_and_removes_a_row(world, login, meeting):
    client = login(world.manager_a)
    form = client.get(reverse("meeting_edit", args=[meeting.pk]))
    assert form.status_code == 200
    attendees = list(meeting.attendees.order_by("organisation__name", "name"))
    item = meeting.action_items.get()
    decision = meeting.decisions.get()
    data = meeting_post(
        world,
        date="2026-03-10",
        **{
            "attendees-TOTAL_FORMS": "2",
            "attendees-INITIAL_FORMS": "2",
            "attendees-0-id": attendees[0].pk,
            "attendees-0-name": attendees[0].name,
            "attendees-0-organisation": attendees[0].organisation_id,
            "attendees-1-id": attendees[1].pk,
            "attendees-1-name": attendees[1].name,
            "attendees-1-organisation": attendees[1].organisation_id,
            "attendees-1-DELETE": "on",
            "decisions-TOTAL_FORMS": "1",
            "decisions-INITIAL_FORMS": "1",
            "decisions-0-id": decision.pk,
            "decisions-0-text": "Ändrat beslut",
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "1",
            "actions-0-id": item.pk,
            "actions-0-description": item.description,
            "actions-0-owner": "Ny Ansvarig",
            "actions-0-owner_organisation": "",
            "actions-0-due_date": "2026-04-30",
        },
    )
    response = client.post(reverse("meeting_edit", args=[meeting.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert meeting.attendees.count() == 1
    assert meeting.decisions.get().text == "Ändrat beslut"
    assert meeting.action_items.get().owner == "Ny Ansvarig"


# --------------------------------------------------------------------------- access


def test_steering_group_member_sees_meetings_decisions_and_action_items(world, login, meeting):
    client = login(world.steering_a)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Parterna ses varje kvartal." in page
    assert "Skicka statistik" in page
    assert client.get(reverse("meeting_list", args=[world.agreement_a.pk])).status_code == 200
    assert "Skicka statistik" in client.get(reverse("meeting_overview")).content.decode()


def test_steering_group_member_cannot_edit_meetings(world, login, meeting):
    client = login(world.steering_a)
    assert client.get(reverse("meeting_edit", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("meeting_create", args=[world.agreement_a.pk])).status_code == 403
    item = meeting.action_items.get()
    assert client.post(reverse("action_item_done", args=[meeting.pk, item.pk])).status_code == 403


@pytest.mark.parametrize("who", ["coordinator_b", "outsider"])
def test_other_partnerships_users_cannot_open_the_meeting(world, login, meeting, who):
    client = login(getattr(world, who))
    for url in (
        meeting.get_absolute_url(),
        reverse("meeting_edit", args=[meeting.pk]),
        reverse("meeting_minutes_pdf", args=[meeting.pk]),
        reverse("meeting_list", args=[world.agreement_a.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert "Skicka statistik" not in client.get(reverse("meeting_overview")).content.decode()


def test_access_matrix(world, meeting):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    for user in (
        world.coordinator_a,
        world.finance_a,
        world.steering_a,
        world.manager_a,
        world.admin,
    ):
        assert access_meeting_by_id(user, meeting.pk) == meeting
    for user in (world.coordinator_b, world.outsider):
        with pytest.raises(Http404):
            access_meeting_by_id(user, meeting.pk)
    for user in (world.coordinator_a, world.finance_a, world.steering_a):
        with pytest.raises(PermissionDenied):
            access_meeting_by_id(user, meeting.pk, for_edit=True)
    for user in (world.manager_a, world.admin):
        assert access_meeting_by_id(user, meeting.pk, for_edit=True) == meeting


def test_meeting_pages_show_no_participant_data(world, login, meeting):
    # Meetings hold names of staff who attended, never participants: the pages link to
    # nothing in the participants app.
    page = login(world.steering_a).get(meeting.get_absolute_url()).content.decode()
    assert "/participants/" not in page


# --------------------------------------------------------------------------- query counts


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_meeting_pages_query_count_does_not_grow_with_rows(world, login, meeting):
    client = login(world.manager_a)
    urls = [
        meeting.get_absolute_url(),
        reverse("meeting_list", args=[world.agreement_a.pk]),
        reverse("meeting_overview"),
        reverse("home"),
        reverse("meeting_edit", args=[meeting.pk]),
    ]
    before = [count_queries(client, url) for url in urls]
    for n in range(4):
        more = MeetingFactory(
            agreement=world.agreement_a, convened_by=world.org_a, date=D(2026, 3, 11 + n)
        )
        AttendeeFactory(meeting=meeting, organisation=world.municipality)
        DecisionFactory(meeting=meeting)
        ActionItemFactory(meeting=meeting)
        ActionItemFactory(meeting=more)
    after = [count_queries(client, url) for url in urls]
    assert after == before


def test_start_page_query_count(world, login, meeting, django_assert_max_num_queries):
    client = login(world.manager_a)
    client.get(reverse("home"))  # warm up session and second-factor bookkeeping
    with django_assert_max_num_queries(14):
        client.get(reverse("home"))


# --------------------------------------------------------------------------- minutes PDF


def test_minutes_pdf_is_a4_swedish_with_decisions_action_items_and_page_footer(
    world, login, meeting
):
    response = login(world.steering_a).get(reverse("meeting_minutes_pdf", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Protokoll" in text
    assert "Parterna ses varje kvartal." in text
    assert "Skicka statistik" in text
    assert "Åsa Påhittad" in text
    assert f"sida 1 av {len(reader.pages)}" in text


def test_long_minutes_run_over_several_pages_numbered(world, login, meeting):
    meeting.minutes = "\n\n".join(f"Punkt {n}: " + "Lång diskussion. " * 40 for n in range(30))
    meeting.save()
    response = login(world.manager_a).get(reverse("meeting_minutes_pdf", args=[meeting.pk]))
    reader = PdfReader(io.BytesIO(response.content))
    pages = len(reader.pages)
    assert pages > 1
    assert f"sida {pages} av {pages}" in reader.pages[-1].extract_text()


def test_summary_of_an_agreement_that_has_not_started_shows_its_first_year(world, login):
    from tests.factories.partnerships import AgreementFactory, PartyFactory

    start = D(datetime.date.today().year + 2, 1, 1)
    later = AgreementFactory(start_date=start, end_date=D(start.year + 1, 12, 31))
    PartyFactory(agreement=later, organisation=world.org_a)
    text = login(world.manager_a).get(later.get_absolute_url()).content.decode()
    assert f"0 av 4 uppföljningsmöten hållna {start.year}" in text


def test_demo_has_meetings_for_all_three_partnerships_and_is_re_runnable(db, login):
    import re

    from django.core.management import call_command

    from partnerships.models import Agreement, User

    call_command("load_demo", allow_demo_data=True, stdout=io.StringIO())
    counts = {
        a.short_id: a.meetings.count()
        for a in Agreement.objects.filter(short_id__in=["thaiwise", "bromodellen", "malmokraften"])
    }
    assert all(counts.values()) and len(counts) == 3
    call_command("load_demo", allow_demo_data=True, stdout=io.StringIO())
    again = {a.short_id: a.meetings.count() for a in Agreement.objects.filter(short_id__in=counts)}
    assert again == counts
    assert Decision.objects.exists() and ActionItem.objects.exists() and Attendee.objects.exists()

    # Done when: ThaiWISE's 2026 annual report shows as due 2027-03-31 on the start page.
    thaiwise = Agreement.objects.get(short_id="thaiwise")
    page = login(User.objects.get(username="ansvarig")).get(reverse("home")).content.decode()
    row = re.search(rf'data-key="annual_report:{thaiwise.pk}:2026">(.*?)</tr>', page, re.S)
    assert row and "2027-03-31" in row.group(1)


@pytest.mark.parametrize("year", ["99999", "abc", "1999"])
def test_meeting_list_ignores_a_year_outside_the_agreement(world, login, year):
    url = reverse("meeting_list", args=[world.agreement_a.pk]) + f"?year={year}"
    assert login(world.manager_a).get(url).status_code == 200
