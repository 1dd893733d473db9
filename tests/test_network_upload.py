"""Issue 17: a network member submits by uploading the network's template (through the
import engine: preview, then all or nothing), or starts from its outreach counts."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from iop.audit import AuditContext
from iop.models import ImportJob
from participants.models import AnonymousContactCount
from reporting.actions_network import create_form, open_form, save_form
from reporting.models import NetworkForm, NetworkSubmission
from tests.factories.network import NetworkWorld, counts_for, make_network
from tests.factories.partnerships import PartyFactory
from tests.io_helpers import csv_bytes, io_settings, read_csv  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

SYSTEM = AuditContext.system()


@pytest.fixture
def net() -> NetworkWorld:
    return make_network(3)


def _args(net: NetworkWorld, index: int, form: NetworkForm | None = None) -> list[int]:
    return [net.network.pk, (form or net.form).pk, net.members[index].pk]


def _template(client, net, index, form=None, fmt="csv"):
    return client.get(
        reverse("reporting:network_template", args=_args(net, index, form)) + f"?format={fmt}"
    )


def _filled(rows: list[list], counts: dict, total: int) -> list[list]:
    """The template's rows with the counts written into the Antal column."""
    out = [rows[0]]
    for row in rows[1:]:
        dim, cat = row[3], row[4] or ""
        value = total if dim == "total" else counts[dim][cat]
        out.append([*row[:6], value])
    return out


