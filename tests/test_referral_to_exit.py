"""From referral to exit: the waiting list when the places are full (never a silent refusal
or over-filling), intake windows that warn, phases in the agreement's order with dates that
never go back, a manager's own phase list, the exit's record with hand-over and follow-ups,
and the start page's work items from them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from participants.models import (
    Enrolment,
    ExitRecord,
    FollowUp,
    IntakeWindow,
    Phase,
    PhaseChange,
    Referral,
    ReferralStatus,
)
from participants.worklist import work_for
from reporting.figures import casework as casework_figures
from tests.factories.participants import enrolled

pytestmark = pytest.mark.django_db

D = datetime.date


def _exited(world, **fields):
    """A participant of agreement A who left in January (so still visible to A's staff)."""
    e = enrolled(world.agreement_a, world.org_a, **fields)
    e.start_date, e.exit_date, e.exit_outcome = D(2026, 1, 5), D(2026, 1, 31), "work"
    e.save()
    return e


@pytest.fixture
def full(world, set_today):
    """Agreement A with one place, taken."""
    set_today(D(2026, 3, 10))
    world.agreement_a.capacity = 1
    world.agreement_a.save()
    return enrolled(world.agreement_a, world.org_a)


def test_an_enrolment_beyond_capacity_goes_to_the_waiting_list(world, login, full):
    before = _exited(world)
    client = login(world.coordinator_a)
    response = client.post(
        reverse("participants:enrolment_create", args=[before.participant_id]),
        {"agreement": world.agreement_a.pk, "start_date": "2026-03-10", "income_at_start": "none"},
        follow=True,
    )
    assert "Alla platser i partnerskapet är upptagna" in response.content.decode()
    assert Enrolment.objects.filter(participant=before.participant).count() == 1
    waiting = Referral.objects.get(participant=before.participant)
    assert (waiting.status, waiting.requested_start) == (ReferralStatus.WAITING, D(2026, 3, 10))
    page = client.get(reverse("participants:waiting_list", args=[world.agreement_a.pk]))
    assert before.participant.code in page.content.decode()
    assert "1 av 1 platser upptagna, 0 lediga" in page.content.decode()


def test_a_participant_registered_when_full_waits_and_stays_visible(world, login, full):
    client = login(world.coordinator_a)
    response = client.post(
        reverse("participants:create"),
        {
            "p-name": "Påhittad Väntande",
            "p-gender": "woman",
            "e-agreement": world.agreement_a.pk,
            "e-start_date": "2026-03-10",
            "e-income_at_start": "none",
            "c-share_identity": "on",
            "c-share_plan": "on",
            "c-purpose": "Stöd mot arbete",
            "c-given_on": "2026-03-10",
            "c-method": "written",
            "c-reference": "REG-2026-7",
            "p-identity_status": "registered",
        },
        follow=True,
    )
    assert "står på väntelistan" in response.content.decode()
    referral = Referral.objects.get(status=ReferralStatus.WAITING)
    assert not Enrolment.objects.filter(participant=referral.participant).exists()
    timeline = client.get(reverse("participants:timeline", args=[referral.participant_id]))
    assert timeline.status_code == 200


def test_the_place_an_exit_frees_goes_to_the_first_on_the_waiting_list(world, login, full):
    first, second = _exited(world), _exited(world)
    client = login(world.coordinator_a)
    for e in (first, second):
        client.post(
            reverse("participants:enrolment_create", args=[e.participant_id]),
            {
                "agreement": world.agreement_a.pk,
                "start_date": "2026-03-10",
                "income_at_start": "none",
            },
        )
    assert Referral.objects.waiting().count() == 2
    response = client.post(
        reverse("participants:enrolment_exit", args=[full.pk]),
        {
            "exit_date": "2026-03-09",
            "exit_outcome": "work",
            "income_at_exit": "salary",
            "revision": full.revision,
            "x-needs_clarified": "Arbete inom lager",
            "x-handover": "af",
            "x-handed_over_to": world.org_a.pk,
        },
    )
    assert response.status_code == 302
    admitted = Enrolment.objects.get(participant=first.participant, exit_date__isnull=True)
    assert admitted.start_date == D(2026, 3, 10)
    assert Referral.objects.get(participant=first.participant).status == ReferralStatus.ENROLLED
    assert Referral.objects.get(participant=second.participant).status == ReferralStatus.WAITING


def test_a_referral_in_an_intake_pause_warns_and_is_saved_once_confirmed(world, login, set_today):
    set_today(D(2026, 7, 10))
    IntakeWindow.objects.create(
        agreement=world.agreement_a, starts_on=D(2026, 5, 1), ends_on=D(2026, 5, 31)
    )
    e = _exited(world)
    url = reverse("participants:referral_create", args=[e.participant_id])
    data = {
        "agreement": world.agreement_a.pk,
        "date": "2026-07-01",
        "referred_by": "Försäkringsutredare",
        "organisation": world.municipality.pk,
        "requested_start": "2026-08-01",
    }
    client = login(world.coordinator_a)
    warned = client.post(url, data)
    assert warned.status_code == 200
    assert "utanför partnerskapets intagsperioder" in warned.content.decode()
    assert not Referral.objects.exists()
    confirmed = client.post(url, {**data, "confirm_outside_intake": "on"})
    assert confirmed.status_code == 302
    referral = Referral.objects.get()
    assert referral.outside_intake
    assert referral.source_organisation == world.org_a
    # A free place: the referral became an enrolment from the requested start.
    assert referral.status == ReferralStatus.ENROLLED
    assert referral.enrolment.start_date == D(2026, 8, 1)


def test_phases_follow_the_order_and_their_dates_never_go_back(world, login, set_today):
    set_today(D(2026, 4, 1))
    e = enrolled(world.agreement_a, world.org_a)
    phases = list(Phase.for_agreement(world.agreement_a))
    PhaseChange.objects.create(enrolment=e, date=D(2026, 3, 1), to_phase=phases[2])
    e.phase = phases[2]
    e.save()
    client = login(world.coordinator_a)
    url = reverse("participants:enrolment_phase", args=[e.pk])
    back = client.post(url, {"phase": phases[1].pk, "date": "2026-03-20", "revision": e.revision})
    assert "Faserna följer partnerskapets ordning" in back.content.decode()
    early = client.post(url, {"phase": phases[3].pk, "date": "2026-02-20", "revision": e.revision})
    assert "Fasbytet kan inte ligga före föregående fasbyte (2026-03-01)." in early.content.decode()
    assert 'id="id_date"' in early.content.decode()
    e.refresh_from_db()
    assert e.phase == phases[2]
    ok = client.post(url, {"phase": phases[3].pk, "date": "2026-03-20", "revision": e.revision})
    assert ok.status_code == 302


def test_a_partnership_manager_edits_the_agreements_phase_list(world, login):
    url = reverse("participants:agreement_process", args=[world.agreement_a.pk])
    assert login(world.coordinator_a).get(url).status_code == 403
    assert login(world.coordinator_b).get(url).status_code == 404
    client = login(world.manager_a)
    page = client.get(url)
    assert 'value="Inrekrytering"' in page.content.decode()
    data = {
        "phases-TOTAL_FORMS": "3",
        "phases-INITIAL_FORMS": "0",
        "phases-MIN_NUM_FORMS": "0",
        "phases-MAX_NUM_FORMS": "1000",
        "phases-0-position": "1",
        "phases-0-name": "Kartläggning",
        "phases-1-position": "2",
        "phases-1-name": "Praktik",
        "phases-2-position": "3",
        "phases-2-name": "Avslut",
        "windows-TOTAL_FORMS": "1",
        "windows-INITIAL_FORMS": "0",
        "windows-MIN_NUM_FORMS": "0",
        "windows-MAX_NUM_FORMS": "1000",
        "windows-0-starts_on": "2026-05-01",
        "windows-0-ends_on": "2026-04-01",
    }
    bad = client.post(url, data)
    assert "Intagsperioden kan inte sluta före den börjar." in bad.content.decode()
    assert not Phase.objects.filter(agreement=world.agreement_a).exists()
    data["windows-0-ends_on"] = "2026-05-31"
    assert client.post(url, data).status_code == 302
    assert list(Phase.for_agreement(world.agreement_a).values_list("name", flat=True)) == [
        "Kartläggning",
        "Praktik",
        "Avslut",
    ]
    assert IntakeWindow.objects.filter(agreement=world.agreement_a).count() == 1
    # The change is a version of the agreement, readable in its history.
    version = world.agreement_a.versions.order_by("-number").first()
    assert version is not None
    assert version.snapshot["participant_process"] == [
        "Fas 1: Kartläggning",
        "Fas 2: Praktik",
        "Fas 3: Avslut",
        "Intag 2026-05-01–2026-05-31",
    ]
    history = client.get(reverse("agreement_history", args=[world.agreement_a.pk]))
    assert "Deltagarprocess" in history.content.decode()


def test_the_exit_records_needs_and_hand_over_and_schedules_follow_ups(world, login, set_today):
    set_today(D(2026, 9, 1))
    e = enrolled(world.agreement_a, world.org_a)
    client = login(world.coordinator_a)
    url = reverse("participants:enrolment_exit", args=[e.pk])
    exit_data = {
        "exit_date": "2026-08-31",
        "exit_outcome": "other_programme",
        "income_at_exit": "sickness_benefit",
        "revision": e.revision,
        "x-handover": "af_fk",
    }
    missing = client.post(url, exit_data)
    assert "Beskriv vilka behov som har klarlagts." in missing.content.decode()
    e.refresh_from_db()
    assert e.exit_date is None
    exit_data["x-needs_clarified"] = "Arbetsförmåga behöver utredas"
    exit_data["x-handed_over_to"] = world.municipality.pk
    assert client.post(url, exit_data).status_code == 302
    record = ExitRecord.objects.get(enrolment=e)
    assert (record.handover, record.plan_agreed_by_all) == ("af_fk", False)
    assert record.source_organisation == world.org_a
    due = list(FollowUp.objects.filter(enrolment=e).values_list("months", "due_on"))
    assert due == [(1, D(2026, 9, 30)), (6, D(2027, 2, 28))]

    # The one-month follow-up is on the exiting caseworker's start page once due.
    set_today(D(2026, 9, 28))
    caseload = Enrolment.objects.none()
    items = list(work_for(world.coordinator_a, D(2026, 9, 28), caseload))
    assert [(i.kind, i.participant_code) for i in items] == [("follow_up_due", e.participant.code)]
    follow_up = FollowUp.objects.get(enrolment=e, months=1)
    response = client.post(
        reverse("participants:follow_up", args=[follow_up.pk]),
        {"done_on": "2026-09-28", "income": "activity_support", "note": ""},
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.done_on, follow_up.recorded_by) == (D(2026, 9, 28), world.coordinator_a)
    assert (
        login(world.coordinator_b)
        .get(reverse("participants:follow_up", args=[follow_up.pk]))
        .status_code
        == 404
    )
    # The data-subject export holds the exit and its follow-ups too.
    export = login(world.admin).get(reverse("participants:export_json", args=[e.participant_id]))
    enrolment_data = export.json()["enrolments"][0]
    assert enrolment_data["exit"]["needs_clarified"] == "Arbetsförmåga behöver utredas"
    assert [f["months"] for f in enrolment_data["follow_ups"]] == [1, 6]


def test_the_start_page_sources_run_a_fixed_number_of_queries(
    world, set_today, django_assert_num_queries
):
    from participants import worklist_casework

    set_today(D(2026, 6, 1))
    for _ in range(3):
        enrolled(world.agreement_a, world.org_a)  # started 2026-01-15, no plan
    waiting = _exited(world)
    Referral.objects.create(
        participant=waiting.participant,
        agreement=world.agreement_a,
        date=D(2026, 5, 1),
        referred_by="Handläggare",
        status=ReferralStatus.WAITING,
    )
    caseload = Enrolment.objects.filter(agreement=world.agreement_a, exit_date__isnull=True)
    user = world.coordinator_a
    user.roles()  # the start page has read the user's roles already (cached per request)
    with django_assert_num_queries(1):
        plans = list(worklist_casework.plan_not_agreed(user, D(2026, 6, 1), caseload))
    with django_assert_num_queries(1):
        follow_ups = list(worklist_casework.follow_up_due(user, D(2026, 6, 1), caseload))
    with django_assert_num_queries(1):
        referrals = list(worklist_casework.referral_waiting(user, D(2026, 6, 1), caseload))
    assert len(plans) == 3 and not follow_ups
    assert [r.participant_code for r in referrals] == [waiting.participant.code]
    # The other partnership's coordinator sees none of it.
    other = worklist_casework.referral_waiting(world.coordinator_b, D(2026, 6, 1), caseload)
    assert list(other) == []


def test_referrals_are_counted_per_referring_agency_and_month(world):
    for day, org in [
        (D(2026, 1, 5), world.municipality),
        (D(2026, 1, 20), world.municipality),
        (D(2026, 2, 3), world.municipality),
        (D(2026, 2, 4), world.org_a),
    ]:
        e = enrolled(world.agreement_a, world.org_a, gender="woman")
        Referral.objects.create(
            participant=e.participant,
            agreement=world.agreement_a,
            date=day,
            referred_by="Handläggare",
            organisation=org,
        )
    rows = casework_figures.referrals_by_agency_and_month(
        world.agreement_a, D(2026, 1, 1), D(2026, 12, 31)
    )
    counted = {(r["agency"], r["month"].month): r["n"] for r in rows}
    assert counted == {
        ("Testkommun", 1): 2,
        ("Testkommun", 2): 1,
        ("Förening A", 2): 1,
    }


def test_the_waiting_list_says_how_many_of_the_waiting_it_shows(world, login, full):
    from tests.factories.participants import ConsentFactory, ParticipantFactory

    hidden = ParticipantFactory.create()
    ConsentFactory.create(participant=hidden, organisation=world.municipality)
    Referral.objects.create(
        participant=hidden,
        agreement=world.agreement_a,
        date=D(2026, 3, 1),
        referred_by="Handläggare",
        status=ReferralStatus.WAITING,
    )
    page = login(world.coordinator_a).get(
        reverse("participants:waiting_list", args=[world.agreement_a.pk])
    )
    html = page.content.decode()
    assert "0 av 1 visas" in html
    assert hidden.code not in html


def test_a_phase_in_use_cannot_be_removed_from_the_list(world, login):
    phase = Phase.objects.create(agreement=world.agreement_a, name="Start", position=1)
    e = enrolled(world.agreement_a, world.org_a)
    e.phase = phase
    e.save()
    client = login(world.manager_a)
    response = client.post(
        reverse("participants:agreement_process", args=[world.agreement_a.pk]),
        {
            "phases-TOTAL_FORMS": "1",
            "phases-INITIAL_FORMS": "1",
            "phases-MIN_NUM_FORMS": "0",
            "phases-MAX_NUM_FORMS": "1000",
            "phases-0-id": phase.pk,
            "phases-0-agreement": world.agreement_a.pk,
            "phases-0-position": "1",
            "phases-0-name": "Start",
            "phases-0-DELETE": "on",
            "windows-TOTAL_FORMS": "0",
            "windows-INITIAL_FORMS": "0",
            "windows-MIN_NUM_FORMS": "0",
            "windows-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "En fas som deltagare har passerat kan inte tas bort." in response.content.decode()
    assert Phase.objects.filter(pk=phase.pk).exists()
