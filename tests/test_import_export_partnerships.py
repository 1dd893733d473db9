"""Import/export of organisations, contact persons and actual costs."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from iop.models import ImportJob
from partnerships import datasets
from partnerships.models import ActualCost, ContactPerson, Organisation
from tests.factories.partnerships import ContactPersonFactory
from tests.io_helpers import (  # noqa: F401 - io_settings is an autouse fixture
    csv_bytes,
    import_file,
    io_settings,
    preview,
    read_csv,
    read_xlsx,
    upload,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

ORG_HEADER = [
    "Organisationsnummer",
    "Namn",
    "Typ",
    "Utdelningsadress",
    "Postnummer",
    "Ort",
    "GLN",
    "PEPPOL-ID",
    "Referenskod",
    "Märkning",
    "Bankgiro",
    "Plusgiro",
    "IBAN",
    "BIC",
    "Betalningsvillkor (dagar)",
    "OCR-nummer som referens",
    "Godkänd för F-skatt",
]


def _snapshot(model, *fields):
    return sorted(model.objects.values_list(*fields))


def test_manager_round_trip_organisations_csv_changes_nothing(world, login):
    client = login(world.manager_a)
    world.org_a.city = "Malmö"
    world.org_a.invoice_marking = "=IOP A"
    world.org_a.save()
    before = _snapshot(Organisation, "org_number", "name", "kind", "city", "invoice_marking")
    exported = read_csv(client.get(reverse("io_export", args=["organisations"])))
    assert exported[0] == ORG_HEADER
    content = csv_bytes(exported)
    job = import_file(client, "organisations", content)
    assert job.summary["new"] == 0 and job.summary["update"] == 0
    assert job.summary["refused"] == 0
    assert (
        _snapshot(Organisation, "org_number", "name", "kind", "city", "invoice_marking") == before
    )


def test_manager_updates_own_organisation_with_english_headers(world, login):
    client = login(world.manager_a)
    digits = world.org_a.org_number.replace("-", "")
    content = csv_bytes(
        [["org_number", "name", "kind", "city"], [digits, "Förening A", "non_profit", "Lund"]]
    )
    job = import_file(client, "organisations", content)
    assert job.status == ImportJob.Status.DONE
    world.org_a.refresh_from_db()
    assert world.org_a.city == "Lund"
    # The same file again changes nothing.
    again = import_file(client, "organisations", content)
    assert again.summary["skip"] == 1 and again.summary["update"] == 0


def test_manager_cannot_change_another_partys_organisation(world, login):
    client = login(world.manager_a)
    content = csv_bytes(
        [
            ["Organisationsnummer", "Namn", "Typ"],
            [world.org_a.org_number, "Förening A", "Idéburen organisation"],
            [world.municipality.org_number, "Kapad kommun", "Kommun"],
            [world.org_b.org_number, "Kapad B", "Idéburen organisation"],
        ]
    )
    job = preview(client, "organisations", content)
    assert job.summary["refused"] == 2
    reasons = {row["row"]: row.get("reasons") for row in job.rows}
    assert "din egen organisation" in reasons[3][0]
    assert "hör inte till dina partnerskap" in reasons[4][0]
    assert Organisation.objects.get(pk=world.municipality.pk).name == "Testkommun"
    assert Organisation.objects.get(pk=world.org_b.pk).name == "Förening B"
    response = client.post(reverse("io_job_confirm", args=[job.pk]))
    assert response.status_code == 403


def test_invalid_org_number_is_refused_with_swedish_reason(world, login):
    client = login(world.admin)
    content = csv_bytes([ORG_HEADER[:3], ["556000-0000", "Fel AB", "Övrig"]])
    job = preview(client, "organisations", content)
    assert job.summary["refused"] == 1
    assert "Ogiltigt organisationsnummer" in job.rows[0]["reasons"][0]


def test_admin_creates_organisations_and_second_import_changes_nothing(world, login):
    client = login(world.admin)
    content = csv_bytes([ORG_HEADER[:3], ["212000-1355", "Nya kommunen", "Kommun"]])
    job = import_file(client, "organisations", content)
    assert job.summary["new"] == 1
    assert Organisation.objects.filter(org_number="212000-1355").count() == 1
    again = import_file(client, "organisations", content)
    assert again.summary == {**again.summary, "new": 0, "update": 0, "skip": 1}
    assert Organisation.objects.filter(org_number="212000-1355").count() == 1


def test_all_or_nothing_one_bad_row_saves_nothing(world, login):
    client = login(world.admin)
    content = csv_bytes(
        [
            ORG_HEADER[:3],
            ["212000-1355", "Nya kommunen", "Kommun"],
            ["212000-0009", "Trasig", "Kommun"],
        ]
    )
    job = preview(client, "organisations", content)
    assert job.summary["new"] == 1 and job.summary["refused"] == 1
    assert not Organisation.objects.filter(org_number="212000-1355").exists()
    assert job.status == ImportJob.Status.PREVIEWED
    assert client.post(reverse("io_job_confirm", args=[job.pk])).status_code == 403
    assert not Organisation.objects.filter(org_number="212000-1355").exists()


def test_all_or_nothing_when_the_database_refuses_during_confirm(world, login, monkeypatch):
    client = login(world.admin)
    content = csv_bytes(
        [
            ORG_HEADER[:3],
            ["212000-1355", "Nya kommunen", "Kommun"],
            ["212000-0142", "Andra kommunen", "Kommun"],
        ]
    )
    job = preview(client, "organisations", content)
    assert job.summary["new"] == 2
    # Something fails on the second row only when it is really saved.
    original_save = Organisation.save

    def failing_save(self, *args, **kwargs):
        if self.name == "Andra kommunen":
            raise RuntimeError("disk full")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Organisation, "save", failing_save)
    client.post(reverse("io_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REFUSED
    assert not Organisation.objects.filter(org_number__in=["212000-1355", "212000-0142"]).exists()


def test_duplicate_key_in_file_is_refused(world, login):
    client = login(world.admin)
    content = csv_bytes(
        [
            ORG_HEADER[:3],
            ["212000-1355", "Nya kommunen", "Kommun"],
            ["2120001355", "Samma igen", "Kommun"],
        ]
    )
    job = preview(client, "organisations", content)
    assert job.summary["refused"] == 1
    assert "Samma nyckel som rad 2" in job.rows[1]["reasons"][0]


def test_contact_persons_round_trip_xlsx(world, login):
    ContactPersonFactory(
        organisation=world.org_a,
        name="Kim Kontakt",
        title="Samordnare",
        email="kim@example.org",
        phone="+46 40 123 45",
    )
    ContactPersonFactory(organisation=world.org_b, name="Bo i B")
    client = login(world.manager_a)
    rows = read_xlsx(client.get(reverse("io_export", args=["contact_persons"]) + "?format=xlsx"))
    assert rows[0] == ["Organisationsnummer", "Namn", "Befattning", "E-post", "Telefon"]
    # B's contact person is not visible to A.
    assert [r[1] for r in rows[1:]] == ["Kim Kontakt"]
    # The phone number starts with + and comes out neutralised.
    assert rows[1][4] == "'+46 40 123 45"
    before = _snapshot(ContactPerson, "organisation_id", "name", "title", "email", "phone")
    job = import_file(client, "contact_persons", xlsx_bytes(rows), name="kontakter.xlsx")
    assert job.summary["skip"] == 1 and job.summary["new"] == 0
    assert _snapshot(ContactPerson, "organisation_id", "name", "title", "email", "phone") == before


def test_contact_person_for_other_organisation_is_refused(world, login):
    client = login(world.manager_a)
    content = csv_bytes(
        [
            ["Organisationsnummer", "Namn"],
            [world.org_a.org_number, "Ny person"],
            [world.municipality.org_number, "Smygperson"],
        ]
    )
    job = preview(client, "contact_persons", content)
    assert job.summary["refused"] == 1 and job.summary["new"] == 1
    assert "din egen organisation" in job.rows[1]["reasons"][0]
    assert not ContactPerson.objects.exists()


def _actual_rows(world, voucher="V-1", amount="1 500,50", short_id="iop-a"):
    return [
        [
            "Överenskommelse",
            "År",
            "Kostnadspost",
            "Verifikation",
            "Datum",
            "Belopp",
            "Beskrivning",
            "Orsak (negativt belopp)",
        ],
        [short_id, "2026", "Personal", voucher, "2026-02-01", amount, "Lön januari", ""],
    ]


def test_finance_imports_actual_costs_and_round_trips(world, login):
    client = login(world.finance_a)
    job = import_file(client, "actual_costs", csv_bytes(_actual_rows(world)))
    assert job.summary["new"] == 1, job.rows
    actual = ActualCost.objects.get()
    assert actual.amount == Decimal("1500.50")
    assert actual.date == datetime.date(2026, 2, 1)
    assert actual.recorded_by == world.finance_a
    exported = read_csv(
        client.get(
            reverse("io_export", args=["actual_costs"])
            + f"?agreement={world.agreement_a.pk}&year=2026"
        )
    )
    assert exported[1] == [
        "iop-a",
        "2026",
        "Personal",
        "V-1",
        "2026-02-01",
        "1500,50",
        "Lön januari",
        "",
    ]
    again = import_file(client, "actual_costs", csv_bytes(exported))
    assert again.summary["skip"] == 1 and ActualCost.objects.count() == 1
    xlsx = read_xlsx(client.get(reverse("io_export", args=["actual_costs"]) + "?format=xlsx"))
    assert xlsx[1][5] == 1500.5
    again = import_file(client, "actual_costs", xlsx_bytes(xlsx), name="utfall.xlsx")
    assert again.summary["skip"] == 1, again.rows


def test_actual_cost_on_other_partnership_is_refused(world, login):
    client = login(world.finance_a)
    job = preview(client, "actual_costs", csv_bytes(_actual_rows(world, short_id="iop-b")))
    assert job.summary["refused"] == 1
    assert "finns inte i en budget du får bokföra på" in job.rows[0]["reasons"][0]
    assert not ActualCost.objects.exists()


def test_coordinator_may_not_import_or_export_actual_costs(world, login):
    client = login(world.coordinator_a)
    assert client.get(reverse("io_import", args=["actual_costs"])).status_code == 403
    assert client.get(reverse("io_export", args=["actual_costs"])).status_code == 403
    assert upload(client, "actual_costs", csv_bytes(_actual_rows(world))).status_code == 403
    assert not ImportJob.objects.exists()


def test_steering_may_not_export_contact_persons_or_import(world, login):
    client = login(world.steering_a)
    assert client.get(reverse("io_export", args=["contact_persons"])).status_code == 403
    assert client.get(reverse("io_import", args=["organisations"])).status_code == 403


def test_import_job_of_another_user_is_not_found(world, login):
    client = login(world.admin)
    job = preview(
        client, "organisations", csv_bytes([ORG_HEADER[:3], ["212000-1355", "K", "Kommun"]])
    )
    other = login(world.manager_a)
    assert other.get(reverse("io_job", args=[job.pk])).status_code == 404
    assert other.post(reverse("io_job_confirm", args=[job.pk])).status_code == 404


def test_template_has_swedish_headers_and_instructions(world, login):
    import io as _io

    from tests.io_helpers import load_workbook

    client = login(world.finance_a)
    response = client.get(reverse("io_template", args=["actual_costs"]) + "?format=xlsx")
    workbook = load_workbook(_io.BytesIO(b"".join(response.streaming_content)))
    assert [c.value for c in workbook.worksheets[0][1]] == _actual_rows(world)[0]
    assert workbook.worksheets[1]["A1"].value == "Kolumn"


def test_missing_key_column_refuses_the_file(world, login):
    client = login(world.admin)
    response = upload(client, "organisations", csv_bytes([["Namn"], ["X"]]))
    assert response.status_code == 400
    assert "Kolumner saknas: Organisationsnummer" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_list_pages_link_to_import_and_export_with_current_filters(world, login):
    from tests.factories.participants import enrolled

    enrolled(world.agreement_a, world.org_a)
    client = login(world.manager_a)
    page = client.get(reverse("organisation_list")).content.decode()
    assert reverse("io_export", args=["organisations"]) + "?format=xlsx" in page
    assert reverse("io_import", args=["organisations"]) in page
    page = client.get(reverse("budget_detail", args=[world.agreement_a.pk, 2026])).content.decode()
    assert f"agreement={world.agreement_a.pk}&amp;year=2026&amp;format=xlsx" in page
    page = client.get(
        reverse("participants:list") + f"?agreement={world.agreement_a.pk}"
    ).content.decode()
    assert (
        reverse("io_export", args=["contacts"])
        + f"?agreement={world.agreement_a.pk}&amp;format=csv"
        in page
    )


def test_steering_sees_no_import_or_export_links(world, login):
    client = login(world.steering_a)
    page = client.get(reverse("organisation_list")).content.decode()
    assert reverse("io_export", args=["organisations"]) not in page
    assert reverse("io_index") not in page
    assert client.get(reverse("io_index")).status_code == 403


def test_import_pages_render(world, login):
    client = login(world.admin)
    assert "Import och export" in client.get(reverse("io_index")).content.decode()
    for kind in (
        "organisations",
        "contact_persons",
        "actual_costs",
        "participants",
        "contacts",
        "attendance",
    ):
        page = client.get(reverse("io_import", args=[kind]))
        assert page.status_code == 200
        assert reverse("io_template", args=[kind]) in page.content.decode()


def test_invalid_gln_and_peppol_id_are_refused_like_in_the_form(world, login):
    client = login(world.manager_a)
    content = csv_bytes(
        [
            ["Organisationsnummer", "Namn", "Typ", "GLN", "PEPPOL-ID"],
            [
                world.org_a.org_number,
                "Förening A",
                "Idéburen organisation",
                "7350000000001",
                "0007:123",
            ],
        ]
    )
    job = preview(client, "organisations", content)
    assert job.summary["refused"] == 1
    reasons = " ".join(job.rows[0]["reasons"])
    assert "GLN: GLN-numrets kontrollsiffra stämmer inte." in reasons
    assert "PEPPOL-ID: PEPPOL-ID med schema 0007" in reasons


def test_preview_page_lists_rows_with_changes_and_reasons(world, login):
    client = login(world.manager_a)
    content = csv_bytes(
        [
            ["Organisationsnummer", "Namn", "Typ", "Ort"],
            [world.org_a.org_number, "Förening A", "Idéburen organisation", "Lund"],
            [world.org_b.org_number, "Kapad B", "Idéburen organisation", ""],
        ]
    )
    job = preview(client, "organisations", content)
    page = client.get(reverse("io_job", args=[job.pk])).content.decode()
    assert "Ort: <del>–</del> → <ins>Lund</ins>" in page
    assert "hör inte till dina partnerskap" in page
    assert "Bekräfta och importera" not in page


@pytest.mark.parametrize(
    ("resource_path", "field"),
    [
        ("ContactPersonResource", "organisation"),
        ("ActualCostResource", "cost_line"),
    ],
)
def test_lookup_declared_on_the_resource_class_looks_nothing_up_until_bound(
    world, resource_path, field
):
    # The widget on the class is only a declaration (it used to be given None as its
    # resource); each resource built for a user binds its own copy, scoped to that user.
    resource_class = getattr(datasets, resource_path)
    declared = resource_class.fields[field].widget
    with pytest.raises(ImproperlyConfigured):
        declared.clean("556000-0000", row={"Överenskommelse": "x", "År": "2026"})
    bound = resource_class(user=world.manager_a).fields[field].widget
    assert bound is not declared and bound.resource.user == world.manager_a
