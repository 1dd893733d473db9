"""Response headers, production settings (`check --deploy`) and templates fit for a strict CSP."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def test_pages_carry_a_strict_content_security_policy(world, login):
    response = login(world.coordinator_a).get("/agreements/")
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_signed_in_pages_are_never_cached(world, login):
    response = login(world.coordinator_a).get("/agreements/")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_sign_in_page_is_not_cached_either(client, db):
    assert "no-store" in client.get("/login/")["Cache-Control"]


def test_templates_have_no_inline_scripts_or_styles():
    """The CSP blocks inline code, so a template that has some would silently break."""
    offenders = []
    dirs = [ROOT / "templates", *ROOT.glob("*/templates")]
    for folder in dirs:
        for path in folder.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            for match in re.finditer(r"<script\b[^>]*>", text):
                if "src=" not in match.group(0) and "application/json" not in match.group(0):
                    offenders.append(f"{path.relative_to(ROOT)}: inline <script>")
            if re.search(r"\sstyle=\"", text) and "pdf" not in str(path):
                offenders.append(f"{path.relative_to(ROOT)}: style attribute")
            if re.search(r"\son[a-z]+=\"", text):
                offenders.append(f"{path.relative_to(ROOT)}: inline event handler")
    assert offenders == []


def test_deploy_check_passes_with_production_settings(tmp_path):
    env = {
        # The browser tests allow async-unsafe ORM use in this process; production must not.
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "iop.example.se",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_cookies_are_secure_host_only_and_http_only(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "iop.example.se",
    }
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_NAME, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS >= 31536000)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.splitlines()[-1].split() == [
        "__Host-sessionid",
        "True",
        "True",
        "Lax",
        "__Host-csrftoken",
        "True",
        "True",
    ], result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"DEBUG": "false", "ALLOWED_HOSTS": "iop.example.se"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_session_limits_are_thirty_minutes_idle_and_twelve_hours_in_all():
    assert settings.IOP_SESSION_IDLE_SECONDS == 30 * 60
    assert settings.IOP_SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
