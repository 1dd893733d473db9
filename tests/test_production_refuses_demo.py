"""Issue 18: `load_demo` ran in production and created `admin` with the published password
and authenticator key. The demo commands now refuse unless DEBUG is on or the operator
says so, and `check --deploy` warns while demo logins exist."""

import io

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from partnerships.demo import DEMO_PASSWORD
from partnerships.models import User

pytestmark = pytest.mark.django_db


def test_load_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo", stdout=io.StringIO())
    assert not User.objects.exists()
    assert not TOTPDevice.objects.exists()


def test_load_demo_runs_with_debug_on(settings):
    # scripts/run: the development .env sets DEBUG=true.
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    assert User.objects.get(username="admin").check_password(DEMO_PASSWORD)


def test_load_demo_runs_with_debug_off_when_asked_explicitly(settings):
    settings.DEBUG = False
    call_command("load_demo", "--allow-demo-data", stdout=io.StringIO())
    assert User.objects.filter(username="koordinator").exists()


def test_demo_code_refuses_with_debug_off(settings):
    settings.DEBUG = False
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("demo_code", stdout=out, stderr=io.StringIO())
    assert out.getvalue() == ""


def test_demo_code_prints_a_code_with_debug_on(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo_code", stdout=out, stderr=io.StringIO())
    assert len(out.getvalue().strip()) == 6


def _deploy_warnings() -> list[str]:
    return [m.id for m in run_checks(include_deployment_checks=True) if m.id]


def test_check_deploy_warns_while_demo_logins_exist(settings):
    call_command("load_demo", allow_demo_data=True, stdout=io.StringIO())
    assert "reporting.W001" in _deploy_warnings()


def test_check_deploy_is_quiet_without_demo_logins(world):
    assert "reporting.W001" not in _deploy_warnings()


def test_check_deploy_warns_for_a_demo_name_with_the_published_password(world):
    User.objects.create_user("admin", password=DEMO_PASSWORD)
    assert "reporting.W001" in _deploy_warnings()


def test_an_admin_named_admin_with_an_own_password_is_not_a_demo_login(world):
    User.objects.create_user("admin", password="a-long-own-password-2026")
    assert "reporting.W001" not in _deploy_warnings()
