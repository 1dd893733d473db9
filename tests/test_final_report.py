"""The final report (slutrapport): every year and the total in the PDF, freeze and
versions, the data-quality check, access, the deadline and the page's query count."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from partnerships.deadlines import deadlines_for_user
from partnerships.models import ActualCost
from reporting.annual import current_final_report
from reporting.documents import final_report_pdf
from reporting.models import FinalReport, RenderJob
from tests.factories.reporting import three_year_partnership

D = datetime.date


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def kvinnor(world):
    return three_year_partnership(world.org_a, world.municipality)


@pytest.fixture
def period_ended(set_today):
    set_today(D(2017, 2, 1))


def url(name, *args):
    return reverse(f"reporting:{name}", args=args)


def pdf_text(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(re.sub(r"\s+", " ", page.extract_text()) for page in pages)


def test_final_report_pdf_reads_back_every_year_and_the_total(kvinnor, period_ended):
    text = pdf_text(final_report_pdf(current_final_report(kvinnor)))
    assert "Internationella kvinnor IK · Slutrapport" in text
    assert "Kvinnor med utländsk bakgrund" in text  # background, from the agreement
    # Money per year and in total, with the funders' parts over the whole period.
    for amount in ("400 000 kr", "900 000 kr", "1 100 000 kr", "2 400 000 kr"):
        assert amount in text
    for amount in ("380 000 kr", "950 000 kr", "1 000 000 kr", "2 330 000 kr"):
        assert amount in text
    assert "1 680 000 kr" in text and "720 000 kr" in text
    # Participants per year (enrolled, new, active at the end, exited) and the period.
    assert "2014 20 20 20 0" in text
    assert "2015 40 20 20 20" in text
    assert "2016 40 20 20 20" in text
    assert "Hela perioden 60 60 20 40" in text
    # The indicator per year (target / outcome) and over the period.
    assert "20 / 20" in text and "40 / 40" in text and "50 / 40" in text and "50 / 60" in text
    # Stages, the risk's history and the obstacle's resolution.
    assert "Förberedelse" in text and "Implementering" in text
    assert "2015-09-01" in text and "Praktik med språkstöd" in text
    assert "IK00001" not in text


def test_submit_needs_the_warnings_accepted_then_freezes_and_versions(
    world, kvinnor, period_ended, login, django_capture_on_commit_callbacks
):
    client = login(world.manager_a)
    a = kvinnor.pk
    client.post(
        url("final_report_save", a),
        {"activities": "Vi prövade", "lessons": "Samordning tar tid", "continuation": "Ja"},
    )
    response = client.post(url("final_report_submit", a))
    assert response.status_code == 400
    assert "Kvalitetskontrollen hittade" in response.content.decode()
    assert FinalReport.objects.get().status == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("final_report_submit", a), {"accept_warnings": "on"})
    report = FinalReport.objects.get()
    assert report.status == "submitted" and report.submitted_by == world.manager_a
    assert report.figures["money"]["budget"] == "2400000.00"
    assert report.pdf is not None and RenderJob.objects.get(is_final=True).status == "ready"
    frozen = bytes(report.pdf)

    # Later changes do not touch the submitted version; edits are refused.
    kvinnor.budgets.get(year=2016).cost_lines.update(amount=2_000_000)
    response = client.get(url("final_report_pdf", a, 1))
    assert response.content == frozen and "2 400 000 kr" in pdf_text(response.content)
    response = client.post(url("final_report_save", a), {"lessons": "Ändrat"})
    assert response.status_code == 400 and "är inlämnad och kan inte ändras" in (
        response.content.decode()
    )
    response = client.post(url("final_report_submit", a), {"accept_warnings": "on"}, follow=True)
    assert "Slutrapporten är redan inlämnad (version 1)." in response.content.decode()

    # A correction is a new draft version with the texts; version 1 stays readable.
    client.post(url("final_report_correct", a), {"reason": "Budgeten för 2016 rättad"})
    v1, v2 = FinalReport.objects.order_by("version")
    assert (v2.version, v2.status, v2.previous_id, v2.lessons) == (
        2,
        "draft",
        v1.pk,
        "Samordning tar tid",
    )
    assert "3 300 000 kr" in client.get(url("final_report", a)).content.decode()
    assert "2 400 000 kr" in client.get(url("final_report", a) + "?version=1").content.decode()


def test_a_year_without_budget_blocks_submission(
    world, kvinnor, period_ended, login, django_capture_on_commit_callbacks
):
    budget = kvinnor.budgets.get(year=2015)
    ActualCost.objects.filter(cost_line__budget=budget).delete()
    budget.delete()
    client = login(world.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("final_report_submit", kvinnor.pk), {"accept_warnings": "on"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Slutrapporten kan inte lämnas in" in html and "2015: Det finns ingen budget" in html
    assert not FinalReport.objects.filter(status="submitted").exists()


def test_submission_waits_until_the_period_has_ended(world, kvinnor, set_today, login):
    set_today(D(2016, 12, 31))
    response = login(world.manager_a).post(
        url("final_report_submit", kvinnor.pk), {"accept_warnings": "on"}
    )
    assert response.status_code == 400 and "2017-01-01" in response.content.decode()
    assert not FinalReport.objects.filter(status="submitted").exists()


def test_another_partnerships_user_gets_404(world, kvinnor, login):
    client = login(world.coordinator_b)
    assert client.get(url("final_report", kvinnor.pk)).status_code == 404
    assert client.post(url("final_report_submit", kvinnor.pk)).status_code == 404
    assert client.get(url("final_report_pdf", kvinnor.pk, 1)).status_code == 404


def test_steering_group_reads_the_submitted_report_as_aggregates_only(
    world, kvinnor, period_ended, login, django_capture_on_commit_callbacks
):
    steering = login(world.steering_a)
    assert steering.get(url("final_report", kvinnor.pk)).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        login(world.manager_a).post(
            url("final_report_submit", kvinnor.pk), {"accept_warnings": "on"}
        )
    steering = login(world.steering_a)
    html = steering.get(url("final_report", kvinnor.pk)).content.decode()
    assert "Hela perioden" in html and "2 400 000 kr" in html
    assert "IK00001" not in html and "/participants/" not in html
    assert "final/save/" not in html  # no form to edit
    assert steering.post(url("final_report_save", kvinnor.pk), {"lessons": "x"}).status_code == 403


def test_small_counts_are_suppressed(world, period_ended):
    agreement = three_year_partnership(world.org_a, world.municipality, participants=9, prefix="S")
    text = pdf_text(final_report_pdf(current_final_report(agreement)))
    # Three a year, one of them a man: the year rows hide their counts.
    assert "2014 <5 <5" in text


def test_final_report_deadline_is_on_the_managers_list(world, kvinnor, settings):
    keys = {d.key: d for d in deadlines_for_user(world.manager_a, today=D(2017, 2, 1))}
    due = keys[f"final_report:{kvinnor.pk}:period"]
    assert due.date == D(2017, 3, 31) and not due.overdue
    settings.IOP_FINAL_REPORT_MONTHS = 6
    keys = {d.key: d for d in deadlines_for_user(world.manager_a, today=D(2017, 2, 1))}
    assert keys[f"final_report:{kvinnor.pk}:period"].date == D(2017, 6, 30)


def test_a_document_attached_to_the_final_report_is_listed_on_its_page(world, kvinnor, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.manager_a)
    page = client.get(url("final_report", kvinnor.pk)).content.decode()
    attach = reverse("document_list", args=[kvinnor.pk]) + "?attach_to=report-slutrapport"
    assert attach.replace("&", "&amp;") in page or attach in page
    pdf = SimpleUploadedFile("bilaga.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    response = client.post(
        reverse("document_list", args=[kvinnor.pk]),
        {"attach_to": "report-slutrapport", "title": "Enkätresultat", "file": pdf},
    )
    assert response.status_code == 302
    assert "Enkätresultat" in client.get(url("final_report", kvinnor.pk)).content.decode()
    # Not on the annual report's page, and another partnership's user sees neither.
    assert (
        "Enkätresultat" not in client.get(url("annual_report", kvinnor.pk, 2016)).content.decode()
    )
    document_url = response["Location"]
    assert login(world.coordinator_b).get(document_url).status_code == 404


def test_agreement_page_links_to_the_final_report(world, kvinnor, login):
    html = login(world.manager_a).get(kvinnor.get_absolute_url()).content.decode()
    assert url("final_report", kvinnor.pk) in html


def test_final_report_page_query_count(
    world, kvinnor, period_ended, login, django_assert_num_queries
):
    client = login(world.manager_a)
    client.get(url("final_report", kvinnor.pk))  # warm the session and caches
    with django_assert_num_queries(NUM_QUERIES):
        response = client.get(url("final_report", kvinnor.pk))
    assert response.status_code == 200


# Three years of the annual report's figures and the whole period's: fixed, whatever
# the number of participants or stages (two queries for the per-stage figures).
NUM_QUERIES = 101


def test_demo_internationella_kvinnor_has_a_submitted_final_report_with_content(db):
    from django.core.management import call_command

    from partnerships.models import Document

    call_command("load_demo", allow_demo_data=True, stdout=io.StringIO())
    report = FinalReport.objects.get(agreement__short_id="internationella-kvinnor")
    assert report.status == "submitted" and report.lessons
    text = pdf_text(bytes(report.pdf))
    for year in ("2014", "2015", "2016"):
        assert year in text
    assert "Hela perioden" in text and "4 030 350 kr" in text  # the actual costs, summed
    assert "Hinderlistan" in text or "Lärdomar" in text
    assert Document.objects.filter(agreement=report.agreement, personal=False).count() >= 2


def test_the_annual_page_of_the_last_year_lists_its_own_pdfs_not_the_final_reports(
    world, kvinnor, period_ended, login
):
    # A final report's render job is kept under the period's last year; the annual report
    # page of that year listed it as one of its own PDFs.
    def job(**kind):
        return RenderJob.objects.create(
            agreement=kvinnor, year=2016, requested_by=world.manager_a, **kind
        )

    annual, final = job(), job(is_final=True)
    client = login(world.manager_a)
    page = client.get(url("annual_report", kvinnor.pk, 2016)).content.decode()
    assert url("render_job", annual.pk) in page
    assert url("render_job", final.pk) not in page
    final_page = client.get(url("final_report", kvinnor.pk)).content.decode()
    assert url("render_job", final.pk) in final_page
    assert url("render_job", annual.pk) not in final_page
