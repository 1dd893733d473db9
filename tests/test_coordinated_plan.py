"""The coordinated plan (samordnad plan): every goal has a responsible agency, the plan is
agreed when every responsible agency and the participant agreed to the same revision, each
save is a revision, every entry carries the organisation that wrote it; and its figures."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError
from django.urls import reverse

from iop.roles import Role
from participants.models import ActionGoal, ActionPlan, PlanAgreement, PlanRevision
from reporting.casework import casework_tables
from reporting.figures import casework as casework_figures
from tests.factories.participants import enrolled
from tests.factories.partnerships import UserFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _plan_data(goals: list[dict], revision="") -> dict:
    data = {
        "drawn_up_on": "2026-02-10",
        "summary": "Samordnad plan",
        "revision": revision,
        "goals-TOTAL_FORMS": str(len(goals)),
        "goals-INITIAL_FORMS": "0",
        "goals-MIN_NUM_FORMS": "0",
        "goals-MAX_NUM_FORMS": "1000",
    }
    for i, goal in enumerate(goals):
        data.update({f"goals-{i}-{k}": v for k, v in goal.items()})
        data.setdefault(f"goals-{i}-status", "planned")
    return data


@pytest.fixture
def enrolment(world):
    e = enrolled(world.agreement_a, world.org_a, consent={"share_plan": True})
    e.start_date = D(2026, 1, 15)
    e.save()
    return e


@pytest.fixture
def municipal_caseworker(world):
    """A coordinator of the municipality, party to agreement A, who sees the participant."""
    from tests.factories.participants import ConsentFactory

    user = UserFactory.create(
        username="socialsekreterare", organisation=world.municipality, role=Role.COORDINATOR
    )
    return user, ConsentFactory


def _two_agency_plan(client, world, enrolment) -> ActionPlan:
    response = client.post(
        reverse("participants:action_plan", args=[enrolment.pk]),
        _plan_data(
            [
                {"description": "Praktik", "responsible_organisation": world.org_a.pk},
                {
                    "description": "Utreda försörjning",
                    "responsible_organisation": world.municipality.pk,
                    "responsible_person": "Handläggare på socialtjänsten",
                },
            ]
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ActionPlan.objects.get(enrolment=enrolment)


def test_a_plan_goal_without_a_responsible_agency_is_refused_next_to_the_field(
    world, login, enrolment
):
    client = login(world.coordinator_a)
    response = client.post(
        reverse("participants:action_plan", args=[enrolment.pk]),
        _plan_data([{"description": "Praktik inom handel"}]),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ange vilken myndighet eller organisation som ansvarar för målet." in html
    assert 'id="id_goals-0-responsible_organisation"' in html
    assert not ActionPlan.objects.exists()
    assert not ActionGoal.objects.exists()


def test_every_plan_entry_carries_the_writing_organisation(world, login, enrolment):
    plan = _two_agency_plan(login(world.coordinator_a), world, enrolment)
    assert plan.source_organisation == world.org_a
    assert set(plan.goals.values_list("source_organisation", flat=True)) == {world.org_a.pk}
    revision = PlanRevision.objects.get(plan=plan)
    assert (revision.number, revision.source_organisation) == (1, world.org_a)
    assert [g["description"] for g in revision.snapshot["goals"]] == [
        "Praktik",
        "Utreda försörjning",
    ]


def _agree(client, enrolment, party, day="2026-02-20", revision=None):
    plan = ActionPlan.objects.get(enrolment=enrolment)
    return client.post(
        reverse("participants:plan_agreement", args=[enrolment.pk]),
        {"party": party, "agreed_on": day, "revision": revision or plan.revision},
    )


def test_the_plan_is_agreed_only_when_every_agency_and_the_participant_agreed(
    world, login, client, enrolment, set_today, municipal_caseworker
):
    set_today(D(2026, 3, 1))
    user, consent_factory = municipal_caseworker
    consent_factory.create(
        participant=enrolment.participant,
        holder=world.org_a,  # the plan is Förening A's information
        organisation=world.municipality,
        share_plan=True,
    )
    coordinator = login(world.coordinator_a)
    plan = _two_agency_plan(coordinator, world, enrolment)
    assert _agree(coordinator, enrolment, str(world.org_a.pk)).status_code == 302
    assert _agree(coordinator, enrolment, "participant", "2026-02-21").status_code == 302
    plan.refresh_from_db()
    assert not plan.is_agreed  # the municipality has not agreed yet
    page = coordinator.get(reverse("participants:plan_agreement", args=[enrolment.pk]))
    assert "Inte överenskommen ännu." in page.content.decode()

    client.force_login(user)
    assert _agree(client, enrolment, str(world.municipality.pk), "2026-02-25").status_code == 302
    plan.refresh_from_db()
    assert plan.is_agreed
    assert (plan.first_agreed_on, plan.agreed_agency_count) == (D(2026, 2, 25), 2)
    assert PlanAgreement.objects.filter(plan=plan).count() == 3


def test_an_agency_cannot_agree_on_another_agencys_behalf(world, login, enrolment, set_today):
    set_today(D(2026, 3, 1))
    client = login(world.coordinator_a)
    plan = _two_agency_plan(client, world, enrolment)
    response = _agree(client, enrolment, str(world.municipality.pk))
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert not PlanAgreement.objects.filter(plan=plan, organisation=world.municipality).exists()


def test_a_new_revision_must_be_agreed_again(world, login, enrolment, set_today):
    set_today(D(2026, 3, 1))
    client = login(world.coordinator_a)
    plan = _two_agency_plan(client, world, enrolment)
    _agree(client, enrolment, str(world.org_a.pk))
    data = _plan_data([], revision=str(plan.revision))
    goals = list(plan.goals.order_by("pk"))
    data.update(
        {
            "goals-TOTAL_FORMS": "2",
            "goals-INITIAL_FORMS": "2",
            "goals-0-id": goals[0].pk,
            "goals-0-description": "Praktik inom vården",
            "goals-0-responsible_organisation": world.org_a.pk,
            "goals-0-status": "ongoing",
            "goals-1-id": goals[1].pk,
            "goals-1-description": goals[1].description,
            "goals-1-responsible_organisation": world.municipality.pk,
            "goals-1-status": "planned",
        }
    )
    response = client.post(reverse("participants:action_plan", args=[enrolment.pk]), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.revision == 2
    assert list(plan.revisions.values_list("number", flat=True)) == [2, 1]
    page = client.get(reverse("participants:plan_agreement", args=[enrolment.pk]))
    # The agency's agreement was to version 1: for version 2 it may agree again.
    assert f'value="{world.org_a.pk}"' in page.content.decode()
    stale = _agree(client, enrolment, str(world.org_a.pk), revision=1)
    assert "Någon annan har sparat ändringar" in stale.content.decode()


def test_a_user_without_the_plan_in_the_consent_cannot_open_the_plan_agreement(world, login):
    e = enrolled(world.agreement_a, world.org_a, consent={"share_plan": False})
    ActionPlan.objects.create(enrolment=e, drawn_up_on=D(2026, 2, 1))
    response = login(world.coordinator_a).get(reverse("participants:plan_agreement", args=[e.pk]))
    assert response.status_code == 403
    other = login(world.coordinator_b).get(reverse("participants:plan_agreement", args=[e.pk]))
    assert other.status_code == 404


def test_no_agreement_is_saved_when_its_log_row_fails(
    world, login, enrolment, set_today, monkeypatch
):
    from participants.models import AccessLog

    set_today(D(2026, 3, 1))
    client = login(world.coordinator_a)
    plan = _two_agency_plan(client, world, enrolment)
    insert = AccessLog.objects.append

    def failing(participant_ids, **same):
        if same["what"] == "samordnad plan godkänd":
            raise DatabaseError("access log unavailable")
        return insert(participant_ids, **same)

    monkeypatch.setattr(AccessLog.objects, "append", failing)
    with pytest.raises(DatabaseError):
        _agree(client, enrolment, str(world.org_a.pk))
    assert not PlanAgreement.objects.filter(plan=plan).exists()


# --------------------------------------------------------------------------- figures


def _agreed_plan(enrolment, agencies, day):
    plan = ActionPlan.objects.create(enrolment=enrolment, drawn_up_on=enrolment.start_date)
    plan.agreed_revision = plan.revision
    plan.agreed_agency_count = agencies
    plan.first_agreed_on = day
    plan.save()
    return plan


def test_days_to_an_agreed_plan_and_the_share_with_a_multi_agency_plan(world):
    rows = [enrolled(world.agreement_a, world.org_a, gender="woman") for _ in range(10)]
    for i, e in enumerate(rows):
        e.start_date = D(2026, 1, 1)
        e.save()
        if i < 6:
            _agreed_plan(e, 2, D(2026, 1, 1) + datetime.timedelta(days=10 + i))
    _agreed_plan(enrolled(world.agreement_a, world.org_a, gender="woman"), 1, D(2026, 2, 1))
    figures = casework_figures.plan_agreement(world.agreement_a, D(2026, 1, 1), D(2026, 12, 31))
    assert figures["by_gender"]["woman"] == {"enrolled": 11, "agreed": 6}
    assert figures["days"]["n"] == 7  # single-agency plans count in the days too
    assert figures["days"]["median"] == 13
    tables = casework_tables(world.agreement_a, D(2026, 1, 1), D(2026, 12, 31))
    assert tables.agreed.total.display == "6"
    assert tables.agreed_share.display == "54,5 %"


def test_the_casework_figures_hide_small_counts(world, login, django_assert_max_num_queries):
    e = enrolled(world.agreement_a, world.org_a, gender="man")
    e.start_date = D(2026, 1, 1)
    e.save()
    _agreed_plan(e, 2, D(2026, 1, 20))
    client = login(world.finance_a)
    url = reverse("reporting:casework", args=[world.agreement_a.pk, 2026])
    with django_assert_max_num_queries(20):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;5" in html
    assert "för få planer för att visa" in html
    assert login(world.coordinator_b).get(url).status_code == 404
