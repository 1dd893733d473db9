"""The agreement's own dates enforced (issue 12, point 1): past its end date an agreement
has ended wherever its status is shown and after the daily command; an extension needs
every party's recorded approval and a decision in time (a late one only with a manager's
written reason, flagged in the history); after the end a new agreement is needed; the
start page warns six and three months before the end."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError
from django.utils import timezone

from iop.audit import AuditContext
from partnerships.actions import extend_agreement
from partnerships.models import Agreement, AgreementVersion, Extension, ExtensionApproval
from tests.factories.partnerships import AgreementFactory, PartyFactory, every_party_approves

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def agreement(world):
    """IOP A, 2026-2027, one extension of twelve months, decided three months before the
    end at the latest (2027-09-30); two parties: Förening A and Testkommun."""
    agreement = world.agreement_a
    agreement.extension_count = 1
    agreement.extension_months = 12
    agreement.extension_notice_months = 3
    agreement.save()
    return agreement


def extension_post(agreement, decided_on, *, skip=(), **extra):
    data = {"decided_on": decided_on, "decision_reference": "Dnr 2027/12"}
    for party in agreement.parties.all():
        if party.pk in skip:
            continue
        data[f"approved_on_{party.pk}"] = decided_on
        data[f"approved_by_{party.pk}"] = f"Ordförande, {party.organisation.name}"
    data.update(extra)
    return data


def unchanged(agreement):
    agreement.refresh_from_db()
    return (
        agreement.end_date == D(2027, 12, 31)
        and not Extension.objects.exists()
        and not ExtensionApproval.objects.exists()
    )


# --------------------------------------------------------------------------- extensions


def test_extension_records_each_partys_approval(world, login, agreement):
    client = login(world.manager_a)
    response = client.post(
        f"/agreements/{agreement.pk}/extend/", extension_post(agreement, "2027-06-01")
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.end_date == D(2028, 12, 31)
    approvals = ExtensionApproval.objects.filter(extension__agreement=agreement)
    assert {a.party.organisation.name for a in approvals} == {"Förening A", "Testkommun"}
    assert all(
        a.approved_on == D(2027, 6, 1) and a.recorded_by == world.manager_a for a in approvals
    )
    page = client.get(f"/agreements/{agreement.pk}/").content.decode()
    assert "Ordförande, Testkommun" in page and "Sent beslut" not in page


def test_extension_without_every_partys_approval_is_refused(world, login, agreement):
    public = agreement.parties.get(organisation=world.municipality)
    response = login(world.manager_a).post(
        f"/agreements/{agreement.pk}/extend/",
        extension_post(agreement, "2027-06-01", skip=(public.pk,)),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Testkommun har inte godkänt förlängningen" in page
    # The message stands next to the party's field.
    # (The error summary at the top repeats it; the last occurrence is the one at the field.)
    assert page.rindex("Testkommun har inte godkänt") > page.index(
        f'name="approved_on_{public.pk}"'
    )
    assert unchanged(agreement)


def test_approval_given_after_the_decision_is_refused(world, login, agreement):
    data = extension_post(agreement, "2027-06-01")
    data[f"approved_on_{world.party_a.pk}"] = "2027-06-15"
    response = login(world.manager_a).post(f"/agreements/{agreement.pk}/extend/", data)
    assert response.status_code == 400
    assert "ligger efter beslutsdatum" in response.content.decode()
    assert unchanged(agreement)


def test_verb_refuses_an_extension_without_every_partys_approval(world, agreement):
    approvals = every_party_approves(agreement, D(2027, 6, 1))[:1]
    with pytest.raises(ValidationError):
        extend_agreement(
            agreement=agreement,
            user=world.manager_a,
            audit=AuditContext.system(),
            decided_on=D(2027, 6, 1),
            approvals=approvals,
        )
    assert unchanged(agreement)


def test_late_decision_without_a_reason_is_refused(world, login, agreement):
    response = login(world.manager_a).post(
        f"/agreements/{agreement.pk}/extend/", extension_post(agreement, "2027-11-15")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "efter tidsgränsen 2027-09-30" in page
    assert page.rindex("efter tidsgränsen 2027-09-30") > page.index('name="late_reason"')
    assert unchanged(agreement)


def test_late_decision_with_a_managers_reason_is_flagged_in_the_history(world, login, agreement):
    client = login(world.manager_a)
    response = client.post(
        f"/agreements/{agreement.pk}/extend/",
        extension_post(
            agreement, "2027-11-15", late_reason="Kommunens nämnd sammanträdde först i november."
        ),
    )
    assert response.status_code == 302
    extension = Extension.objects.get()
    assert extension.is_late and extension.decision_deadline == D(2027, 9, 30)
    history = client.get(f"/agreements/{agreement.pk}/history/").content.decode()
    assert "SENT BESLUT" in history and "sammanträdde först i november" in history
    page = client.get(f"/agreements/{agreement.pk}/").content.decode()
    assert "Sent beslut (tidsgräns 2027-09-30)" in page


def test_late_decision_is_not_recorded_by_anyone_but_a_manager(world, agreement):
    with pytest.raises(ValidationError, match="verksamhetschef"):
        extend_agreement(
            agreement=agreement,
            user=world.finance_a,
            audit=AuditContext.system(),
            decided_on=D(2027, 11, 15),
            approvals=every_party_approves(agreement, D(2027, 11, 15)),
            late_reason="Sent",
        )
    assert unchanged(agreement)


def test_extension_decided_eleven_months_after_the_end_is_refused(world, login, agreement):
    response = login(world.manager_a).post(
        f"/agreements/{agreement.pk}/extend/",
        extension_post(agreement, "2028-11-30", late_reason="Glömdes bort."),
    )
    assert response.status_code == 400
    assert "En ny överenskommelse behövs" in response.content.decode()
    assert unchanged(agreement)


def test_database_refuses_an_extension_after_the_end_or_late_without_reason(agreement):
    from django.db import IntegrityError, transaction

    with transaction.atomic(), pytest.raises(IntegrityError):
        Extension.objects.create(
            agreement=agreement,
            decided_on=D(2028, 11, 30),
            previous_end_date=D(2027, 12, 31),
            new_end_date=D(2028, 12, 31),
        )
    with transaction.atomic(), pytest.raises(IntegrityError):
        Extension.objects.create(
            agreement=agreement,
            decided_on=D(2027, 11, 15),
            decision_deadline=D(2027, 9, 30),
            previous_end_date=D(2027, 12, 31),
            new_end_date=D(2028, 12, 31),
        )


def test_extension_is_not_kept_when_its_version_cannot_be_written(
    world, login, agreement, monkeypatch
):
    def fail(**kwargs):
        raise DatabaseError("the version row could not be written")

    monkeypatch.setattr(AgreementVersion.objects, "create", fail)
    with pytest.raises(DatabaseError):
        login(world.manager_a).post(
            f"/agreements/{agreement.pk}/extend/", extension_post(agreement, "2027-06-01")
        )
    assert unchanged(agreement)


# --------------------------------------------------------------------------- ended by date


@pytest.fixture
def expired(world):
    """An agreement whose end date has passed while it is still marked active."""
    today = timezone.localdate()
    agreement = AgreementFactory(
        short_id="utgangen",
        title="Utgången IOP",
        start_date=today - datetime.timedelta(days=800),
        end_date=today - datetime.timedelta(days=1),
    )
    PartyFactory(agreement=agreement, organisation=world.org_a)
    return agreement


def test_agreement_past_its_end_date_is_shown_as_ended(world, login, expired):
    client = login(world.manager_a)
    page = client.get(f"/agreements/{expired.pk}/").content.decode()
    assert '<span class="badge ended">Avslutad</span>' in page
    assert "Gällande" not in page.split("</h1>")[0]
    assert "Förläng " not in page
    listing = client.get("/agreements/").content.decode()
    row = listing[listing.index("Utgången IOP") :].split("</tr>")[0]
    assert "Avslutad" in row and "Gällande" not in row
    assert "Utgången IOP" not in client.get("/agreements/?status=active").content.decode()
    assert "Utgången IOP" in client.get("/agreements/?status=ended").content.decode()
    assert "IOP A" in client.get("/agreements/?status=active").content.decode()


def test_agreement_list_with_ended_agreements_keeps_its_query_count(
    world, login, expired, django_assert_num_queries
):
    client = login(world.manager_a)
    client.get("/agreements/")
    with django_assert_num_queries(5):
        client.get("/agreements/")


def test_ended_agreement_cannot_be_extended(world, login, expired):
    expired.extension_count = 1
    expired.save()
    day = timezone.localdate().isoformat()
    response = login(world.manager_a).post(
        f"/agreements/{expired.pk}/extend/",
        extension_post(expired, day, late_reason="Vi glömde."),
    )
    assert response.status_code == 400
    assert "En ny överenskommelse behövs" in response.content.decode()
    assert not Extension.objects.exists()


def test_daily_command_ends_expired_agreements_once(world, expired):
    versions = expired.versions.count()
    call_command("end_expired_agreements")
    expired.refresh_from_db()
    world.agreement_a.refresh_from_db()
    assert expired.status == Agreement.Status.ENDED
    assert world.agreement_a.status == Agreement.Status.ACTIVE
    assert expired.versions.count() == versions + 1
    last = expired.versions.order_by("-number").first()
    assert "slutdatum" in last.summary and last.valid_from == expired.end_date + datetime.timedelta(
        days=1
    )
    call_command("end_expired_agreements")
    assert expired.versions.count() == versions + 1


def test_ended_agreement_offers_no_enrolment(world, login, expired):
    from participants.views import _enrollable_agreements

    assert expired not in _enrollable_agreements(world.coordinator_a)
    assert world.agreement_a in _enrollable_agreements(world.coordinator_a)


# --------------------------------------------------------------------------- warnings


def ending_in(world, days):
    agreement = world.agreement_a
    agreement.end_date = timezone.localdate() + datetime.timedelta(days=days)
    agreement.start_date = agreement.end_date - datetime.timedelta(days=700)
    agreement.save()
    return agreement


def test_start_page_warns_six_months_before_the_end(world, login):
    agreement = ending_in(world, 150)
    page = login(world.manager_a).get("/").content.decode()
    assert "Löper snart ut" in page
    assert f"6 månader kvar till slutdatum {agreement.end_date.isoformat()}" in page
    assert "3 månader kvar" not in page.split("Kommande")[0]


def test_start_page_warns_three_months_before_the_end(world, login):
    agreement = ending_in(world, 80)
    page = login(world.manager_a).get("/").content.decode()
    warnings = page.split("Kommande")[0]
    assert f"3 månader kvar till slutdatum {agreement.end_date.isoformat()}" in warnings
    assert "6 månader kvar" not in warnings


def test_no_warning_more_than_six_months_before_the_end(world, login):
    ending_in(world, 250)
    page = login(world.manager_a).get("/").content.decode()
    assert "Löper snart ut" not in page
    # The coming warning dates are listed like any other deadline.
    assert "6 månader kvar till slutdatum" in page


def test_dashboard_lists_an_agreement_past_its_end_as_ended(world, login, expired):
    page = login(world.manager_a).get("/dashboards/").content.decode()
    assert 'Utgången IOP</a> <span class="badge ended">Avslutad</span>' in page
    assert 'IOP A</a> <span class="badge active">Gällande</span>' in page
