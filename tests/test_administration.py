"""Issue 18, deliverable 7: user administration in the app.

Administrators manage every user, partnership managers the users of their own
organisation; a one-time link sets the password and links the authenticator in one step
(no trust on first use); every action lands in the append-only administration log; and
wrong second-factor codes count per user and address, so a password alone cannot lock
out the owner."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from iop.audit import AuditContext
from iop.models import UserSession
from iop.roles import Role
from partnerships import actions_admin
from partnerships.models import AdministrationLogEntry, Invitation, Organisation, User
from tests.conftest import current_totp_code, verified_device
from tests.factories.partnerships import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "ett-långt-nytt-lösenord-2026"
LIST = "/administration/users/"
INVITE = "/administration/users/invite/"


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def _invite(client, org, role=Role.COORDINATOR, username="ny_person"):
    return client.post(
        INVITE,
        {
            "username": username,
            "first_name": "Ny",
            "last_name": "Person",
            "email": "ny.person@example.se",
            "organisation": org.pk if org else "",
            "role": role,
        },
    )


def _link_from_mail() -> str:
    match = re.search(r"https?://\S+/invitation/(\S+)/", str(mail.outbox[-1].body))
    assert match
    return f"/invitation/{match.group(1)}/"


def _redeem(link: str, code_for=None) -> Client:
    anonymous = Client()
    page = anonymous.get(link)
    assert page.status_code == 200
    main = page.content.decode().split("<main", 1)[1]
    assert "<svg" in main and "<img" not in main  # the QR code, drawn inline
    device = TOTPDevice.objects.get(user__username=code_for or "ny_person", confirmed=False)
    response = anonymous.post(
        link,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "code": _code(device)},
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    return anonymous


# --------------------------------------------------------------------------- invitations


def test_administrator_invites_and_the_link_sets_password_and_app_in_one_step(world, login):
    response = _invite(login(world.admin), world.org_b, Role.FINANCE)
    new = User.objects.get(username="ny_person")
    assert response["Location"] == reverse("admin_user_detail", args=[new.pk])
    assert not new.has_usable_password()
    assert new.roles() == {Role.FINANCE} and new.organisation == world.org_b
    link = _link_from_mail()
    assert mail.outbox[-1].to == ["ny.person@example.se"]

    invited = _redeem(link)

    # Signed in with both factors at once; recovery codes shown once.
    assert invited.get("/agreements/").status_code == 200
    new.refresh_from_db()
    assert new.check_password(NEW_PASSWORD)
    assert TOTPDevice.objects.get(user=new).confirmed
    assert StaticDevice.objects.get(user=new).token_set.count() == 10
    # The link works once.
    again = Client().get(link)
    assert again.status_code == 404 and "Länken gäller inte" in again.content.decode()
    actions = list(
        AdministrationLogEntry.objects.filter(target_user=new).values_list("action", flat=True)
    )
    assert sorted(actions) == ["invitation_used", "invited"]


def test_a_wrong_code_on_the_link_saves_nothing(world, login):
    _invite(login(world.admin), world.org_a)
    link = _link_from_mail()
    anonymous = Client()
    anonymous.get(link)
    response = anonymous.post(
        link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "code": "000000"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Koden stämmer inte" in html and 'class="error-summary' in html
    new = User.objects.get(username="ny_person")
    assert not new.has_usable_password()
    assert not TOTPDevice.objects.filter(user=new, confirmed=True).exists()
    assert Invitation.objects.get(user=new).used_at is None


def test_an_unknown_link_answers_404(db):
    assert Client().get("/invitation/not-a-real-token/").status_code == 404


# --------------------------------------------------------------------------- no trust on first use


def test_a_password_alone_cannot_link_an_authenticator(world, client):
    # finance_a was created without a link (as in the Django admin) and has no app yet.
    client.post("/login/", {"username": "finance_a", "password": PASSWORD})
    response = client.get("/agreements/")
    assert response["Location"].startswith("/security/enrol/")
    page = client.get(response["Location"])
    assert page.status_code == 403
    assert "inbjudningslänk" in page.content.decode()
    assert "<svg" not in page.content.decode()
    assert client.post("/security/enrol/", {"code": "123456"}).status_code == 405
    assert not TOTPDevice.objects.filter(user=world.finance_a).exists()
    assert client.get("/agreements/").status_code == 302


# --------------------------------------------------------------------------- lockout per address


def _sign_in_with_password(address: str) -> Client:
    c = Client(REMOTE_ADDR=address)
    assert c.post("/login/", {"username": "finance_a", "password": PASSWORD}).status_code == 302
    return c


def test_wrong_codes_from_a_password_holder_do_not_lock_out_the_owner(world, settings):
    verified_device(world.finance_a)
    intruder = _sign_in_with_password("198.51.100.66")
    for _n in range(settings.IOP_SECOND_FACTOR_FAILURE_LIMIT + 3):
        intruder.post("/security/verify/", {"code": "000000"})
    # The intruder's address is locked even with the right code ...
    locked = intruder.post("/security/verify/", {"code": current_totp_code(world.finance_a)})
    assert locked.status_code == 200 and "Koden godtogs inte" in locked.content.decode()
    # ... and the owner, elsewhere, signs in with the next code.
    owner = _sign_in_with_password("203.0.113.9")
    TOTPDevice.objects.filter(user=world.finance_a).update(last_t=-1)
    response = owner.post("/security/verify/", {"code": current_totp_code(world.finance_a)})
    assert response["Location"] == "/"
    assert owner.get("/agreements/").status_code == 200


# --------------------------------------------------------------------------- roles and scope


def test_manager_sees_only_their_own_organisations_users(world, login):
    html = login(world.manager_a).get(LIST).content.decode()
    assert "coord_a" in html and "finance_a" in html
    assert "coord_b" not in html and "admin_user" not in html and "manager_a" not in html
    # Swedish role names, not the group names.
    assert "Koordinator" in html and "Ekonom" in html and "coordinator" not in html


def test_manager_cannot_reach_users_outside_their_organisation_or_themselves(world, login):
    client = login(world.manager_a)
    for other in (world.coordinator_b, world.admin, world.manager_a, world.outsider):
        for suffix in ("", "deactivate/", "second-factor/"):
            url = f"/administration/users/{other.pk}/{suffix}"
            assert client.get(url).status_code == 404, url
            assert client.post(url, {"role": Role.MANAGER, "reason": "x"}).status_code == 404


def test_manager_cannot_grant_a_role_above_their_own_or_another_organisation(world, login):
    client = login(world.manager_a)
    page = client.get(INVITE).content.decode()
    assert 'value="admin"' not in page and "Förening B" not in page
    assert "Partnerskapsansvarig" in page
    response = _invite(client, world.org_a, Role.ADMIN)
    assert response.status_code == 200
    assert 'class="error-summary' in response.content.decode()
    assert _invite(client, world.org_b).status_code == 200
    assert not User.objects.filter(username="ny_person").exists()
    # Nor by changing an existing user's role.
    url = reverse("admin_user_detail", args=[world.coordinator_a.pk])
    client.post(url, {"organisation": world.org_a.pk, "role": Role.ADMIN})
    client.post(url, {"organisation": world.org_b.pk, "role": Role.COORDINATOR})
    world.coordinator_a.refresh_from_db()
    assert world.coordinator_a.organisation == world.org_a
    assert set(world.coordinator_a.groups.values_list("name", flat=True)) == {Role.COORDINATOR}


def test_the_verbs_refuse_self_widening_when_called_directly(world):
    audit = AuditContext.system()
    with pytest.raises(PermissionDenied):
        actions_admin.assign_role(
            user=world.manager_a,
            audit=audit,
            target=world.manager_a,
            organisation=world.org_a,
            role=Role.ADMIN,
        )
    with pytest.raises(PermissionDenied):
        actions_admin.assign_role(
            user=world.manager_a,
            audit=audit,
            target=world.coordinator_a,
            organisation=world.org_a,
            role=Role.ADMIN,
        )
    assert not AdministrationLogEntry.objects.exists()


def test_manager_invites_and_changes_a_role_within_their_organisation(world, login):
    client = login(world.manager_a)
    assert _invite(client, world.org_a, Role.MANAGER).status_code == 302
    assert User.objects.get(username="ny_person").roles() == {Role.MANAGER}
    url = reverse("admin_user_detail", args=[world.coordinator_a.pk])
    assert (
        client.post(url, {"organisation": world.org_a.pk, "role": Role.FINANCE})["Location"] == url
    )
    assert world.coordinator_a.roles() == {Role.FINANCE}
    entry = AdministrationLogEntry.objects.get(action="role_changed")
    assert (entry.actor, entry.target_user, entry.actor_organisation) == (
        world.manager_a,
        world.coordinator_a,
        world.org_a,
    )


@pytest.mark.parametrize("who", ["coordinator_a", "finance_a", "steering_a"])
def test_other_roles_have_no_administration(world, login, who):
    client = login(getattr(world, who))
    for url in (LIST, INVITE, "/administration/log/"):
        assert client.get(url).status_code == 403
    detail = f"/administration/users/{world.coordinator_b.pk}/"
    assert client.get(detail).status_code == 403
    assert "/administration/users/" not in client.get("/").content.decode()


# --------------------------------------------------------------------------- deactivate, reset


def test_deactivation_ends_every_session_and_is_logged(world, login):
    target = world.coordinator_a
    elsewhere = Client()
    elsewhere.force_login(target)
    assert elsewhere.get("/agreements/").status_code == 200
    assert UserSession.objects.filter(user=target).exists()
    client = login(world.manager_a)
    url = f"/administration/users/{target.pk}/deactivate/"
    empty = client.post(url, {"reason": ""})
    assert 'class="error-summary' in empty.content.decode()
    client.post(url, {"reason": "Slutat i föreningen"})
    target.refresh_from_db()
    assert not target.is_active
    assert not UserSession.objects.filter(user=target).exists()
    assert elsewhere.get("/agreements/").status_code == 302
    entry = AdministrationLogEntry.objects.get(action="deactivated")
    assert entry.details == "Slutat i föreningen" and entry.target_user == target


def test_second_factor_reset_needs_a_reason_and_sends_a_new_link(world, login):
    target = world.coordinator_a
    target.email = "koordinator.a@example.se"
    target.save()
    verified_device(target)
    StaticDevice.objects.create(user=target, name="recovery", confirmed=True)
    elsewhere = Client()
    elsewhere.force_login(target)
    client = login(world.admin)
    url = f"/administration/users/{target.pk}/second-factor/"
    refused = client.post(url, {"reason": ""})
    assert 'class="error-summary' in refused.content.decode()
    assert TOTPDevice.objects.filter(user=target).exists()

    client.post(url, {"reason": "Tappat telefonen"})

    assert not TOTPDevice.objects.filter(user=target).exists()
    assert not StaticDevice.objects.filter(user=target).exists()
    assert not UserSession.objects.filter(user=target).exists()
    assert mail.outbox[-1].to == ["koordinator.a@example.se"]
    entry = AdministrationLogEntry.objects.get(action="second_factor_reset")
    assert entry.details == "Tappat telefonen" and entry.actor == world.admin
    _redeem(_link_from_mail(), code_for="coord_a")
    assert TOTPDevice.objects.get(user=target).confirmed


def test_a_new_link_voids_the_older_one(world, login):
    _invite(login(world.admin), world.org_a)
    first = _link_from_mail()
    new = User.objects.get(username="ny_person")
    login(world.admin).post(f"/administration/users/{new.pk}/second-factor/", {"reason": "Ny länk"})
    assert Client().get(first).status_code == 404
    assert Client().get(_link_from_mail()).status_code == 200


def test_administrator_creates_an_organisation_and_it_is_logged(world, login):
    response = login(world.admin).post(
        "/organisations/new/",
        {
            "name": "Ny förening",
            "org_number": "802000-0009",
            "kind": "non_profit",
            "payment_terms_days": "30",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    org = Organisation.objects.get(name="Ny förening")
    entry = AdministrationLogEntry.objects.get(action="organisation_created")
    assert entry.organisation == org and entry.actor == world.admin


# --------------------------------------------------------------------------- the log


def _entry(world) -> AdministrationLogEntry:
    return actions_admin.record_administration(
        user=world.admin,
        audit=AuditContext(address="192.0.2.1"),
        action="deactivated",
        target=world.coordinator_a,
        details="Test",
    )


def test_the_log_cannot_be_changed_or_deleted_through_the_app(world):
    entry = _entry(world)
    entry.details = "Ändrad"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AdministrationLogEntry.objects.filter(pk=entry.pk).update(details="Ändrad")
    with pytest.raises(PermissionDenied):
        AdministrationLogEntry.objects.all().delete()
    assert AdministrationLogEntry.objects.get(pk=entry.pk).details == "Test"


def test_the_database_refuses_to_rewrite_the_log(world):
    entry = _entry(world)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE partnerships_administrationlogentry SET details = 'x' WHERE id = %s",
            [entry.pk],
        )
    assert AdministrationLogEntry.objects.get(pk=entry.pk).details == "Test"


def test_the_admin_site_shows_the_log_read_only(world, login):
    entry = _entry(world)
    world.admin.is_staff = True
    world.admin.save()
    client = login(world.admin)
    base = "/admin/partnerships/administrationlogentry/"
    assert client.get(base).status_code == 200
    assert client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(f"{base}add/").status_code == 403
    assert AdministrationLogEntry.objects.filter(pk=entry.pk).exists()


def test_a_failing_log_write_leaves_no_user_behind(world, monkeypatch):
    def broken(**kwargs):
        raise DatabaseError("log unavailable")

    monkeypatch.setattr(actions_admin, "record_administration", broken)
    with pytest.raises(DatabaseError):
        actions_admin.invite_user(
            user=world.admin,
            audit=AuditContext.system(),
            username="ny_person",
            first_name="Ny",
            last_name="Person",
            email="ny@example.se",
            organisation=world.org_a,
            role=Role.COORDINATOR,
        )
    assert not User.objects.filter(username="ny_person").exists()
    assert not Invitation.objects.exists()


def test_manager_reads_only_their_organisations_part_of_the_log(world, login):
    _entry(world)  # about coord_a of org A
    actions_admin.record_administration(
        user=world.admin, audit=AuditContext(), action="deactivated", target=world.coordinator_b
    )
    html = login(world.manager_a).get("/administration/log/").content.decode()
    assert "coord_a" in html and "coord_b" not in html
    assert "Inaktiverade användare" in html


def test_the_user_list_costs_the_same_queries_for_many_users(
    world, login, django_assert_max_num_queries
):
    client = login(world.admin)
    client.get(LIST)  # warm the session
    for n in range(15):
        UserFactory.create(organisation=world.org_a, role=Role.COORDINATOR, username=f"extra{n}")
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert "extra14" in response.content.decode()


def test_a_manager_without_organisation_manages_nobody(world, login):
    loose = UserFactory.create(username="loose_manager", organisation=None, role=Role.MANAGER)
    UserFactory.create(username="also_loose", organisation=None, role=Role.COORDINATOR)
    client = login(loose)
    assert "also_loose" not in client.get(LIST).content.decode()
    assert _invite(client, None).status_code == 200
    assert not User.objects.filter(username="ny_person").exists()


def test_a_deactivated_user_can_be_activated_again_and_both_are_logged(world, login):
    client = login(world.admin)
    url = f"/administration/users/{world.finance_a.pk}/deactivate/"
    client.post(url, {"reason": "Föräldraledig"})
    assert "Aktivera användare igen" in client.get(url).content.decode()
    client.post(url, {"reason": "Tillbaka"})
    world.finance_a.refresh_from_db()
    assert world.finance_a.is_active
    assert list(AdministrationLogEntry.objects.order_by("pk").values_list("action", "details")) == [
        ("deactivated", "Föräldraledig"),
        ("reactivated", "Tillbaka"),
    ]


# --------------------------------------------------------------------------- the Django admin


def _admin_user_form(target: User, **changes) -> dict:
    """The Django admin's change form for a user, as the browser posts it."""
    data = {
        "username": target.username,
        "first_name": target.first_name,
        "last_name": target.last_name,
        "email": target.email,
        "organisation": target.organisation_id or "",
        "groups": [g.pk for g in target.groups.all()],
        "date_joined_0": target.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": target.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": target.date_joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": target.date_joined.strftime("%H:%M:%S"),
    }
    if target.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_deactivating_in_the_django_admin_ends_sessions_and_is_logged(world, login):
    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    target = world.coordinator_a
    elsewhere = Client()
    elsewhere.force_login(target)
    assert UserSession.objects.filter(user=target).exists()
    client = login(world.admin)
    url = f"/admin/partnerships/user/{target.pk}/change/"
    assert client.get(url).status_code == 200

    response = client.post(url, _admin_user_form(target, is_active=None))

    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert not target.is_active
    assert not UserSession.objects.filter(user=target).exists()
    assert elsewhere.get("/agreements/").status_code == 302
    entry = AdministrationLogEntry.objects.get(action="deactivated")
    assert entry.target_user == target and entry.actor == world.admin
    assert "Django-admin" in entry.details


def test_a_role_change_in_the_django_admin_is_logged_and_a_plain_save_is_not(world, login):
    from django.contrib.auth.models import Group

    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    target = world.coordinator_a
    client = login(world.admin)
    url = f"/admin/partnerships/user/{target.pk}/change/"
    assert client.post(url, _admin_user_form(target)).status_code == 302
    assert not AdministrationLogEntry.objects.filter(target_user=target).exists()

    manager_group, _created = Group.objects.get_or_create(name=Role.MANAGER)
    assert client.post(url, _admin_user_form(target, groups=[manager_group.pk])).status_code == 302
    entry = AdministrationLogEntry.objects.get(target_user=target, action="role_changed")
    assert Role.MANAGER in entry.details and "Django-admin" in entry.details
