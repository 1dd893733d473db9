import pytest
from django.core.exceptions import ValidationError

from partnerships.models import Organisation
from partnerships.validators import validate_gln, validate_org_number, validate_peppol_id

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["212000-0449", "2120000449", "802438-1355"])
def test_valid_org_numbers_pass(value):
    validate_org_number(value)


@pytest.mark.parametrize("value", ["212000-0448", "12345", "abcdef-ghij", "212000-04491"])
def test_invalid_org_numbers_are_refused_in_swedish(value):
    with pytest.raises(ValidationError) as exc:
        validate_org_number(value)
    assert "organisationsnummer" in exc.value.messages[0]


def test_gln_check_digit_is_verified():
    validate_gln("7332776000001")
    with pytest.raises(ValidationError):
        validate_gln("7332776000002")
    with pytest.raises(ValidationError):
        validate_gln("733277600000")


def test_peppol_id_with_scheme_0007_must_be_an_org_number():
    validate_peppol_id("0007:2120000449")
    with pytest.raises(ValidationError):
        validate_peppol_id("0007:2120000448")
    with pytest.raises(ValidationError):
        validate_peppol_id("2120000449")


def test_model_validation_applies_in_the_shell_too():
    org = Organisation(name="X", org_number="212000-0448", kind="municipality", gln="123")
    with pytest.raises(ValidationError) as exc:
        org.full_clean()
    assert set(exc.value.message_dict) == {"org_number", "gln"}


def test_org_number_is_normalised_to_dash_form():
    org = Organisation(name="X", org_number="2120000449", kind="municipality")
    org.full_clean()
    assert org.org_number == "212000-0449"


def test_admin_creates_organisation_with_bad_data_and_gets_messages_next_to_fields(world, login):
    client = login(world.admin)
    response = client.post(
        "/organisations/new/",
        {
            "name": "Ny förening",
            "org_number": "802438-1356",
            "kind": "non_profit",
            "gln": "7332776000002",
            "peppol_id": "0007:123",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"org_number", "gln", "peppol_id"}
    assert "kontrollsiffra" in response.content.decode()
    assert not Organisation.objects.filter(name="Ny förening").exists()


def test_admin_creates_valid_organisation(world, login):
    client = login(world.admin)
    response = client.post(
        "/organisations/new/",
        {
            "name": "Ny förening",
            "org_number": "8024381355",
            "kind": "non_profit",
            "gln": "7332776000001",
            "peppol_id": "0007:2120000449",
            "postal_code": "211 22",
        },
    )
    org = Organisation.objects.get(name="Ny förening")
    assert response.status_code == 302
    assert org.org_number == "802438-1355"


def test_manager_cannot_edit_another_organisation(world, login):
    client = login(world.manager_a)
    assert client.get(f"/organisations/{world.municipality.pk}/edit/").status_code == 403
    assert client.get(f"/organisations/{world.org_a.pk}/edit/").status_code == 200


def test_outsider_cannot_see_organisations_of_other_partnerships(world, login):
    client = login(world.outsider)
    assert client.get(f"/organisations/{world.org_a.pk}/").status_code == 404
    assert client.get(f"/organisations/{world.outsider_org.pk}/").status_code == 200