def _upload(client, net, index, content: bytes, name="mall.csv", form=None) -> ImportJob:
    response = client.post(
        reverse("reporting:network_upload", args=_args(net, index, form)),
        {"file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("pk")


def _confirm(client, job: ImportJob) -> ImportJob:
    client.post(reverse("io_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    return job


def _reasons(job: ImportJob) -> str:
    return " | ".join(r for row in job.rows for r in row.get("reasons", []))


def _filled_csv(client, net, index, total=12, overrides=None, form=None) -> bytes:
    rows = read_csv(_template(client, net, index, form))
    return csv_bytes(_filled(rows, counts_for(form or net.form, total, overrides), total))


# --------------------------------------------------------------------------- round trip


def test_template_round_trip_gives_the_same_submission_as_the_web_form(net, login):
    client = login(net.reporters[0])
    rows = read_csv(_template(client, net, 0))
    assert rows[0][:3] == ["Organisationsnummer", "Period", "Formulärversion"]
    assert rows[1][:5] == [net.members[0].organisation.org_number, "2026", "1", "total", ""]
    assert len(rows) == 1 + 1 + sum(len(d["categories"]) or 1 for d in net.form.dimensions)
    counts = counts_for(net.form, 12, {"children": {"": 4}, "needs": {"shelter": 7, "health": 2,
        "legal": 0, "interpreter": 1, "return": 0, "other": 0}})  # fmt: skip
    job = _upload(client, net, 0, csv_bytes(_filled(rows, counts, 12)))
    assert job.status == ImportJob.Status.PREVIEWED and not job.summary["refused"], _reasons(job)
    assert not NetworkSubmission.objects.exists()  # the preview saved nothing
    assert _confirm(client, job).status == ImportJob.Status.DONE
    uploaded = NetworkSubmission.objects.get()

    web = login(net.reporters[1])
    data = {"total_contacts": "12"}
    for dim, cats in counts.items():
        for cat, value in cats.items():
            data[f"{dim}__{cat}" if cat else dim] = str(value)
    url = reverse("reporting:network_submit", args=_args(net, 1))
    assert web.post(url, data).status_code == 302
    by_web = NetworkSubmission.objects.get(member=net.members[1])
    assert (uploaded.total_contacts, uploaded.counts) == (by_web.total_contacts, by_web.counts)
    assert uploaded.is_locked and uploaded.submitted_by == net.reporters[0]


def test_xlsx_template_round_trip(net, login):
    client = login(net.reporters[0])
    response = _template(client, net, 0, fmt="xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert book.sheetnames[1] == "Instruktioner"
    filled = _filled(rows, counts_for(net.form, 9), 9)
    out = io.BytesIO()
    book.worksheets[0].delete_rows(1, book.worksheets[0].max_row)
    for row in filled:
        book.worksheets[0].append(row)
    book.save(out)
    job = _upload(client, net, 0, out.getvalue(), name="mall.xlsx")
    assert _confirm(client, job).status == ImportJob.Status.DONE, _reasons(job)
    assert NetworkSubmission.objects.get().total_contacts == 9


# --------------------------------------------------------------------------- cross-tabs

PAIR = [{"rows": "exploitation", "columns": "gender"}]
XKEY = "exploitation:gender"


@pytest.fixture
def crossnet() -> NetworkWorld:
    """Three members and an open form with exploitation × gender (a version 2)."""
    world = make_network(3)
    draft = save_form(
        form=world.form, changes={"crosstabs": PAIR}, user=world.coordinator, audit=SYSTEM
    )
    world.form = open_form(form=draft, user=world.coordinator, audit=SYSTEM)
    return world


def _cross_figures(form: NetworkForm, grid: dict[tuple[str, str], int]):
    """Total, counts and the cross-tab from a member's exploitation × gender cells."""
    dims = {d["key"]: [c["key"] for c in d["categories"]] for d in form.dimensions}
    rows, columns = dims["exploitation"], dims["gender"]
    table = {r: {c: grid.get((r, c), 0) for c in columns} for r in rows}
    total = sum(grid.values())
    margins = {
        "exploitation": {r: sum(table[r].values()) for r in rows},
        "gender": {c: sum(table[r][c] for r in rows) for c in columns},
    }
    return total, counts_for(form, total, margins), {XKEY: table}


def _filled_cross(rows: list[list], total: int, counts: dict, crosstabs: dict) -> list[list]:
    """The template's rows filled in, the cross-tab's cells by their "r × c" keys."""
    out = [rows[0]]
    for row in rows[1:]:
        dim, cat = row[3], row[4] or ""
        if "×" in dim:
            (r, c), key = cat.split(" × "), dim.replace(" × ", ":")
            value = crosstabs[key][r][c]
        else:
            value = total if dim == "total" else counts[dim][cat]
        out.append([*row[:6], value])
    return out


GRID = {("sexual", "woman"): 6, ("labour", "man"): 4, ("unknown", "unknown"): 2}


def test_a_crosstab_round_trip_gives_the_same_submission_as_the_web_form(crossnet, login):
    net = crossnet
    client = login(net.reporters[0])
    page = client.get(reverse("reporting:network_upload", args=_args(net, 0)))
    assert "mallen har en rad per cell" in page.content.decode()
    rows = read_csv(_template(client, net, 0))
    cross = [r for r in rows[1:] if "×" in r[3]]
    assert len(cross) == 7 * 4
    assert cross[0][3:6] == [
        "exploitation × gender",
        "sexual × woman",
        "Form av exploatering × Kön: Sexuell exploatering × Kvinna",
    ]
    total, counts, crosstabs = _cross_figures(net.form, GRID)
    job = _upload(client, net, 0, csv_bytes(_filled_cross(rows, total, counts, crosstabs)))
    assert job.status == ImportJob.Status.PREVIEWED and not job.summary["refused"], _reasons(job)
    assert not NetworkSubmission.objects.exists()
    assert _confirm(client, job).status == ImportJob.Status.DONE, _reasons(job)
    uploaded = NetworkSubmission.objects.get()

    web = login(net.reporters[1])
    data = {"total_contacts": str(total)}
    for dim, cats in counts.items():
        for cat, value in cats.items():
            data[f"{dim}__{cat}" if cat else dim] = str(value)
    for r, line in crosstabs[XKEY].items():
        for c, value in line.items():
            data[f"exploitation__gender__{r}__{c}"] = str(value)
    url = reverse("reporting:network_submit", args=_args(net, 1))
    assert web.post(url, data).status_code == 302
    by_web = NetworkSubmission.objects.get(member=net.members[1])
    assert (uploaded.total_contacts, uploaded.counts, uploaded.crosstab_counts) == (
        by_web.total_contacts,
        by_web.counts,
        by_web.crosstab_counts,
    )
    assert uploaded.crosstab_counts[XKEY]["labour"]["man"] == 4


def test_the_xlsx_template_has_the_crosstab_rows(crossnet, login):
    client = login(crossnet.reporters[0])
    response = _template(client, crossnet, 0, fmt="xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert rows[0][3:5] == ["Dimension", "Kategori"]
    assert ["exploitation × gender", "labour × man"] in [r[3:5] for r in rows]
    total, counts, crosstabs = _cross_figures(crossnet.form, GRID)
    sheet = book.worksheets[0]
    sheet.delete_rows(1, sheet.max_row)
    for row in _filled_cross(rows, total, counts, crosstabs):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    job = _upload(client, crossnet, 0, out.getvalue(), name="mall.xlsx")
    assert _confirm(client, job).status == ImportJob.Status.DONE, _reasons(job)
    assert NetworkSubmission.objects.get().crosstab_counts[XKEY]["sexual"]["woman"] == 6


def test_a_crosstab_row_not_matching_its_margin_is_refused_at_the_row(crossnet, login):
    net = crossnet
    client = login(net.reporters[0])
    rows = read_csv(_template(client, net, 0))
    total, counts, crosstabs = _cross_figures(net.form, GRID)
    # The labour row now says 3 men, but the exploitation grid says 4 labour contacts.
    crosstabs[XKEY]["labour"]["man"] = 3
    filled = _filled_cross(rows, total, counts, crosstabs)
    job = _upload(client, net, 0, csv_bytes(filled))
    at = {r["label"]: r.get("reasons", []) for r in job.rows if r["kind"] == "refused"}
    assert at["Form av exploatering × Kön: Arbetskraftsexploatering × Kvinna"] == [
        "Raden Arbetskraftsexploatering summerar till 3, men Form av exploatering "
        "Arbetskraftsexploatering är 4."
    ]
    assert "Kolumnen Man summerar till 3, men Kön Man är 4." in " ".join(
        at["Form av exploatering × Kön: Sexuell exploatering × Man"]
    )
    assert _confirm(client, job).status == ImportJob.Status.PREVIEWED
    assert not NetworkSubmission.objects.exists()


def test_a_form_with_a_crosstab_refuses_a_template_without_its_rows(crossnet, login):
    net = crossnet
    client = login(net.reporters[0])
    rows = read_csv(_template(client, net, 0))
    total, counts, crosstabs = _cross_figures(net.form, GRID)
    filled = [r for r in _filled_cross(rows, total, counts, crosstabs) if "×" not in r[3]]
    job = _upload(client, net, 0, csv_bytes(filled))
    assert "summerar till 0, men" in _reasons(job)
    assert not NetworkSubmission.objects.exists()


@pytest.mark.parametrize(
    ("dimension", "category", "message"),
    [
        ("gender × exploitation", "woman × sexual", "ingen korstabell"),
        ("exploitation × gender", "sexual × child", "ingen cell i korstabellen"),
        ("exploitation × gender", "sexual", "ingen cell i korstabellen"),
    ],
)
def test_a_row_naming_no_crosstab_cell_is_refused(crossnet, login, dimension, category, message):
    client = login(crossnet.reporters[0])
    rows = read_csv(_template(client, crossnet, 0))
    total, counts, crosstabs = _cross_figures(crossnet.form, GRID)
    filled = _filled_cross(rows, total, counts, crosstabs)
    first = next(i for i, r in enumerate(filled) if "×" in r[3])
    filled[first][3:5] = [dimension, category]
    job = _upload(client, crossnet, 0, csv_bytes(filled))
    assert [r["row"] for r in job.rows if r["kind"] == "refused"] == [first + 1]
    assert message in _reasons(job)
    assert not NetworkSubmission.objects.exists()


def test_prefill_on_a_form_with_a_crosstab_leaves_its_cells_to_the_member(crossnet, login):
    net = crossnet
    _outreach(net.members[0].organisation, [(datetime.date(2026, 3, 1), "woman", "18-29", 4)])
    client = login(net.reporters[0])
    url = reverse("reporting:network_submit", args=_args(net, 0))
    response = client.get(url + "?outreach=1")
    assert response.status_code == 200
    grid = response.context["grid"]
    assert (grid["total_contacts"].value(), grid["gender__woman"].value()) == (4, 4)
    assert grid["exploitation__gender__sexual__woman"].value() is None
    page = response.content.decode()
    assert 'name="exploitation__gender__sexual__woman"' in page
    assert "Korstabellen Form av exploatering × Kön fylls inte i" in page
    assert not NetworkSubmission.objects.exists()


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("value", "message"),
    [("-3", "helt antal"), ("2,5", "helt antal"), ("", "Ange ett antal")],
)
def test_a_count_that_is_negative_or_not_whole_is_refused_at_its_row(net, login, value, message):
    client = login(net.reporters[0])
    rows = read_csv(_template(client, net, 0))
    filled = _filled(rows, counts_for(net.form, 12), 12)
    children = next(i for i, r in enumerate(filled) if r[3] == "children")
    filled[children][6] = value
    job = _upload(client, net, 0, csv_bytes(filled))
    refused = [r for r in job.rows if r["kind"] == "refused"]
    assert [r["row"] for r in refused] == [children + 1]
    assert message in _reasons(job)
    assert _confirm(client, job).status == ImportJob.Status.PREVIEWED  # cannot be confirmed
    assert not NetworkSubmission.objects.exists()


def test_a_dimension_not_adding_up_is_refused_at_its_row_by_the_web_forms_rule(net, login):
    client = login(net.reporters[0])
    content = _filled_csv(
        client, net, 0, 10, {"gender": {"woman": 5, "man": 4, "nonbinary": 0, "unknown": 0}}
    )
    job = _upload(client, net, 0, content)
    refused = [r for r in job.rows if r["kind"] == "refused"]
    assert len(refused) == 1 and refused[0]["label"] == "Kön: Kvinna"
    assert "summerar till 9, men antalet kontakter är 10" in _reasons(job)
    assert not NetworkSubmission.objects.exists()


def test_one_bad_row_among_many_saves_nothing(net, login):
    client = login(net.reporters[0])
    rows = read_csv(_template(client, net, 0))
    filled = _filled(rows, counts_for(net.form, 12), 12)
    filled[-1][6] = "många"
    job = _upload(client, net, 0, csv_bytes(filled))
    assert job.summary["refused"] == 1 and job.summary["new"] == len(filled) - 2
    response = client.post(reverse("io_job_confirm", args=[job.pk]))
    assert response.status_code == 403
    assert not NetworkSubmission.objects.exists()


def test_a_submission_after_the_period_closed_is_refused(net, login):
    client = login(net.reporters[0])
    content = _filled_csv(client, net, 0)
    NetworkForm.objects.filter(pk=net.form.pk).update(
        due_on=datetime.date(2020, 1, 31), closes_on=datetime.date(2020, 2, 28)
    )
    job = _upload(client, net, 0, content)
    assert "stängdes 2020-02-28" in _reasons(job)
    assert not NetworkSubmission.objects.exists()


def test_a_template_of_another_form_version_is_refused(net, login):
    client = login(net.reporters[0])
    old = _filled_csv(client, net, 0)
    new = create_form(
        form=NetworkForm(
            network=net.network,
            year=2026,
            due_on=net.form.due_on,
            closes_on=net.form.closes_on,
        ),
        user=net.coordinator,
        audit=SYSTEM,
    )
    open_form(form=new, user=net.coordinator, audit=SYSTEM)
    job = _upload(client, net, 0, old, form=new)
    assert "har ersatts av en ny version" in _reasons(job)
    assert not NetworkSubmission.objects.exists()


def test_a_template_of_another_period_is_refused(net, login):
    client = login(net.reporters[0])
    other = create_form(
        form=NetworkForm(
            network=net.network,
            year=2025,
            due_on=net.form.due_on,
            closes_on=net.form.closes_on,
        ),
        user=net.coordinator,
        audit=SYSTEM,
    )
    open_form(form=other, user=net.coordinator, audit=SYSTEM)
    content = _filled_csv(client, net, 0, form=other)
    job = _upload(client, net, 0, content)  # on 2026's page
    assert "Mallen gäller 2025 version 1, men du lämnar in för 2026" in _reasons(job)
    assert not NetworkSubmission.objects.exists()


def test_member_a_cannot_report_for_member_b(net, login):
    client = login(net.reporters[0])
    assert _template(client, net, 1).status_code == 404
    upload_b = reverse("reporting:network_upload", args=_args(net, 1))
    assert client.get(upload_b).status_code == 404
    assert client.post(upload_b, {"file": SimpleUploadedFile("m.csv", b"x")}).status_code == 404
    # B's organisation number in A's own upload: refused at every row, nothing saved.
    rows = read_csv(_template(client, net, 0))
    rows = [rows[0]] + [[net.members[1].organisation.org_number, *r[1:]] for r in rows[1:]]
    job = _upload(client, net, 0, csv_bytes(_filled(rows, counts_for(net.form, 12), 12)))
    assert "Du rapporterar inte för organisationen" in _reasons(job)
    assert job.summary["new"] == 0
    assert not NetworkSubmission.objects.exists()


def test_the_coordinator_gets_any_members_template_but_does_not_upload(net, login):
    client = login(net.coordinator)
    assert _template(client, net, 2).status_code == 200
    assert client.get(reverse("reporting:network_upload", args=_args(net, 2))).status_code == 404


def test_an_upload_after_a_locked_submission_is_refused(net, login):
    client = login(net.reporters[0])
    job = _upload(client, net, 0, _filled_csv(client, net, 0))
    _confirm(client, job)
    again = _upload(client, net, 0, _filled_csv(client, net, 0, 14))
    assert "låst" in _reasons(again)
    assert NetworkSubmission.objects.get().total_contacts == 12


# --------------------------------------------------------------------------- outreach


def _outreach(org, rows):
    agreement = PartyFactory.create(organisation=org).agreement
    for day, gender, band, count in rows:
        AnonymousContactCount.objects.create(
            agreement=agreement, date=day, gender=gender, age_band=band, count=count
        )


def test_prefill_from_the_members_own_outreach_counts(net, login):
    org = net.members[0].organisation
    _outreach(
        org,
        [
            (datetime.date(2026, 3, 1), "woman", "18-29", 4),
            (datetime.date(2026, 5, 2), "man", "unknown", 2),
            (datetime.date(2026, 6, 2), "other", "0-17", 1),
            (datetime.date(2025, 12, 31), "woman", "unknown", 50),  # another period
        ],
    )
    _outreach(net.members[1].organisation, [(datetime.date(2026, 3, 1), "woman", "65+", 30)])
    client = login(net.reporters[0])
    url = reverse("reporting:network_submit", args=_args(net, 0))
    page = client.get(url)
    assert "Börja från antalen" in page.content.decode()
    response = client.get(url + "?outreach=1")
    grid = response.context["grid"]
    assert grid["total_contacts"].value() == 7
    assert (grid["gender__woman"].value(), grid["gender__man"].value()) == (4, 2)
    assert grid["gender__nonbinary"].value() is None  # "Annan" is no non-binary
    assert grid["age__unknown"].value() == 2
    notes = " ".join(response.context["prefill"].left_out)
    assert "Kön: Annan (1 kontakter)" in notes and "18–29" in notes
    assert not NetworkSubmission.objects.exists()  # the member reviews, then submits


def test_no_prefill_for_a_member_without_an_iop(net, login):
    client = login(net.reporters[2])
    url = reverse("reporting:network_submit", args=_args(net, 2))
    assert "Börja från antalen" not in client.get(url).content.decode()
    assert client.get(url + "?outreach=1").context["prefill"] is None


# --------------------------------------------------------------------------- deadlines


def _network_deadlines(user, today):
    from partnerships.deadlines import deadlines_for_user

    return [d for d in deadlines_for_user(user, today=today) if d.kind == "network_submission"]


def test_the_deadline_shows_for_a_late_member_and_goes_once_submitted(net):
    from tests.factories.network import submit

    today = datetime.date(2027, 2, 10)  # past due (2027-01-31), before the close
    submit(net, 1, 5)
    late = _network_deadlines(net.reporters[0], today)
    assert [(d.date, d.overdue, d.title) for d in late] == [
        (datetime.date(2027, 1, 31), True, "Lämna in statistiken för 2026")
    ]
    assert late[0].agreement_title == net.network.name and late[0].kind_label == "Statistiknätverk"
    assert _network_deadlines(net.reporters[1], today) == []
    coordinator = _network_deadlines(net.coordinator, today)
    assert [d.title for d in coordinator] == ["2 medlemmar har inte lämnat in för 2026"]

    submit(net, 0, 7)
    assert _network_deadlines(net.reporters[0], today) == []
    assert "1 medlem har inte" in _network_deadlines(net.coordinator, today)[0].title
    assert _network_deadlines(net.reporters[0], datetime.date(2027, 3, 1)) == []  # closed


def test_a_reopened_submission_owes_the_deadline_again(net):
    from reporting.actions_network import reopen_submission
    from tests.factories.network import submit

    sub = submit(net, 0, 7)
    reopen_submission(submission=sub, reason="Fel i åldrar", user=net.coordinator, audit=SYSTEM)
    assert len(_network_deadlines(net.reporters[0], datetime.date(2027, 1, 20))) == 1


def test_the_reminder_command_reminds_the_members_who_have_not_submitted(net, mailoutbox):
    from django.core.management import call_command

    from tests.factories.network import submit

    for user in [net.coordinator, *net.reporters]:
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    submit(net, 1, 5)
    call_command("send_reminders", "--today", "2027-01-20", "--days", "14")
    to = sorted(address for mail in mailoutbox for address in mail.to)
    expected = [net.reporters[0].email, net.reporters[2].email, net.coordinator.email]
    assert to == sorted(expected)
    assert any("Lämna in statistiken för 2026" in mail.body for mail in mailoutbox)
    call_command("send_reminders", "--today", "2027-01-20", "--days", "14")
    assert len(mailoutbox) == 3  # once per deadline


def test_no_network_deadline_query_without_a_role(django_assert_num_queries):
    from reporting.network_reminders import network_deadlines
    from tests.factories.partnerships import UserFactory

    user = UserFactory.create()
    with django_assert_num_queries(1):
        assert network_deadlines(user, datetime.date(2027, 1, 1)) == []


# --------------------------------------------------------------------------- admin


def test_the_admin_shows_network_models_and_submitted_counts_are_read_only(net, client):
    from django.contrib.auth import get_user_model

    from tests.factories.network import submit

    sub = submit(net, 0, 7)
    admin_user = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin_user)
    for name in ("network", "networkform", "networksubmission"):
        assert client.get(reverse(f"admin:reporting_{name}_changelist")).status_code == 200
    url = reverse("admin:reporting_networksubmission_change", args=[sub.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="total_contacts"' not in page.content.decode()
    assert client.post(url, {"total_contacts": "9"}).status_code == 403
    assert client.get(reverse("admin:reporting_networksubmission_add")).status_code == 403
    assert NetworkSubmission.objects.get().total_contacts == 7
    form_page = client.get(reverse("admin:reporting_networkform_change", args=[net.form.pk]))
    assert 'name="dimensions"' not in form_page.content.decode()  # opened: frozen


def test_the_generic_import_page_takes_the_template_too(net, login):
    """Listed on /io/ for reporters: the file itself names the member and form version."""
    from tests.io_helpers import preview

    client = login(net.reporters[0])
    assert "network_submissions" in client.get(reverse("io_index")).content.decode()
    job = preview(client, "network_submissions", _filled_csv(client, net, 0, 8))
    assert _confirm(client, job).status == ImportJob.Status.DONE, _reasons(job)
    assert NetworkSubmission.objects.get().total_contacts == 8


def test_a_row_naming_no_category_of_the_form_is_refused(net, login):
    client = login(net.reporters[0])
    rows = read_csv(_template(client, net, 0))
    filled = _filled(rows, counts_for(net.form, 12), 12)
    filled.append([*filled[2][:3], "gender", "alien", "", "0"])
    job = _upload(client, net, 0, csv_bytes(filled))
    assert "”alien” är ingen kategori i Kön" in _reasons(job)
    assert not NetworkSubmission.objects.exists()


def test_the_start_page_lists_the_network_deadline_until_the_member_has_submitted(net, login):
    from tests.factories.network import submit

    client = login(net.reporters[0])
    page = client.get(reverse("home") + "?todo").content.decode()
    assert "Lämna in statistiken för 2026" in page and net.network.name in page
    submit(net, 0, 7)
    assert "Lämna in statistiken" not in client.get(reverse("home") + "?todo").content.decode()
