import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError

from iop.audit import AuditContext
from partnerships.actions import change_status, extend_agreement, record_version
from partnerships.models import Agreement, AgreementVersion, Goal, add_months
from partnerships.versions import version_on
from tests.factories.partnerships import AgreementFactory, PartyFactory, every_party_approves

pytestmark = pytest.mark.django_db

D = datetime.date


def agreement_post_data(agreement, **overrides):
    data = {
        "short_id": agreement.short_id,
        "title": agreement.title,
        "start_date": agreement.start_date.isoformat(),
        "end_date": agreement.end_date.isoformat(),
        "followups_per_year": 4,
        "report_due_month": 3,
        "report_due_day": 31,
        "invoicing": "yearly",
        "invoice_in_advance": "on",
        "termination_settlement": "pro_rata",
        "extension_count": 1,
        "extension_months": 12,
        "extension_notice_months": 3,
        "capacity": 40,
        "revision": agreement.revision,
        "purpose": agreement.purpose,
        "amendment-summary": "Ändrat syfte",
        "amendment-valid_from": "2026-05-01",
        "amendment-approved_on": "2026-04-20",
        "amendment-approved_by": "Båda parter",
    }
    data.update(overrides)
    return data


def test_user_sees_only_agreements_their_organisation_is_party_to(world, login):
    response = login(world.coordinator_a).get("/agreements/")
    assert list(response.context["agreements"]) == [world.agreement_a]


def test_administrator_sees_every_agreement(world, login):
    response = login(world.admin).get("/agreements/")
    assert set(response.context["agreements"]) == {world.agreement_a, world.agreement_b}


@pytest.mark.parametrize(
    "path",
    [
        "/agreements/{a}/",
        "/agreements/{a}/edit/",
        "/agreements/{a}/history/",
        "/agreements/{a}/budgets/2026/",
        "/agreements/{a}/budgets/2026/edit/",
        "/agreements/{a}/versions/1/",
        "/agreements/{a}/parties/new/",
    ],
)
def test_non_party_gets_404_on_agreement_budget_and_edit_pages(world, login, path):
    record_version(
        audit=AuditContext.system(), agreement=world.agreement_a, user=None, summary="v1"
    )
    response = login(world.outsider).get(path.format(a=world.agreement_a.pk))
    assert response.status_code == 404


def test_missing_and_forbidden_agreements_answer_the_same(world, login):
    client = login(world.coordinator_b)
    forbidden = client.get(f"/agreements/{world.agreement_a.pk}/")
    missing = client.get("/agreements/999999/")
    assert forbidden.status_code == missing.status_code == 404


def test_coordinator_may_read_but_not_edit(world, login):
    client = login(world.coordinator_a)
    assert client.get(f"/agreements/{world.agreement_a.pk}/").status_code == 200
    assert client.get(f"/agreements/{world.agreement_a.pk}/edit/").status_code == 403


def test_agreement_page_shows_the_paper_agreement(world, login):
    agreement = world.agreement_a
    agreement.purpose = "Att stärka kvinnors egen försörjning"
    agreement.focus_areas = "Uppsökande arbete\nVägledning"
    agreement.save()
    content = login(world.manager_a).get(f"/agreements/{agreement.pk}/").content.decode()
    for text in [
        "Att stärka kvinnors egen försörjning",
        "Uppsökande arbete",
        "Förening A",
        "2026-01-01",
        "2027-12-31",
        "40 platser",
        "2027-03-31",
        "1 000 000 kr",
    ]:
        assert text in content


def test_manager_creates_agreement_and_their_organisation_becomes_party(world, login):
    client = login(world.manager_a)
    response = client.post(
        "/agreements/new/",
        {
            "short_id": "ny-iop",
            "title": "Ny IOP",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "followups_per_year": 3,
            "report_due_month": 3,
            "report_due_day": 31,
            "invoicing": "yearly",
            "invoice_in_advance": "on",
            "termination_settlement": "pro_rata",
            "extension_count": 0,
            "extension_months": 12,
            "extension_notice_months": 3,
        },
    )
    agreement = Agreement.objects.get(short_id="ny-iop")
    assert response.status_code == 302
    assert agreement.status == Agreement.Status.DRAFT
    assert agreement.parties.get().organisation == world.org_a
    assert agreement.versions.count() == 1


