import pytest

pytestmark = pytest.mark.django_db


def test_interface_is_swedish_by_default(client):
    response = client.get("/login/")
    assert '<html lang="sv">' in response.content.decode()
    assert "Logga in" in response.content.decode()


def test_language_can_be_switched_to_english_before_sign_in(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    page = client.get("/login/").content.decode()
    assert '<html lang="en">' in page
    assert "Sign in" in page


def test_english_agreement_page_uses_translated_labels(world, login):
    client = login(world.manager_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/agreements/{world.agreement_a.pk}/").content.decode()
    assert "Parties" in page and "Budget" in page
    # Amounts and dates keep the house style in every language.
    assert "1 000 000 kr" in page and "2026-01-01" in page


def test_english_browser_still_gets_swedish_until_the_user_switches(client):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="sv">' in page


def _catalogue_statistics() -> str:
    import shutil
    import subprocess
    from pathlib import Path

    if not shutil.which("msgfmt"):
        pytest.skip("GNU gettext (msgfmt) behövs för att granska katalogen.")
    po = Path(__file__).resolve().parent.parent / "locale/en/LC_MESSAGES/django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stderr


@pytest.mark.django_db(False)
def test_every_interface_string_has_an_english_translation(tmp_path):
    # makemessages on a copy of the code: every string marked for translation must be in
    # the catalogue, translated, and not a fuzzy guess by msgmerge (it once rendered
    # "Betalning" as "Job title"); gettext ignores those, so the page silently stays Swedish.
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    _catalogue_statistics()
    root = Path(__file__).resolve().parent.parent
    copy = tmp_path / "src"
    skip = shutil.ignore_patterns(".venv", ".git", "node_modules", "__pycache__", "*.sqlite3")
    shutil.copytree(root, copy, ignore=skip, symlinks=True)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    po = copy / "locale/en/LC_MESSAGES/django.po"
    stats = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert "fuzzy" not in stats and "untranslated" not in stats, (
        f"{stats.strip()} – kör makemessages -l en --no-location och översätt."
    )


@pytest.mark.django_db(False)
def test_compiled_english_catalogue_matches_its_source(tmp_path):
    import subprocess
    from pathlib import Path

    _catalogue_statistics()
    folder = Path(__file__).resolve().parent.parent / "locale/en/LC_MESSAGES"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(folder / "django.po")], check=True)
    assert fresh.read_bytes() == (folder / "django.mo").read_bytes(), (
        "django.mo är inte kompilerad från django.po: kör msgfmt."
    )
