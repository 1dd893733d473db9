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
