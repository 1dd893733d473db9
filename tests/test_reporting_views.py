"""Report pages through the test client: access, submit/freeze/correct, bad input, PDFs."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from partnerships.models import FundingShare
from reporting.models import AnnualReport, InvoiceBasis, RenderJob


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def url(name, *args):
    return reverse(f"reporting:{name}", args=args)


def test_outsider_gets_404_for_every_report_page(world, login):
    client = login(world.outsider)
    a = world.agreement_a.pk
    for path in (url("index", a), url("annual_report", a, 2026), url("invoice_basis", a, 2026)):
        assert client.get(path).status_code == 404
    assert client.post(url("annual_report_submit", a, 2026)).status_code == 404


def test_coordinator_may_read_the_draft_but_not_the_invoice_basis(world, login):
    client = login(world.coordinator_a)
    assert client.get(url("annual_report", world.agreement_a.pk, 2026)).status_code == 200
    assert client.get(url("invoice_basis", world.agreement_a.pk, 2026)).status_code == 403
    assert (
        client.post(
            url("annual_report_save", world.agreement_a.pk, 2026), {"activities": "x"}
        ).status_code
        == 403
    )


def test_steering_group_sees_only_submitted_reports(
    world, login, django_capture_on_commit_callbacks, year_2026_ended
):
    steering = login(world.steering_a)
    assert steering.get(url("annual_report", world.agreement_a.pk, 2026)).status_code == 403
    manager = login(world.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(
            url("annual_report_submit", world.agreement_a.pk, 2026), {"accept_warnings": "on"}
        )
    client = login(world.steering_a)
    response = client.get(url("annual_report", world.agreement_a.pk, 2026))
    assert response.status_code == 200
    assert "Inlämnad" in response.content.decode()


def test_finance_gets_the_invoice_basis_and_issues_it(world, login):
    client = login(world.finance_a)
    response = client.get(url("invoice_basis", world.agreement_a.pk, 2026))
    assert response.status_code == 200
    assert "700 000 kr" in response.content.decode()
    response = client.post(
        url("invoice_basis", world.agreement_a.pk, 2026),
        {"party": world.agreement_a.public_parties().get().pk},
    )
    basis = InvoiceBasis.objects.get()
    assert response.status_code == 302 and response.url == basis.get_absolute_url()
    assert basis.number == "FU-00001" and basis.amount == Decimal("700000.00")
    pdf = client.get(url("invoice_basis_issued_pdf", world.agreement_a.pk, basis.pk))
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "FU-00001" in text
    ubl = client.get(url("invoice_basis_ubl", world.agreement_a.pk, basis.pk))
    assert b"<cbc:BuyerReference>" in ubl.content


def test_year_outside_agreement_gives_a_swedish_message_and_nothing_changes(world, login):
    client = login(world.finance_a)
    response = client.post(url("invoice_basis", world.agreement_a.pk, 2031), follow=True)
    assert (
        "Året 2031 ligger utanför överenskommelsens period 2026–2027." in response.content.decode()
    )
    assert not InvoiceBasis.objects.exists()
    manager = login(world.manager_a)
    response = manager.post(
        url("annual_report_save", world.agreement_a.pk, 2031), {"activities": "x"}, follow=True
    )
    assert "ligger utanför överenskommelsens period" in response.content.decode()
    assert not AnnualReport.objects.exists()


def test_year_without_budget_gives_a_swedish_message(world, login):
    client = login(world.finance_a)
    response = client.post(url("invoice_basis", world.agreement_a.pk, 2027), follow=True)
    assert "Det finns ingen budget för 2027." in response.content.decode()
    assert not InvoiceBasis.objects.exists()
    manager = login(world.manager_a)
    response = manager.post(
        url("annual_report_submit", world.agreement_a.pk, 2027),
        {"accept_warnings": "on"},
        follow=True,
    )
    assert "Det finns ingen budget för 2027." in response.content.decode()
    assert not AnnualReport.objects.filter(status="submitted").exists()


def test_shares_that_no_longer_add_up_block_invoicing_and_submission(world, login, year_2026_ended):
    budget = world.agreement_a.budgets.get(year=2026)
    FundingShare.objects.filter(budget=budget, party=world.party_a).update(percent=Decimal("25"))
    response = login(world.finance_a).post(
        url("invoice_basis", world.agreement_a.pk, 2026), follow=True
    )
    assert (
        "Finansieringsandelarna blir 950 000 kr men budgeten är 1 000 000 kr"
        in response.content.decode()
    )
    assert not InvoiceBasis.objects.exists()
    response = login(world.manager_a).post(
        url("annual_report_submit", world.agreement_a.pk, 2026),
        {"accept_warnings": "on"},
        follow=True,
    )
    assert "Årsrapporten kan inte lämnas in" in response.content.decode()
    assert not AnnualReport.objects.filter(status="submitted").exists()


def test_submit_freezes_figures_and_pdf_then_refuses_a_second_submit_and_edits(
    world, login, django_capture_on_commit_callbacks, year_2026_ended
):
    client = login(world.manager_a)
    a = world.agreement_a.pk
    client.post(
        url("annual_report_save", a, 2026),
        {"activities": "Vi har gjort mycket.", "went_well": "", "went_badly": ""},
    )
    # Quality warnings (no actuals) need an explicit confirmation.
    response = client.post(url("annual_report_submit", a, 2026), follow=True)
    assert "Kvalitetskontrollen hittade" in response.content.decode()
    assert AnnualReport.objects.get().status == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("annual_report_submit", a, 2026), {"accept_warnings": "on"})
    report = AnnualReport.objects.get()
    assert report.status == "submitted" and report.figures["account"]["total"] == "1000000.00"
    assert report.pdf is not None and RenderJob.objects.get().status == "ready"
    frozen_pdf = bytes(report.pdf)

    # Later changes to the budget do not touch the submitted report.
    budget = world.agreement_a.budgets.get(year=2026)
    budget.cost_lines.update(amount=Decimal("2000000"))
    report.refresh_from_db()
    assert report.figures["account"]["total"] == "1000000.00"
    response = client.get(url("annual_report_pdf", a, 2026, 1))
    assert response.content == frozen_pdf
    assert "1 000 000 kr" in " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages
    )

    response = client.post(
        url("annual_report_submit", a, 2026), {"accept_warnings": "on"}, follow=True
    )
    assert "Årsrapporten för 2026 är redan inlämnad (version 1)." in response.content.decode()
    response = client.post(
        url("annual_report_save", a, 2026), {"activities": "Ändrat"}, follow=True
    )
    assert "är inlämnad och kan inte ändras" in response.content.decode()
    report.refresh_from_db()
    assert report.activities == "Vi har gjort mycket." and AnnualReport.objects.count() == 1


def test_correction_creates_a_new_version_and_the_old_stays_readable(
    world, login, django_capture_on_commit_callbacks, year_2026_ended
):
    client = login(world.manager_a)
    a = world.agreement_a.pk
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("annual_report_submit", a, 2026), {"accept_warnings": "on"})
    client.post(url("annual_report_correct", a, 2026), {"reason": "Fel antal deltagare"})
    v1, v2 = AnnualReport.objects.order_by("version")
    assert (v1.status, v2.status, v2.version, v2.previous_id) == ("submitted", "draft", 2, v1.pk)
    response = client.get(url("annual_report", a, 2026) + "?version=1")
    assert response.status_code == 200 and "version 1" in response.content.decode()
    assert client.get(url("annual_report_pdf", a, 2026, 1))["Content-Type"] == "application/pdf"
    # A second correction while the draft exists is refused.
    response = client.post(url("annual_report_correct", a, 2026), {"reason": "Igen"}, follow=True)
    assert AnnualReport.objects.count() == 2


def test_report_page_shows_due_date_and_late_mark(world, login):
    response = login(world.manager_a).get(url("annual_report", world.agreement_a.pk, 2026))
    html = response.content.decode()
    assert "2027-03-31" in html
    assert AnnualReport(agreement=world.agreement_a, year=2026).due_date.isoformat() == "2027-03-31"
    late = AnnualReport(agreement=world.agreement_a, year=2026)
    assert late.is_late(today=datetime.date(2027, 4, 1)) is True
    assert late.is_late(today=datetime.date(2027, 3, 31)) is False


def test_background_render_tells_the_user_when_ready(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("annual_report_render", world.agreement_a.pk, 2026))
    job = RenderJob.objects.get()
    assert response.url == url("render_job", job.pk)
    page = client.get(url("render_job", job.pk), HTTP_HX_REQUEST="true")
    assert "PDF:en är klar." in page.content.decode()
    assert client.get(url("render_job_pdf", job.pk))["Content-Type"] == "application/pdf"
    # Somebody else's job is as good as missing.
    assert login(world.coordinator_a).get(url("render_job", job.pk)).status_code == 404


def test_pending_job_polls_with_htmx(world, login, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client = login(world.manager_a)
    client.post(url("annual_report_render", world.agreement_a.pk, 2026))
    job = RenderJob.objects.get()
    html = client.get(url("render_job", job.pk)).content.decode()
    assert 'hx-trigger="every 2s"' in html and "tas fram" in html


def test_index_lists_years_with_a_fixed_number_of_queries(
    world, login, django_assert_max_num_queries
):
    client = login(world.finance_a)
    with django_assert_max_num_queries(12):
        response = client.get(url("index", world.agreement_a.pk))
    assert response.status_code == 200
    assert "ingen budget" in response.content.decode()  # 2027


def test_annual_report_command_writes_a_pdf_and_refuses_a_bad_year(world, tmp_path):
    from django.core.management import CommandError, call_command

    out = tmp_path / "report.pdf"
    call_command("annual_report", "iop-a", "2026", "-o", str(out), stdout=io.StringIO())
    assert "Årsrapport 2026" in PdfReader(str(out)).pages[0].extract_text()
    with pytest.raises(CommandError, match="ligger utanför"):
        call_command("annual_report", "iop-a", "2029", "-o", str(out), stdout=io.StringIO())
    with pytest.raises(CommandError, match="Det finns ingen budget för 2027"):
        call_command("invoice_basis", "iop-a", "2027", "-o", str(out), stdout=io.StringIO())
    with pytest.raises(CommandError, match="ingen överenskommelse"):
        call_command("invoice_basis", "finns-inte", "2027", "-o", str(out), stdout=io.StringIO())


def test_overview_lists_due_and_late_reports_of_visible_agreements_only(
    world, login, django_assert_max_num_queries
):
    client = login(world.manager_a)
    with django_assert_max_num_queries(8):
        response = client.get(url("overview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "IOP A" in html and "IOP B" not in html
    assert "2027-03-31" in html  # the 2026 report of agreement A


def test_a_correction_is_late_only_if_the_first_submission_was(
    world, login, django_capture_on_commit_callbacks, year_2026_ended
):
    client = login(world.manager_a)
    a = world.agreement_a.pk
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("annual_report_submit", a, 2026), {"accept_warnings": "on"})
    client.post(url("annual_report_correct", a, 2026), {"reason": "Rättelse"})
    v1, v2 = AnnualReport.objects.order_by("version")
    assert v1.is_late() is False
    assert v2.is_late(today=datetime.date(2028, 6, 1)) is False


def test_a_correction_whose_first_version_cannot_be_loaded_is_judged_by_its_own_dates(world):
    # select_related() caches None for a previous version it cannot join (a dangling key,
    # possible while the deferred foreign key check has not yet run); is_late must not
    # fail on it with an AttributeError.
    submitted = datetime.datetime(2027, 3, 1, 12, tzinfo=datetime.UTC)
    v1 = AnnualReport.objects.create(
        agreement=world.agreement_a,
        year=2026,
        status=AnnualReport.Status.SUBMITTED,
        submitted_at=submitted,
        figures={},
    )
    v2 = AnnualReport.objects.create(
        agreement=world.agreement_a,
        year=2026,
        version=2,
        previous=v1,
        status=AnnualReport.Status.SUBMITTED,
        submitted_at=datetime.datetime(2027, 5, 1, 12, tzinfo=datetime.UTC),
        figures={},
    )
    AnnualReport.objects.filter(pk=v1.pk)._raw_delete(AnnualReport.objects.db)
    correction = AnnualReport.objects.select_related("previous").get(pk=v2.pk)
    assert correction.previous_id == v1.pk and correction.previous is None
    assert correction.is_late() is True
    # The test database checks its keys at the end: leave none dangling.
    AnnualReport.objects.filter(pk=v2.pk)._raw_delete(AnnualReport.objects.db)


def test_a_new_render_replaces_the_users_finished_ones(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.manager_a)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url("annual_report_render", world.agreement_a.pk, 2026))
    assert RenderJob.objects.count() == 1


def test_a_failed_render_is_reported_to_the_user(
    world, login, django_capture_on_commit_callbacks, monkeypatch
):
    import reporting.documents

    def broken(report):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(reporting.documents, "annual_report_pdf", broken)
    client = login(world.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("annual_report_render", world.agreement_a.pk, 2026))
    job = RenderJob.objects.get()
    assert job.status == "failed" and job.error == "RuntimeError"
    assert "PDF:en kunde inte tas fram" in client.get(url("render_job", job.pk)).content.decode()
    assert client.get(url("render_job_pdf", job.pk)).status_code == 302
