"""Issue 17: a statistics network — anonymous counts from members, one national report."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from iop.audit import AuditContext
from reporting.actions_network import reopen_submission, save_form, submit_counts
from reporting.models import NetworkForm, NetworkSubmission
from tests.factories.network import NetworkWorld, counts_for, make_network, submit

pytestmark = pytest.mark.django_db

SYSTEM = AuditContext.system()


@pytest.fixture
def net() -> NetworkWorld:
    return make_network(4)


def _grid(form: NetworkForm, total: int, overrides=None) -> dict[str, str]:
    data = {"total_contacts": str(total)}
    for dim, cats in counts_for(form, total, overrides).items():
        for cat, value in cats.items():
            data[f"{dim}__{cat}" if cat else dim] = str(value)
    return data


def _submit_url(net: NetworkWorld, index: int) -> str:
    return reverse(
        "reporting:network_submit", args=[net.network.pk, net.form.pk, net.members[index].pk]
    )


# --------------------------------------------------------------------------- the form


def test_an_opened_form_is_frozen_and_a_change_makes_a_new_version(net):
    form = NetworkForm.objects.get(pk=net.form.pk)
    form.dimensions = form.dimensions[:2]
    with pytest.raises(ValidationError, match="kan inte ändras"):
        form.full_clean()
    new = save_form(
        form=net.form,
        changes={"dimensions": net.form.dimensions[:2]},
        user=net.coordinator,
        audit=SYSTEM,
    )
    assert (new.version, new.status) == (2, NetworkForm.Status.DRAFT)
    assert len(NetworkForm.objects.get(pk=net.form.pk).dimensions) == 8


def test_the_default_form_has_the_dimensions_the_document_implies(net):
    keys = [d["key"] for d in net.form.dimensions]
    assert keys == [
        "exploitation", "gender", "age", "children", "needs", "support", "referred", "identified"
    ]  # fmt: skip
    exploitation = [c["key"] for c in net.form.dimensions[0]["categories"]]
    assert "forced_marriage" in exploitation and "begging" in exploitation


# --------------------------------------------------------------------------- model rules


def test_counts_must_be_whole_non_negative_and_add_up(net):
    bad = counts_for(net.form, 10, {"gender": {"woman": 5, "man": 4, "nonbinary": 0, "unknown": 0}})
    with pytest.raises(ValidationError, match="summerar till 9"):
        submit_counts(
            form=net.form, member=net.members[0], total_contacts=10, counts=bad,
            user=net.reporters[0], audit=SYSTEM,
        )  # fmt: skip
    negative = counts_for(net.form, 10, {"children": {"": -1}})
    with pytest.raises(ValidationError, match="helt antal"):
        submit(net, 0, 10, {"children": {"": -1}})
    assert negative and not NetworkSubmission.objects.exists()


def test_a_form_allowing_not_recorded_accepts_less_than_the_total(net):
    form = save_form(
        form=net.form, changes={"allows_not_recorded": True}, user=net.coordinator, audit=SYSTEM
    )
    from reporting.actions_network import open_form

    open_form(form=form, user=net.coordinator, audit=SYSTEM)
    net.form = form
    sub = submit(net, 0, 10, {"gender": {"woman": 5, "man": 0, "nonbinary": 0, "unknown": 0}})
    assert sub.form.version == 2


# --------------------------------------------------------------------------- the web grid


def test_a_member_submits_by_the_grid_and_the_submission_is_locked(net, login):
    client = login(net.reporters[0])
    assert client.get(_submit_url(net, 0)).status_code == 200
    response = client.post(_submit_url(net, 0), _grid(net.form, 12))
    assert response.status_code == 302
    sub = NetworkSubmission.objects.get()
    assert (sub.total_contacts, sub.counts["gender"]["woman"], sub.is_locked) == (12, 3, True)
    again = client.post(_submit_url(net, 0), _grid(net.form, 14))
    assert "låst" in again.content.decode()
    assert NetworkSubmission.objects.count() == 1


def test_a_dimension_not_adding_up_is_refused_at_the_field(net, login):
    client = login(net.reporters[0])
    data = _grid(net.form, 10, {"gender": {"woman": 5, "man": 4, "nonbinary": 0, "unknown": 0}})
    response = client.post(_submit_url(net, 0), data)
    assert response.status_code == 200
    errors = response.context["grid"].errors
    assert "summerar till 9, men antalet kontakter är 10" in errors["gender__woman"][0]
    assert not NetworkSubmission.objects.exists()


@pytest.mark.parametrize("value", ["-1", "2,5", "tre"])
def test_a_count_that_is_not_whole_or_negative_is_refused_at_the_field(net, login, value):
    client = login(net.reporters[0])
    data = _grid(net.form, 10)
    data["children"] = value
    response = client.post(_submit_url(net, 0), data)
    assert response.context["grid"].errors["children"] == ["Ange ett helt antal, noll eller mer."]
    assert not NetworkSubmission.objects.exists()


def test_no_submission_after_the_period_is_closed(net, login, set_today):
    set_today(datetime.date(2027, 3, 1))
    response = login(net.reporters[0]).post(_submit_url(net, 0), _grid(net.form, 10))
    assert "inrapportering går inte längre" in response.content.decode()
    assert not NetworkSubmission.objects.exists()


def test_a_member_reporting_for_another_member_gets_404(net, login):
    client = login(net.reporters[0])
    assert client.get(_submit_url(net, 1)).status_code == 404
    assert client.post(_submit_url(net, 1), _grid(net.form, 10)).status_code == 404
    assert not NetworkSubmission.objects.exists()


# --------------------------------------------------------------------------- who sees what


def test_a_member_never_sees_another_members_submission(net, login):
    other = submit(net, 1, 10)
    own = submit(net, 0, 10)
    client = login(net.reporters[0])
    nid = net.network.pk
    assert (
        client.get(reverse("reporting:network_submission", args=[nid, own.pk])).status_code == 200
    )
    for name in ("network_submission", "network_submission_reopen"):
        assert client.get(reverse(f"reporting:{name}", args=[nid, other.pk])).status_code in (
            404, 405
        )  # fmt: skip
    assert client.post(
        reverse("reporting:network_submission_reopen", args=[nid, other.pk]), {"reason": "x"}
    ).status_code in (403, 404)
    page = client.get(reverse("reporting:network_detail", args=[nid])).content.decode()
    assert "Medlem B" not in page
    # An unpublished report is not the members' to read, in HTML or CSV.
    for name in ("network_report", "network_report_csv"):
        assert client.get(reverse(f"reporting:{name}", args=[nid, net.form.pk])).status_code == 404
    assert (
        client.get(reverse("reporting:network_form_status", args=[nid, net.form.pk])).status_code
        == 403
    )


def test_a_user_outside_the_network_gets_404(net, login, world):
    client = login(world.coordinator_a)
    assert client.get(reverse("reporting:network_detail", args=[net.network.pk])).status_code == 404


def test_the_coordinator_reopens_with_a_reason_and_the_member_submits_a_new_version(net, login):
    sub = submit(net, 0, 10)
    coordinator = login(net.coordinator)
    url = reverse("reporting:network_submission_reopen", args=[net.network.pk, sub.pk])
    refused = coordinator.post(url, {"reason": ""})
    assert refused.status_code == 400 and "Ange skälet" in refused.content.decode()
    assert coordinator.post(url, {"reason": "Fel totalsumma"}).status_code == 302
    new = submit(net, 0, 11)
    first = NetworkSubmission.objects.get(pk=sub.pk)
    assert (first.total_contacts, first.reopened_reason, new.version) == (10, "Fel totalsumma", 2)
    with pytest.raises(ValidationError):
        reopen_submission(submission=new, reason=" ", user=net.coordinator, audit=SYSTEM)


def test_the_coordinator_sees_who_has_submitted_who_is_late_and_totals(net, login, set_today):
    for i in range(3):
        submit(net, i, 10)
    set_today(datetime.date(2027, 2, 5))
    page = login(net.coordinator).get(
        reverse("reporting:network_form_status", args=[net.network.pk, net.form.pk])
    )
    html = page.content.decode()
    assert html.count("Inlämnad") == 3 and "Försenad" in html
    assert page.context["report"].total.display == "30"


# --------------------------------------------------------------------------- the report


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))


def test_the_report_csv_has_the_hand_counted_figures(net, login):
    for i, total in enumerate((20, 30, 40, 10)):
        submit(net, i, total)
    client = login(net.coordinator)
    rows = _csv_rows(
        client.get(reverse("reporting:network_report_csv", args=[net.network.pk, net.form.pk]))
    )
    assert ["Kontakter totalt", "", "100"] in rows
    assert ["Rapporterande medlemmar", "", "4"] in rows
    # Gender spread evenly: 5+8+10+3 women (30 → 8,8,7,7).
    assert ["Kön", "Kvinna", "26"] in rows


def test_a_members_suppressed_cell_cannot_be_recovered_by_subtraction(net, login):
    """Member A knows its own figures (10 men). Only A and B report men, so the sum of men
    (12) would give B's 2 away; it is hidden, and so is one more gender cell, so neither
    the total minus the others nor A's own figures recover it."""
    gender = {
        0: {"woman": 10, "man": 10, "nonbinary": 0, "unknown": 0},
        1: {"woman": 18, "man": 2, "nonbinary": 0, "unknown": 0},
        2: {"woman": 20, "man": 0, "nonbinary": 0, "unknown": 0},
        3: {"woman": 20, "man": 0, "nonbinary": 0, "unknown": 0},
    }
    for i in range(4):
        submit(net, i, 20, {"gender": gender[i]})
    coordinator = login(net.coordinator)
    coordinator.post(reverse("reporting:network_publish", args=[net.network.pk, net.form.pk]))
    member_a = login(net.reporters[0])
    rows = _csv_rows(
        member_a.get(reverse("reporting:network_report_csv", args=[net.network.pk, net.form.pk]))
    )
    total = int(next(r[2] for r in rows if r[0] == "Kontakter totalt"))
    cells = {r[1]: r[2] for r in rows if r[0] == "Kön"}
    hidden = [k for k, v in cells.items() if not v.isdigit()]
    assert "Man" in hidden
    # The attack: the total minus every shown gender, minus A's own men.
    unknown_sum = total - sum(int(v) for v in cells.values() if v.isdigit())
    recovered_b = unknown_sum - gender[0]["man"]
    assert len(hidden) >= 2, "one hidden cell alone would be total minus the rest"
    assert recovered_b != 2