def test_end_before_start_is_refused_with_message_and_nothing_saved(world, login):
    client = login(world.manager_a)
    response = client.post(
        "/agreements/new/",
        {
            "short_id": "bad",
            "title": "Fel",
            "start_date": "2026-06-01",
            "end_date": "2026-01-01",
            "followups_per_year": 3,
            "report_due_month": 3,
            "report_due_day": 31,
            "invoicing": "yearly",
            "invoice_in_advance": "on",
            "termination_settlement": "pro_rata",
            "extension_count": 0,
            "extension_months": 12,
            "extension_notice_months": 3,
        },
    )
    assert response.status_code == 200
    assert (
        "Slutdatum kan inte ligga före startdatum." in response.context["form"].errors["end_date"]
    )
    assert not Agreement.objects.filter(short_id="bad").exists()


def test_database_refuses_end_before_start_from_the_shell():
    with pytest.raises(IntegrityError):
        AgreementFactory(start_date=D(2026, 6, 1), end_date=D(2026, 1, 1))


def test_active_agreement_amendment_needs_approval(world, login):
    client = login(world.manager_a)
    data = agreement_post_data(world.agreement_a, purpose="Nytt syfte")
    data.pop("amendment-approved_on")
    response = client.post(f"/agreements/{world.agreement_a.pk}/edit/", data)
    assert response.status_code == 200
    assert "approved_on" in response.context["amendment"].errors
    world.agreement_a.refresh_from_db()
    assert world.agreement_a.purpose == ""


def test_amendment_is_kept_as_dated_version_with_readable_diff(world, login):
    agreement = world.agreement_a
    record_version(
        audit=AuditContext.system(),
        agreement=agreement,
        user=None,
        summary="Tecknad",
        valid_from=D(2026, 1, 1),
    )
    client = login(world.manager_a)
    response = client.post(
        f"/agreements/{agreement.pk}/edit/", agreement_post_data(agreement, purpose="Nytt syfte")
    )
    assert response.status_code == 302
    versions = list(agreement.versions.order_by("number"))
    assert [v.valid_from for v in versions] == [D(2026, 1, 1), D(2026, 5, 1)]
    assert versions[1].approved_by == "Båda parter"
    # What did the agreement say on a given day?
    assert version_on(agreement, D(2026, 4, 30)).snapshot["purpose"] == ""
    assert version_on(agreement, D(2026, 5, 1)).snapshot["purpose"] == "Nytt syfte"
    history = client.get(f"/agreements/{agreement.pk}/history/?on=2026-04-30").content.decode()
    assert "Nytt syfte" in history and "Ändrat syfte" in history
    assert "v1 (2026-01-01)" in history


def test_second_editor_with_stale_form_is_refused(world, login):
    agreement = world.agreement_a
    client = login(world.manager_a)
    stale = agreement_post_data(agreement, purpose="Första")
    assert client.post(f"/agreements/{agreement.pk}/edit/", stale).status_code == 302
    response = client.post(f"/agreements/{agreement.pk}/edit/", dict(stale, purpose="Andra"))
    assert response.status_code == 200
    assert "Någon annan har sparat" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.purpose == "Första"


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("draft", "awaiting_decision", True),
        ("awaiting_decision", "active", True),
        ("active", "ended", True),
        ("active", "terminated", True),
        ("draft", "active", False),
        ("ended", "active", False),
        ("terminated", "draft", False),
        ("active", "draft", False),
    ],
)
def test_status_lifecycle_allows_only_defined_transitions(world, start, target, allowed):
    agreement = world.agreement_a
    Agreement.objects.filter(pk=agreement.pk).update(status=start)
    agreement.refresh_from_db()
    if allowed:
        change_status(
            audit=AuditContext.system(),
            agreement=agreement,
            new_status=target,
            user=world.manager_a,
            reason="Skäl",
        )
        agreement.refresh_from_db()
        assert agreement.status == target
    else:
        with pytest.raises(ValidationError):
            change_status(
                audit=AuditContext.system(),
                agreement=agreement,
                new_status=target,
                user=world.manager_a,
            )
        agreement.refresh_from_db()
        assert agreement.status == start


