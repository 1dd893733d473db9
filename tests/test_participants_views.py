"""Mina deltagare, contact logging, the timeline and the forms, through the test client."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import (
    AccessLog,
    ActionPlan,
    AnonymousContactCount,
    Attendance,
    Contact,
    Enrolment,
    Participant,
    Phase,
    PhaseChange,
    ProgressAssessment,
)
from tests.factories.participants import (
    AssessmentFactory,
    AttendanceFactory,
    ContactFactory,
    EnrolmentFactory,
    GroupActivityFactory,
    GroupSessionFactory,
    enrolled,
)

pytestmark = pytest.mark.django_db


def _fill(world, n: int) -> list[Enrolment]:
    enrolments = []
    for i in range(n):
        e = enrolled(world.agreement_a, world.org_a, name=f"Person {i}")
        ContactFactory(
            participant=e.participant, agreement=world.agreement_a, staff=world.coordinator_a
        )
        AttendanceFactory(participant=e.participant, agreement=world.agreement_a)
        AssessmentFactory(enrolment=e)
        enrolments.append(e)
    return enrolments


def test_list_runs_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.coordinator_a)
    _fill(world, 2)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("participants:list"))
    _fill(world, 8)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("participants:list"))
    assert response.content.count(b'class="participant-row') == 10


def test_a_deep_page_shows_the_next_rows_in_order_with_the_same_queries(
    world, login, django_assert_num_queries, monkeypatch
):
    from participants import views

    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    enrolments = _fill(world, 6)
    client = login(world.coordinator_a)
    url = reverse("participants:list") + "?sort=days"
    client.get(url)  # settle the session before counting
    with django_assert_num_queries(8):
        first = client.get(url).content.decode()
    with django_assert_num_queries(8):
        second = client.get(url + "&page=2").content.decode()
    # Oldest start first; every row once, across the two pages.
    codes = [e.participant.code for e in sorted(enrolments, key=lambda e: (e.start_date, -e.pk))]
    assert [c for c in codes if f">{c}</a>" in first] == codes[:4]
    assert [c for c in codes if f">{c}</a>" in second] == codes[4:]
    assert "Senaste kontakt" in second and second.count('class="participant-row') == 2


def test_timeline_runs_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    e = enrolled(world.agreement_a, world.org_a)
    client = login(world.coordinator_a)
    url = reverse("participants:timeline", args=[e.participant_id])
    ContactFactory(
        participant=e.participant, agreement=world.agreement_a, staff=world.coordinator_a
    )
    plan = ActionPlan.objects.create(enrolment=e, drawn_up_on=datetime.date(2026, 2, 1))
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for day in range(2, 20):
        ContactFactory(
            participant=e.participant,
            agreement=world.agreement_a,
            staff=world.coordinator_a,
            date=datetime.date(2026, 2, day),
        )
        AttendanceFactory(
            participant=e.participant, agreement=world.agreement_a, date=datetime.date(2026, 2, day)
        )
        AssessmentFactory(enrolment=e, date=datetime.date(2026, 2, day), step=day % 7 + 1)
    plan.goals.create(description="Praktik")
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.count(b'class="event-contact"') == 19
    assert response.content.count(b'class="event-attendance"') == 18


def test_list_shows_phase_days_last_contact_and_capacity(world, login):
    e = enrolled(world.agreement_a, world.org_a)
    Enrolment.objects.filter(pk=e.pk).update(next_step="Praktik på lager")
    ContactFactory(
        participant=e.participant,
        agreement=world.agreement_a,
        staff=world.coordinator_a,
        date=datetime.date(2026, 3, 4),
    )
    for _ in range(2):
        enrolled(world.agreement_a, world.org_a)
    page = login(world.coordinator_a).get(reverse("participants:list")).content.decode()
    assert "3 av 40 platser" in page
    assert "2026-03-04" in page
    assert "Inrekrytering" in page
    assert "Praktik på lager" in page
    assert "(90–365)" in page


def test_contact_form_opens_in_place_with_today_and_remembered_kind_and_duration(world, login):
    e = enrolled(world.agreement_a, world.org_a)
    ContactFactory(
        participant=e.participant,
        agreement=world.agreement_a,
        staff=world.coordinator_a,
        kind=Contact.Kind.PHONE,
        duration_minutes=20,
    )
    client = login(world.coordinator_a)
    response = client.get(
        reverse("participants:contact_create", args=[e.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith("<tr")
    assert f'value="{timezone.localdate().isoformat()}"' in html
    assert '<option value="phone" selected>' in html
    assert 'value="20"' in html


def test_logging_a_contact_from_the_list_returns_the_updated_row(world, login):
    e = enrolled(world.agreement_a, world.org_a)
    client = login(world.coordinator_a)
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("participants:contact_create", args=[e.pk]),
        {"date": today, "kind": "meeting", "duration_minutes": "30", "topic": "Planering"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<tr") and today in html and "Sparad" in html
    contact = Contact.objects.get(participant=e.participant)
    assert (contact.staff, contact.agreement, contact.duration_minutes) == (
        world.coordinator_a,
        world.agreement_a,
        30,
    )


def test_contact_logging_request_runs_a_fixed_number_of_queries(
    world, login, django_assert_max_num_queries
):
    e = enrolled(world.agreement_a, world.org_a)
    client = login(world.coordinator_a)
    with django_assert_max_num_queries(15):
        client.post(
            reverse("participants:contact_create", args=[e.pk]),
            {"date": "2026-03-01", "kind": "meeting", "duration_minutes": "30"},
            HTTP_HX_REQUEST="true",
        )


def test_saved_row_and_cancelled_row_reuse_the_checked_enrolment(
    world, login, django_assert_num_queries
):
    # The row comes back from the enrolment the view already fetched: one query adds the
    # latest visible contact and whether the name shows (the list's query is not re-run).
    e = enrolled(world.agreement_a, world.org_a, name="Ada Andersson")
    ContactFactory(
        participant=e.participant,
        agreement=world.agreement_a,
        staff=world.coordinator_a,
        date=datetime.date(2026, 3, 10),
    )
    client = login(world.coordinator_a)
    client.get(reverse("participants:list"))  # settle the session before counting
    with django_assert_num_queries(13):
        response = client.post(
            reverse("participants:contact_create", args=[e.pk]),
            {"date": "2026-03-01", "kind": "meeting", "duration_minutes": "30"},
            HTTP_HX_REQUEST="true",
        )
    html = response.content.decode()
    # A contact logged after the fact: the row still shows the latest one.
    assert "2026-03-10" in html and "Sparad" in html and "Ada Andersson" in html
    assert reverse("participants:timeline", args=[e.participant_id]) in html
    assert reverse("participants:contact_create", args=[e.pk]) in html
    with django_assert_num_queries(6):
        response = client.get(reverse("participants:row", args=[e.pk]), HTTP_HX_REQUEST="true")
    assert "2026-03-10" in response.content.decode()


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"date": "2999-01-01", "duration_minutes": "30"},
            "date",
            "En kontakt kan inte ligga i framtiden.",
        ),
        (
            {"date": "2026-03-01", "duration_minutes": "-5"},
            "duration_minutes",
            "Ange längden i minuter, mellan 1 och 720.",
        ),
        (
            {"date": "2026-03-01", "duration_minutes": "5000"},
            "duration_minutes",
            "Ange längden i minuter, mellan 1 och 720.",
        ),
    ],
)
def test_bad_contact_is_refused_with_a_swedish_message(world, login, data, field, message):
    e = enrolled(world.agreement_a, world.org_a)
    response = login(world.coordinator_a).post(
        reverse("participants:contact_create", args=[e.pk]),
        {"kind": "meeting", **data},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Contact.objects.exists()


def _register_data(world, **overrides):
    data = {
        "p-name": "Ny Person",
        "p-personnummer": "880320-0016",
        "p-gender": "woman",
        "p-birth_year": "",
        "p-language": "thai",
        "e-agreement": str(world.agreement_a.pk),
        "e-start_date": "2026-02-01",
        "e-planned_min_days": "90",
        "e-planned_max_days": "180",
        "e-income_at_start": "income_support",
        "e-next_step": "",
        "c-share_identity": "on",
        "c-share_notes": "on",
        "c-purpose": "Stöd mot arbete",
        "c-given_on": "2026-02-01",
        "c-expires_on": "",
        "c-method": "written",
        "c-reference": "REG-2026-1",
        "c-witness": "",
        "p-identity_status": "registered",
        "r-date": "2026-01-20",
        "r-referred_by": "Handläggare på kommunen",
        "r-organisation": str(world.municipality.pk),
        "r-reason": "Behöver stöd",
    }
    data.update(overrides)
    return data


def test_coordinator_registers_participant_with_consent_referral_and_enrolment(world, login):
    response = login(world.coordinator_a).post(
        reverse("participants:create"), _register_data(world)
    )
    assert response.status_code == 302
    p = Participant.objects.get()
    assert p.code.startswith("D-") and p.personnummer == "19880320-0016" and p.birth_year == 1988
    assert p.consents.get().organisation == world.org_a
    assert p.referrals.get().organisation == world.municipality
    enrolment = p.enrolments.get()
    assert enrolment.phase.name == "Inrekrytering"
    assert PhaseChange.objects.filter(enrolment=enrolment).count() == 1
    assert AccessLog.objects.filter(participant=p, action="create").exists()


def test_wrong_personnummer_check_digit_is_refused(world, login):
    response = login(world.coordinator_a).post(
        reverse("participants:create"), _register_data(world, **{"p-personnummer": "880320-0018"})
    )
    assert response.status_code == 200
    assert "Kontrollsiffran stämmer inte." in response.content.decode()
    assert not Participant.objects.exists()


def test_coordinator_cannot_enrol_into_another_partnership(world, login):
    response = login(world.coordinator_a).post(
        reverse("participants:create"),
        _register_data(world, **{"e-agreement": str(world.agreement_b.pk)}),
    )
    assert response.status_code == 200
    assert not Participant.objects.exists()


def test_second_open_enrolment_in_the_same_agreement_is_refused(world, login):
    e = enrolled(world.agreement_a, world.org_a)
    response = login(world.coordinator_a).post(
        reverse("participants:enrolment_create", args=[e.participant_id]),
        {"agreement": world.agreement_a.pk, "start_date": "2026-03-01", "income_at_start": "none"},
    )
    assert response.status_code == 200
    assert "redan inskriven i partnerskapet" in response.content.decode()
    assert Enrolment.objects.count() == 1


def test_exit_before_start_and_exit_without_outcome_are_refused(world, login):
    e = enrolled(world.agreement_a, world.org_a)
    client = login(world.coordinator_a)
    url = reverse("participants:enrolment_exit", args=[e.pk])
    before = client.post(
        url,
        {
            "exit_date": "2026-01-01",
            "exit_outcome": "work",
            "income_at_exit": "salary",
            "revision": e.revision,
        },
    )
    assert "Avslutsdatum kan inte ligga före startdatum." in before.content.decode()
    no_outcome = client.post(
        url,
        {
            "exit_date": "2026-03-01",
            "exit_outcome": "",
            "income_at_exit": "salary",
            "revision": e.revision,
        },
    )
    assert "Ange avslutsorsak." in no_outcome.content.decode()
    e.refresh_from_db()
    assert e.exit_date is None
    ok = client.post(
        url,
        {
            "exit_date": "2026-03-01",
            "exit_outcome": "work",
            "income_at_exit": "salary",
            "revision": e.revision,
            "x-needs_clarified": "Behov av yrkesutbildning",
            "x-handover": "none",
        },
    )
    assert ok.status_code == 302
    e.refresh_from_db()
    assert (e.exit_date, e.exit_outcome, e.revision) == (datetime.date(2026, 3, 1), "work", 2)


def test_second_save_of_the_same_revision_is_refused(world, login):
    e = enrolled(world.agreement_a, world.org_a)
    url = reverse("participants:enrolment_edit", args=[e.pk])
    data = {
        "planned_min_days": "60",
        "planned_max_days": "200",
        "income_at_start": "none",
        "next_step": "A",
        "revision": "1",
    }
    first = login(world.coordinator_a).post(url, data)
    assert first.status_code == 302
    second = login(world.manager_a).post(url, {**data, "next_step": "B"})
    assert second.status_code == 200
    assert "Någon annan har sparat ändringar" in second.content.decode()
    e.refresh_from_db()
    assert (e.next_step, e.revision) == ("A", 2)


def test_participant_edit_uses_optimistic_locking(world, login):
    e = enrolled(world.agreement_a, world.org_a)
    url = reverse("participants:edit", args=[e.participant_id])
    data = {
        "name": "X",
        "personnummer": "",
        "gender": "man",
        "birth_year": "1990",
        "language": "",
        "revision": "1",
        "identity_status": "registered",
    }
    client = login(world.coordinator_a)
    assert client.post(url, data).status_code == 302
    refused = client.post(url, {**data, "name": "Y"})
    assert "Någon annan har sparat ändringar" in refused.content.decode()
    assert Participant.objects.get().name == "X"


def test_phase_change_is_recorded(world, login):
    e = enrolled(world.agreement_a, world.org_a)
    target = Phase.objects.get(agreement=None, name="Aktivitet")
    response = login(world.coordinator_a).post(
        reverse("participants:enrolment_phase", args=[e.pk]),
        {"phase": target.pk, "date": "2026-03-01", "revision": e.revision},
    )
    assert response.status_code == 302
    e.refresh_from_db()
    assert e.phase == target
    assert PhaseChange.objects.filter(
        enrolment=e, to_phase=target, date=datetime.date(2026, 3, 1)
    ).exists()


def test_attendance_outside_the_enrolment_is_refused(world, login):
    e = enrolled(world.agreement_a, world.org_a)
    response = login(world.coordinator_a).post(
        reverse("participants:attendance_create", args=[e.pk]),
        {"date": "2026-01-02", "status": "present"},
    )
    assert "Deltagaren är inte inskriven i partnerskapet det datumet." in response.content.decode()
    assert not Attendance.objects.exists()


def test_assessment_and_action_plan_are_saved(world, login):
    e = enrolled(world.agreement_a, world.org_a)
    client = login(world.coordinator_a)
    r = client.post(
        reverse("participants:assessment_create", args=[e.pk]), {"date": "2026-03-01", "step": "4"}
    )
    assert r.status_code == 302
    bad = client.post(
        reverse("participants:assessment_create", args=[e.pk]), {"date": "2026-03-01", "step": "9"}
    )
    assert "Steget ska vara mellan 1 och 7." in bad.content.decode()
    assert ProgressAssessment.objects.get().step == 4
    plan = client.post(
        reverse("participants:action_plan", args=[e.pk]),
        {
            "drawn_up_on": "2026-02-10",
            "summary": "Plan",
            "revision": "",
            "goals-TOTAL_FORMS": "2",
            "goals-INITIAL_FORMS": "0",
            "goals-MIN_NUM_FORMS": "0",
            "goals-MAX_NUM_FORMS": "1000",
            "goals-0-description": "Svenska B",
            "goals-0-responsible_organisation": world.org_a.pk,
            "goals-0-status": "planned",
            "goals-0-target_date": "2026-06-01",
            "goals-1-description": "",
            "goals-1-status": "planned",
        },
    )
    assert plan.status_code == 302
    assert list(ActionPlan.objects.get().goals.values_list("description", flat=True)) == [
        "Svenska B"
    ]


def test_group_session_attendance_with_tick_boxes(world, login):
    e1 = enrolled(world.agreement_a, world.org_a)
    e2 = enrolled(world.agreement_a, world.org_a)
    e3 = enrolled(world.agreement_a, world.org_a)
    session = GroupSessionFactory(activity=GroupActivityFactory(agreement=world.agreement_a))
    client = login(world.coordinator_a)
    page = client.get(
        reverse("participants:session_attendance", args=[session.pk])
    ).content.decode()
    assert all(e.participant.code in page for e in (e1, e2, e3))
    response = client.post(
        reverse("participants:session_attendance", args=[session.pk]),
        {f"present_{e1.participant_id}": "1", f"excused_{e2.participant_id}": "1"},
    )
    assert response.status_code == 302
    statuses = dict(
        Attendance.objects.filter(session=session).values_list("participant_id", "status")
    )
    assert statuses == {
        e1.participant_id: "present",
        e2.participant_id: "excused",
        e3.participant_id: "absent",
    }
    # Ticking again replaces, never duplicates.
    client.post(
        reverse("participants:session_attendance", args=[session.pk]),
        {f"present_{e3.participant_id}": "1"},
    )
    assert Attendance.objects.filter(session=session).count() == 3
    assert Attendance.objects.get(session=session, participant=e3.participant).status == "present"


def test_session_roster_leaves_out_those_not_enrolled_that_day(world, login):
    e = enrolled(world.agreement_a, world.org_a)
    EnrolmentFactory(agreement=world.agreement_a, start_date=datetime.date(2026, 5, 1))
    session = GroupSessionFactory(
        activity=GroupActivityFactory(agreement=world.agreement_a), date=datetime.date(2026, 3, 2)
    )
    page = login(world.coordinator_a).get(
        reverse("participants:session_attendance", args=[session.pk])
    )
    assert page.content.decode().count('name="present_') == 1
    assert e.participant.code in page.content.decode()


def test_anonymous_contacts_are_counted_by_gender_and_age_band(world, login):
    client = login(world.coordinator_a)
    response = client.post(
        reverse("participants:anonymous"),
        {
            "agreement": world.agreement_a.pk,
            "date": "2026-03-01",
            "place": "Massagesalong",
            "n_woman_18_29": "4",
            "n_woman_30_44": "2",
            "n_man_unknown": "1",
        },
    )
    assert response.status_code == 302
    rows = set(AnonymousContactCount.objects.values_list("gender", "age_band", "count"))
    assert rows == {("woman", "18-29", 4), ("woman", "30-44", 2), ("man", "unknown", 1)}
    empty = client.post(
        reverse("participants:anonymous"), {"agreement": world.agreement_a.pk, "date": "2026-03-01"}
    )
    assert "Fyll i hur många personer ni mötte." in empty.content.decode()
    negative = client.post(
        reverse("participants:anonymous"),
        {"agreement": world.agreement_a.pk, "date": "2026-03-01", "n_woman_18_29": "-3"},
    )
    assert "Antalet kan inte vara negativt." in negative.content.decode()
    assert AnonymousContactCount.objects.count() == 3


def test_nav_shows_mina_deltagare_to_coordinators_only(world, login):
    assert (
        "Mina deltagare"
        in login(world.coordinator_a).get(reverse("agreement_list")).content.decode()
    )
    assert (
        "Mina deltagare"
        not in login(world.finance_a).get(reverse("agreement_list")).content.decode()
    )


def test_referral_is_registered_to_one_of_the_users_partnerships(world, login):
    e = enrolled(world.agreement_a, world.org_a)
    client = login(world.coordinator_a)
    url = reverse("participants:referral_create", args=[e.participant_id])
    data = {
        "date": "2026-02-01",
        "referred_by": "Socialsekreterare",
        "organisation": world.municipality.pk,
    }
    refused = client.post(url, {**data, "agreement": world.agreement_b.pk})
    assert refused.status_code == 200
    assert not e.participant.referrals.exists()
    assert client.post(url, {**data, "agreement": world.agreement_a.pk}).status_code == 302
    assert e.participant.referrals.get().agreement == world.agreement_a


def test_group_members_make_the_session_roster(world, login):
    e1 = enrolled(world.agreement_a, world.org_a)
    e2 = enrolled(world.agreement_a, world.org_a)
    hidden = enrolled(world.agreement_a, world.municipality)  # not visible to org A
    activity = GroupActivityFactory(agreement=world.agreement_a)
    activity.members.add(hidden.participant)
    session = GroupSessionFactory(activity=activity)
    client = login(world.coordinator_a)
    response = client.post(
        reverse("participants:group_members", args=[activity.pk]),
        {"member": [e1.participant_id, hidden.participant_id, 999999]},
    )
    assert response.status_code == 302
    assert set(activity.members.all()) == {e1.participant, hidden.participant}
    page = client.get(
        reverse("participants:session_attendance", args=[session.pk])
    ).content.decode()
    assert e1.participant.code in page and e2.participant.code not in page
    assert hidden.participant.code not in page


def test_row_of_an_exited_enrolment_is_not_found(world, login):
    e = EnrolmentFactory(
        agreement=world.agreement_a, exit_date=datetime.date(2026, 3, 1), exit_outcome="work"
    )
    from tests.factories.participants import ConsentFactory

    ConsentFactory(participant=e.participant, organisation=world.org_a)
    client = login(world.coordinator_a)
    assert client.get(reverse("participants:row", args=[e.pk])).status_code == 404
    assert client.get(reverse("participants:contact_create", args=[e.pk])).status_code == 404


def test_same_personnummer_cannot_be_registered_twice(world, login):
    client = login(world.coordinator_a)
    assert client.post(reverse("participants:create"), _register_data(world)).status_code == 302
    again = client.post(
        reverse("participants:create"),
        _register_data(world, **{"p-personnummer": "198803200016", "p-name": "Annan"}),
    )
    assert again.status_code == 200
    assert "Det finns redan en deltagare med det personnumret." in again.content.decode()
    assert Participant.objects.count() == 1