def test_the_report_pdf_reads_back_with_the_hand_counted_figures(net, login):
    from pypdf import PdfReader

    for i, total in enumerate((20, 30, 40, 10)):
        submit(net, i, total)
    response = login(net.coordinator).get(
        reverse("reporting:network_report_pdf", args=[net.network.pk, net.form.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = text.replace("\xa0", " ")
    assert "4 av 4 medlemmar har rapporterat" in text
    assert "Kontakter totalt: 100" in text
    # Women: 5 + 8 + 10 + 3 (each total spread evenly over the four genders).
    assert "Kvinna 26" in text


def test_the_report_page_takes_a_fixed_number_of_queries(net, login, django_assert_max_num_queries):
    for i in range(4):
        submit(net, i, 10)
    client = login(net.coordinator)
    url = reverse("reporting:network_report", args=[net.network.pk, net.form.pk])
    client.get(url)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_the_coordinator_creates_and_opens_a_half_year_form(net, login):
    client = login(net.coordinator)
    url = reverse("reporting:network_form_new", args=[net.network.pk])
    bad = client.post(
        url, {"year": "2027", "half": "3", "due_on": "2027-08-31", "closes_on": "2027-07-01"}
    )
    assert bad.status_code == 200 and not NetworkForm.objects.filter(year=2027).exists()
    response = client.post(
        url, {"year": "2027", "half": "1", "due_on": "2027-07-31", "closes_on": "2027-08-31"}
    )
    form = NetworkForm.objects.get(year=2027, half=1)
    assert response.status_code == 302 and form.status == NetworkForm.Status.DRAFT
    client.post(reverse("reporting:network_form_open", args=[net.network.pk, form.pk]))
    form.refresh_from_db()
    assert form.status == NetworkForm.Status.OPEN
    reporter = login(net.reporters[0])
    assert reporter.get(url).status_code == 403


def test_a_submitted_count_cannot_be_changed_in_place(net):
    sub = submit(net, 0, 10)
    sub.total_contacts = 11
    with pytest.raises(ValidationError, match="låst"):
        sub.full_clean()