def test_forbidden_transition_through_the_page_shows_swedish_message(world, login):
    Agreement.objects.filter(pk=world.agreement_a.pk).update(status="ended")
    client = login(world.manager_a)
    response = client.post(
        f"/agreements/{world.agreement_a.pk}/status/",
        {"status": "active", "day": "2026-05-01"},
        follow=True,
    )
    assert "Statusen kan inte ändras från" in response.content.decode()


def test_activation_needs_a_decision(world):
    agreement = AgreementFactory(status="awaiting_decision", decision_date=None)
    with pytest.raises(ValidationError):
        change_status(
            audit=AuditContext.system(),
            agreement=agreement,
            new_status="active",
            user=world.manager_a,
        )


def test_extension_moves_end_date_and_deadline(world, login):
    agreement = world.agreement_a
    agreement.extension_count = 1
    agreement.extension_months = 12
    agreement.save()
    assert agreement.extension_decision_deadline() == D(2027, 9, 30)
    response = login(world.manager_a).post(
        f"/agreements/{agreement.pk}/extend/",
        {
            "decided_on": "2027-06-01",
            "decision_reference": "Dnr 1",
            **{f"approved_on_{p.pk}": "2027-05-20" for p in agreement.parties.all()},
            **{f"approved_by_{p.pk}": "Styrelsen" for p in agreement.parties.all()},
        },
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.end_date == D(2028, 12, 31)
    assert agreement.extensions_left() == 0
    assert agreement.extension_decision_deadline() is None
    with pytest.raises(ValidationError):
        extend_agreement(
            audit=AuditContext.system(),
            agreement=agreement,
            user=world.manager_a,
            decided_on=D(2028, 1, 1),
            approvals=every_party_approves(agreement, D(2028, 1, 1)),
        )


def test_report_due_is_31_march_of_following_year():
    agreement = AgreementFactory.build()
    assert agreement.report_due_date(2026) == D(2027, 3, 31)
    agreement.report_due_month, agreement.report_due_day = 2, 29
    assert agreement.report_due_date(2023) == D(2024, 2, 29)
    assert agreement.report_due_date(2024) == D(2025, 2, 28)


def test_add_months_clamps_to_month_end():
    assert add_months(D(2026, 12, 31), 2) == D(2027, 2, 28)
    assert add_months(D(2027, 12, 31), -3) == D(2027, 9, 30)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)


def test_party_added_twice_is_refused(world, login):
    response = login(world.manager_a).post(
        f"/agreements/{world.agreement_a.pk}/parties/new/",
        {
            "organisation": world.org_a.pk,
            "role": "operator",
            "resources-TOTAL_FORMS": 0,
            "resources-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "redan part" in response.content.decode()


def test_goal_tree_with_indicator_targets(world, login):
    client = login(world.manager_a)
    agreement = world.agreement_a
    client.post(f"/agreements/{agreement.pk}/goals/new/", {"title": "Övergripande", "position": 0})
    top = agreement.goals.get()
    client.post(
        f"/agreements/{agreement.pk}/goals/new/",
        {"title": "Delmål 1", "parent": top.pk, "position": 1},
    )
    sub = agreement.goals.get(title="Delmål 1")
    response = client.post(
        f"/agreements/{agreement.pk}/indicators/new/",
        {
            "goal": sub.pk,
            "name": "Andel till arbete",
            "unit": "percent",
            "metric": "share_to_work",
            "higher_is_better": "on",
            "targets-TOTAL_FORMS": 2,
            "targets-INITIAL_FORMS": 0,
            "targets-0-year": 2026,
            "targets-0-target": "45",
            "targets-1-year": 2027,
            "targets-1-target": "50",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/agreements/{agreement.pk}/").content.decode()
    assert "Delmål 1" in page and "Andel till arbete" in page and "45 %" in page


def test_versions_are_numbered_per_agreement(world):
    record_version(audit=AuditContext.system(), agreement=world.agreement_a, user=None, summary="a")
    world.agreement_a.purpose = "x"
    world.agreement_a.save()
    record_version(audit=AuditContext.system(), agreement=world.agreement_a, user=None, summary="b")
    assert list(
        AgreementVersion.objects.filter(agreement=world.agreement_a).values_list(
            "number", flat=True
        )
    ) == [1, 2]
    # No change, no new version.
    assert (
        record_version(
            audit=AuditContext.system(), agreement=world.agreement_a, user=None, summary="c"
        )
        is None
    )


def test_party_with_funding_share_cannot_be_removed(world, login):
    client = login(world.manager_a)
    response = client.post(
        f"/agreements/{world.agreement_a.pk}/parties/{world.party_a.pk}/delete/", follow=True
    )
    assert "finansieringsandelar" in response.content.decode()
    assert world.agreement_a.parties.filter(pk=world.party_a.pk).exists()
    extra = PartyFactory(agreement=world.agreement_a)
    client.post(f"/agreements/{world.agreement_a.pk}/parties/{extra.pk}/delete/")
    assert not world.agreement_a.parties.filter(pk=extra.pk).exists()
    assert world.agreement_a.versions.filter(summary__startswith="Part borttagen").exists()


def test_coordinator_cannot_remove_goal(world, login):
    from partnerships.models import Goal

    goal = Goal.objects.create(agreement=world.agreement_a, title="Mål")
    assert (
        login(world.coordinator_a)
        .post(f"/agreements/{world.agreement_a.pk}/goals/{goal.pk}/delete/")
        .status_code
        == 403
    )
    assert (
        login(world.coordinator_b)
        .post(f"/agreements/{world.agreement_a.pk}/goals/{goal.pk}/delete/")
        .status_code
        == 404
    )
    assert Goal.objects.filter(pk=goal.pk).exists()


@pytest.fixture
def version_row_fails(monkeypatch):
    """Writing the agreement's version row fails, as a lost connection or a full disk would."""

    def fail(**kwargs):
        raise DatabaseError("the version row could not be written")

    monkeypatch.setattr(AgreementVersion.objects, "create", fail)


def test_party_edit_is_not_saved_when_its_version_cannot_be_written(
    world, login, version_row_fails
):
    party = world.party_a
    client = login(world.manager_a)
    with pytest.raises(DatabaseError):
        client.post(
            f"/agreements/{world.agreement_a.pk}/parties/{party.pk}/",
            {
                "organisation": party.organisation_id,
                "role": party.role,
                "responsibilities": "Ny ansvarsfördelning",
                "resources-TOTAL_FORMS": 1,
                "resources-INITIAL_FORMS": 0,
                "resources-0-kind": "staff",
                "resources-0-description": "Handledare",
                "resources-0-quantity": "2",
            },
        )
    party.refresh_from_db()
    assert party.responsibilities != "Ny ansvarsfördelning"
    assert not party.resources.filter(description="Handledare").exists()
    assert not AgreementVersion.objects.filter(agreement=world.agreement_a).exists()


def test_amendment_is_not_saved_when_its_version_cannot_be_written(world, login, version_row_fails):
    agreement = world.agreement_a
    client = login(world.manager_a)
    with pytest.raises(DatabaseError):
        client.post(
            f"/agreements/{agreement.pk}/edit/",
            agreement_post_data(agreement, purpose="Ett nytt syfte"),
        )
    stored = Agreement.objects.get(pk=agreement.pk)
    assert stored.purpose == agreement.purpose
    assert stored.revision == agreement.revision


def test_removal_is_undone_when_its_version_cannot_be_written(world, login, version_row_fails):
    goal = Goal.objects.create(agreement=world.agreement_a, title="Kvarstår")
    client = login(world.manager_a)
    with pytest.raises(DatabaseError):
        client.post(f"/agreements/{world.agreement_a.pk}/goals/{goal.pk}/delete/")
    assert world.agreement_a.goals.filter(pk=goal.pk).exists()
