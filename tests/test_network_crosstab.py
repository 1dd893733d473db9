"""Issue 17, deliverable 5: cross-tabulations the coordinator chooses (form of
exploitation × gender) — declared by the form version, given by each member with margins
that must match, reported through the same suppression, across members too."""

from __future__ import annotations

import csv
import io
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from iop.audit import AuditContext
from reporting.actions_network import open_form, save_form, submit_counts
from reporting.models import NetworkForm, NetworkSubmission
from reporting.suppression import Cell, Suppressor
from tests.factories.network import NetworkWorld, counts_for, make_network

pytestmark = pytest.mark.django_db

SYSTEM = AuditContext.system()
PAIR = [{"rows": "exploitation", "columns": "gender"}]
KEY = "exploitation:gender"
EXPLOITATION = ["sexual", "labour", "begging", "criminal", "forced_marriage", "other", "unknown"]
GENDER = ["woman", "man", "nonbinary", "unknown"]


@pytest.fixture
def net() -> NetworkWorld:
    """Four members and an open form with exploitation × gender (a version 2)."""
    world = make_network(4)
    draft = save_form(
        form=world.form, changes={"crosstabs": PAIR}, user=world.coordinator, audit=SYSTEM
    )
    world.form = open_form(form=draft, user=world.coordinator, audit=SYSTEM)
    return world


def _figures(form: NetworkForm, grid: dict[tuple[str, str], int]):
    """A member's counts from its exploitation × gender cells: the margins follow."""
    table = {r: {c: grid.get((r, c), 0) for c in GENDER} for r in EXPLOITATION}
    total = sum(grid.values())
    counts = counts_for(
        form,
        total,
        {
            "exploitation": {r: sum(table[r].values()) for r in EXPLOITATION},
            "gender": {c: sum(table[r][c] for r in EXPLOITATION) for c in GENDER},
        },
    )
    return total, counts, {KEY: table}


def _submit(net: NetworkWorld, index: int, grid: dict[tuple[str, str], int]) -> NetworkSubmission:
    total, counts, crosstabs = _figures(net.form, grid)
    return submit_counts(
        form=net.form,
        member=net.members[index],
        total_contacts=total,
        counts=counts,
        crosstab_counts=crosstabs,
        user=net.reporters[index],
        audit=SYSTEM,
    )


def _post_data(net: NetworkWorld, grid: dict[tuple[str, str], int]) -> dict[str, str]:
    total, counts, crosstabs = _figures(net.form, grid)
    data = {"total_contacts": str(total)}
    for dim, cats in counts.items():
        for cat, value in cats.items():
            data[f"{dim}__{cat}" if cat else dim] = str(value)
    for r, row in crosstabs[KEY].items():
        for c, value in row.items():
            data[f"exploitation__gender__{r}__{c}"] = str(value)
    return data


def _submit_url(net: NetworkWorld, index: int) -> str:
    return reverse(
        "reporting:network_submit", args=[net.network.pk, net.form.pk, net.members[index].pk]
    )


def _csv(client, net: NetworkWorld) -> list[list[str]]:
    response = client.get(
        reverse("reporting:network_report_csv", args=[net.network.pk, net.form.pk])
    )
    return list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))


# --------------------------------------------------------------------------- the form


def test_a_crosstab_pairs_two_different_single_dimensions_once(net):
    form = NetworkForm(
        network=net.network, year=2030, due_on=net.form.due_on, closes_on=net.form.closes_on
    )
    for crosstabs, message in [
        ([{"rows": "exploitation", "columns": "needs"}], "en kategori"),
        ([{"rows": "gender", "columns": "gender"}], "med sig själv"),
        ([*PAIR, {"rows": "gender", "columns": "exploitation"}], "finns redan"),
        ([{"rows": "nosuch", "columns": "gender"}], "en kategori"),
    ]:
        form.crosstabs = crosstabs
        with pytest.raises(ValidationError, match=message) as caught:
            form.full_clean()
        assert "crosstabs" in caught.value.message_dict


def test_an_opened_forms_crosstabs_are_frozen_and_a_change_makes_a_new_version(net):
    form = NetworkForm.objects.get(pk=net.form.pk)
    form.crosstabs = []
    with pytest.raises(ValidationError, match="kan inte ändras"):
        form.full_clean()
    new = save_form(form=net.form, changes={"crosstabs": []}, user=net.coordinator, audit=SYSTEM)
    assert (new.version, new.crosstabs) == (3, [])
    assert NetworkForm.objects.get(pk=net.form.pk).crosstabs == PAIR


# --------------------------------------------------------------------------- submission


def test_a_member_gives_the_crosstab_by_the_grid(net, login):
    client = login(net.reporters[0])
    page = client.get(_submit_url(net, 0)).content.decode()
    assert "Form av exploatering × Kön" in page
    assert 'name="exploitation__gender__labour__man"' in page
    grid = {("sexual", "woman"): 6, ("labour", "man"): 4, ("unknown", "unknown"): 2}
    assert client.post(_submit_url(net, 0), _post_data(net, grid)).status_code == 302
    stored = NetworkSubmission.objects.get()
    assert stored.crosstab_counts[KEY]["labour"]["man"] == 4
    assert stored.counts["gender"]["man"] == 4 and stored.total_contacts == 12


def test_a_crosstab_row_not_matching_its_margin_is_refused_at_the_row(net, login):
    client = login(net.reporters[0])
    data = _post_data(net, {("sexual", "woman"): 6, ("labour", "man"): 4})
    # The labour row now says 3 men, but the exploitation grid says 4 labour contacts.
    data["exploitation__gender__labour__man"] = "3"
    data["exploitation__gender__labour__woman"] = "0"
    response = client.post(_submit_url(net, 0), data)
    assert response.status_code == 200
    errors = response.context["grid"].errors
    assert errors["exploitation__gender__labour__woman"] == [
        "Raden Arbetskraftsexploatering summerar till 3, men Form av exploatering "
        "Arbetskraftsexploatering är 4."
    ]
    assert (
        "Kolumnen Man summerar till 3, men Kön Man är 4."
        in errors["exploitation__gender__sexual__man"]
    )
    assert not NetworkSubmission.objects.exists()


@pytest.mark.parametrize("value", ["-1", "1,5", "", "två"])
def test_a_crosstab_cell_that_is_not_a_whole_number_is_refused_at_the_cell(net, login, value):
    client = login(net.reporters[0])
    data = _post_data(net, {("sexual", "woman"): 6})
    data["exploitation__gender__begging__nonbinary"] = value
    response = client.post(_submit_url(net, 0), data)
    errors = response.context["grid"].errors
    assert list(errors) == ["exploitation__gender__begging__nonbinary"]
    assert not NetworkSubmission.objects.exists()


def test_the_verb_refuses_missing_crosstab_counts(net):
    total, counts, _crosstabs = _figures(net.form, {("sexual", "woman"): 6})
    with pytest.raises(ValidationError, match="summerar till 0, men Form av exploatering"):
        submit_counts(
            form=net.form, member=net.members[0], total_contacts=total, counts=counts,
            user=net.reporters[0], audit=SYSTEM,
        )  # fmt: skip
    assert not NetworkSubmission.objects.exists()


# --------------------------------------------------------------------------- the report


HAND = {
    0: {("sexual", "woman"): 10, ("sexual", "man"): 5, ("unknown", "woman"): 5},
    1: {("sexual", "woman"): 10, ("labour", "man"): 6, ("unknown", "woman"): 4},
    2: {("sexual", "woman"): 12, ("unknown", "woman"): 8, ("labour", "woman"): 6},
    3: {("sexual", "woman"): 12, ("unknown", "woman"): 3, ("labour", "woman"): 5},
}


def _publish(net: NetworkWorld, login) -> None:
    for i, grid in HAND.items():
        _submit(net, i, grid)
    login(net.coordinator).post(
        reverse("reporting:network_publish", args=[net.network.pk, net.form.pk])
    )


def test_the_report_shows_the_crosstab_with_hand_counted_figures(net, login):
    _publish(net, login)
    client = login(net.reporters[0])
    rows = _csv(client, net)
    table = {r[1]: r[2] for r in rows if r[0] == "Form av exploatering × Kön"}
    # Unknown × woman: 5 + 4 + 8 + 3; the labour row: 6 (B's men) + 6 + 5 (women).
    assert table["Okänd – Kvinna"] == "20"
    assert table["Arbetskraftsexploatering – Totalt"] == "17"
    assert table["Sexuell exploatering – Totalt"] == "49"
    assert table["Tiggeri – Kvinna"] == "0"
    # Men are reported by A and B alone (5 and 6): every man's cell is hidden, and so are
    # the women's beside them, so that no row or column gives one away.
    assert [table[f"{e} – {g}"] for e in ("Sexuell exploatering", "Arbetskraftsexploatering")
            for g in ("Kvinna", "Man")] == ["*", "*", "*", "*"]  # fmt: skip
    html = client.get(
        reverse("reporting:network_report", args=[net.network.pk, net.form.pk])
    ).content.decode()
    assert "Form av exploatering × Kön" in html and '<td class="num count">17</td>' in html


def test_the_report_pdf_shows_the_crosstab(net, login):
    from pypdf import PdfReader

    _publish(net, login)
    response = login(net.coordinator).get(
        reverse("reporting:network_report_pdf", args=[net.network.pk, net.form.pk])
    )
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Form av exploatering × Kön" in text
    assert "Arbetskraftsexploatering * * 0 0 17" in text.replace("\xa0", " ")


def _solve(equations: list[tuple[dict[str, int], Fraction]]) -> dict[str, Fraction]:
    """Gauss–Jordan over exact fractions: the unknowns the equations pin down alone."""
    pivots: dict[str, tuple[dict[str, Fraction], Fraction]] = {}
    for coeffs, rhs in equations:
        row = {k: Fraction(v) for k, v in coeffs.items() if v}
        for name, (prow, prhs) in pivots.items():
            if name in row:
                f = row[name]
                for k, v in prow.items():
                    row[k] = row.get(k, Fraction(0)) - f * v
                rhs -= f * prhs
                row = {k: v for k, v in row.items() if v}
        if not row:
            continue
        lead = min(row)
        scale = row[lead]
        row = {k: v / scale for k, v in row.items()}
        rhs /= scale
        for name, (prow, prhs) in list(pivots.items()):
            if lead in prow:
                f = prow[lead]
                for k, v in row.items():
                    prow[k] = prow.get(k, Fraction(0)) - f * v
                pivots[name] = ({k: v for k, v in prow.items() if v}, prhs - f * rhs)
        pivots[lead] = (row, rhs)
    return {name: rhs for name, (row, rhs) in pivots.items() if len(row) == 1}


def test_a_members_suppressed_crosstab_cell_cannot_be_recovered_by_subtraction(net, login):
    """Member B alone has men in labour exploitation (6). Member A, who knows its own
    figures, reads the published CSV and tries every subtraction the report allows: each
    hidden cell minus A's own part is an unknown (the others' sum), and the report's sums
    — crosstab rows to the exploitation figures, columns to the gender figures, both to
    the total — are the equations. Solved exactly, B's cell stays undetermined."""
    _publish(net, login)
    rows = _csv(login(net.reporters[0]), net)
    total = rows[[r[0] for r in rows].index("Kontakter totalt")][2]
    exploitation = {r[1]: r[2] for r in rows if r[0] == "Form av exploatering"}
    gender = {r[1]: r[2] for r in rows if r[0] == "Kön"}
    cross = {r[1]: r[2] for r in rows if r[0] == "Form av exploatering × Kön"}
    assert cross["Arbetskraftsexploatering – Man"] in ("<5", "*")
    labels_e = [k for k in exploitation if k != "Inte registrerat"]
    labels_g = list(gender)
    own = dict.fromkeys(cross, 0) | {
        "Sexuell exploatering – Kvinna": 10, "Sexuell exploatering – Man": 5,
        "Okänd – Kvinna": 5, "Sexuell exploatering – Totalt": 15, "Okänd – Totalt": 5,
        "Totalt – Kvinna": 15, "Totalt – Man": 5,
    }  # fmt: skip

    def term(name: str, value: str, coeffs: dict[str, int], sign: int) -> Fraction:
        """A shown cell moves to the right-hand side; a hidden one is an unknown."""
        if value.isdigit():
            return Fraction(-sign * int(value))
        coeffs[name] = coeffs.get(name, 0) + sign
        return Fraction(-sign * own.get(name, 0))

    equations = []
    lines = [
        ("Kontakter totalt", total, [(f"e:{k}", exploitation[k]) for k in labels_e]),
        ("Kontakter totalt", total, [(f"g:{k}", gender[k]) for k in labels_g]),
    ]
    for e in labels_e:
        cells = [(f"{e} – {g}", cross[f"{e} – {g}"]) for g in labels_g]
        lines.append((f"{e} – Totalt", cross[f"{e} – Totalt"], cells))
    for g in labels_g:
        cells = [(f"{e} – {g}", cross[f"{e} – {g}"]) for e in labels_e]
        lines.append((f"Totalt – {g}", cross[f"Totalt – {g}"], cells))
    # The dimension's own figure and the crosstab's margin are the same count.
    lines += [
        (f"e:{e}", exploitation[e], [(f"{e} – Totalt", cross[f"{e} – Totalt"])]) for e in labels_e
    ]
    lines += [(f"g:{g}", gender[g], [(f"Totalt – {g}", cross[f"Totalt – {g}"])]) for g in labels_g]
    for name, value, parts in lines:
        coeffs: dict[str, int] = {}
        rhs = term(name, value, coeffs, 1)
        for part, part_value in parts:
            rhs += term(part, part_value, coeffs, -1)
        equations.append((coeffs, -rhs))
    solved = _solve(equations)
    assert "Arbetskraftsexploatering – Man" not in solved
    # Nothing hidden is pinned down at all: the report gives no hidden cell away.
    assert not solved
    # The plain subtraction: the labour row's total minus its shown cells leaves two
    # hidden cells, not B's alone.
    labour = [cross[f"Arbetskraftsexploatering – {g}"] for g in labels_g]
    assert sum(1 for v in labour if not v.isdigit()) >= 2


def test_the_exact_check_hides_a_cell_the_row_and_column_sums_give_away():
    """Two hidden rectangles joined by one hidden cell: every row and column has two
    hidden cells, yet the joining cell follows from the sums. The exact check hides more."""

    def table(exact: bool) -> tuple[Suppressor, list[list[Cell]]]:
        suppressor = Suppressor(exact=exact)
        small = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)}
        grid = [[suppressor.cell(2 if (i, j) in small else 40) for j in range(4)] for i in range(4)]
        for i in range(4):
            suppressor.total(grid[i])
        for j in range(4):
            suppressor.total([grid[i][j] for i in range(4)])
        suppressor.apply()
        return suppressor, grid

    loose, grid = table(exact=False)
    assert grid[1][2] in loose._determined()
    strict, grid = table(exact=True)
    assert strict._determined() == []
    assert sum(c.hidden for row in grid for c in row) > 9


# --------------------------------------------------------------------------- the edit page


def _edit_url(net: NetworkWorld, form: NetworkForm) -> str:
    return reverse("reporting:network_form_edit", args=[net.network.pk, form.pk])


def _edit_data(form: NetworkForm, **options) -> dict[str, str | list[str]]:
    """The page's own fields as the coordinator finds them, ready to change."""
    data: dict[str, str | list[str]] = {
        "dim-TOTAL_FORMS": str(len(form.dimensions) + 1),
        "dim-INITIAL_FORMS": str(len(form.dimensions)),
        "dim-MIN_NUM_FORMS": "0",
        "dim-MAX_NUM_FORMS": "1000",
        "crosstabs": [f"{c['rows']}:{c['columns']}" for c in form.crosstabs],
    }
    for i, dim in enumerate(form.dimensions):
        data |= {
            f"dim-{i}-key": dim["key"],
            f"dim-{i}-label": dim["label"],
            f"dim-{i}-kind": dim["kind"],
            f"dim-{i}-categories": "\n".join(
                f"{c['key']}: {c['label']}" for c in dim["categories"]
            ),
        }
    return data | options


@pytest.fixture
def draft(net) -> NetworkForm:
    return NetworkForm.objects.create(
        network=net.network, year=2027, due_on=net.form.due_on, closes_on=net.form.closes_on
    )


def test_the_coordinator_edits_a_drafts_dimensions_in_place(net, login, draft):
    client = login(net.coordinator)
    assert client.get(_edit_url(net, draft)).status_code == 200
    data = _edit_data(draft)
    data["dim-1-categories"] = "woman: Kvinnor\nman: Män\nother: Annat kön\nunknown: Okänt"
    data["dim-3-DELETE"] = "on"  # accompanying children
    data |= {"dim-8-key": "language", "dim-8-label": "Språk", "dim-8-kind": "single",
             "dim-8-categories": "Svenska\nengelska: Engelska\nAnnat språk"}  # fmt: skip
    data["crosstabs"] = ["exploitation:gender", "gender:age"]
    data["allows_not_recorded"] = "on"
    response = client.post(_edit_url(net, draft), data)
    assert response.status_code == 302
    form = NetworkForm.objects.get(pk=draft.pk)
    keys = [d["key"] for d in form.dimensions]
    assert "children" not in keys and keys[-1] == "language"
    assert form.dimensions[1]["categories"][0] == {"key": "woman", "label": "Kvinnor"}
    assert [c["key"] for c in form.dimensions[-1]["categories"]] == [
        "svenska", "engelska", "annat_sprak"
    ]  # fmt: skip
    assert form.crosstabs == [
        {"rows": "exploitation", "columns": "gender"}, {"rows": "gender", "columns": "age"}
    ]  # fmt: skip
    assert (form.version, form.status, form.allows_not_recorded) == (1, "draft", True)


def test_editing_an_opened_form_makes_a_new_version(net, login):
    client = login(net.coordinator)
    page = client.get(_edit_url(net, net.form)).content.decode()
    assert "Spara som ny version" in page
    data = _edit_data(net.form)
    data["dim-0-label"] = "Exploatering"
    response = client.post(_edit_url(net, net.form), data)
    new = NetworkForm.objects.get(network=net.network, year=2026, version=3)
    assert response.status_code == 302 and response["Location"] == _edit_url(net, new)
    assert (new.status, new.dimensions[0]["label"]) == ("draft", "Exploatering")
    opened = NetworkForm.objects.get(pk=net.form.pk)
    assert opened.dimensions[0]["label"] == "Form av exploatering"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"dim-1-categories": "woman: Kvinna\nMan Kvinna: \nman: Man"},
            "dim-1-categories",
            "Rad 2",
        ),
        ({"dim-1-categories": "woman: Kvinna\nwoman: Kvinnor"}, "dim-1-categories", "finns redan"),
        ({"dim-1-categories": "Fel__nyckel: X"}, "dim-1-categories", "Rad 1"),
        ({"dim-1-categories": ""}, "dim-1-categories", "minst en kategori"),
        ({"dim-3-categories": "a: A"}, "dim-3-categories", "inga kategorier"),
        ({"dim-1-key": "exploitation"}, "dim-1-key", "finns redan i formuläret"),
        ({"dim-1-key": "Kön"}, "dim-1-key", "små bokstäver"),
        ({"dim-1-label": ""}, "dim-1-label", "Ange en rubrik"),
        ({"dim-1-DELETE": "on"}, "crosstabs", "en kategori"),
        ({"dim-1-kind": "multiple"}, "crosstabs", "en kategori"),
    ],
)
def test_bad_dimensions_are_refused_at_the_field(net, login, draft, change, field, message):
    draft.crosstabs = PAIR
    draft.save()
    client = login(net.coordinator)
    response = client.post(_edit_url(net, draft), _edit_data(draft) | change)
    assert response.status_code == 200
    context = response.context
    if field == "crosstabs":
        errors = context["options"].errors["crosstabs"]
    else:
        index, name = field.split("-")[1:]
        errors = context["dimensions"].forms[int(index)].errors[name]
    assert any(message in e for e in errors), errors
    assert NetworkForm.objects.get(pk=draft.pk).dimensions == draft.dimensions


def test_a_reporter_cannot_edit_a_form(net, login, draft):
    client = login(net.reporters[0])
    assert client.get(_edit_url(net, draft)).status_code == 403
    assert client.post(_edit_url(net, draft), _edit_data(draft)).status_code == 403


# --------------------------------------------------------------------------- trends


def test_the_report_has_each_dimensions_trend_over_the_periods(net, login):
    """2025 (an earlier form) and 2026: gender per period, hand-counted; the report's own
    period shows the same (hidden alike) cells as its dimension table."""
    earlier = make_network(0, coordinator=net.coordinator, year=2025)  # a form to borrow
    NetworkForm.objects.filter(pk=earlier.form.pk).update(network=net.network)
    earlier.form.refresh_from_db()
    for i, total in enumerate((20, 30, 40)):
        NetworkSubmission.objects.create(
            form=earlier.form, member=net.members[i], total_contacts=total,
            counts=counts_for(earlier.form, total), submitted_by=net.reporters[i],
        )  # fmt: skip
    _publish(net, login)
    rows = _csv(login(net.reporters[0]), net)
    trend = {r[1]: r[2] for r in rows if r[0] == "Kön per period"}
    # 2025: each total spread evenly over four genders, the rest first: 20 → 5 5 5 5,
    # 30 → 8 8 7 7, 40 → 10 10 10 10.
    assert trend["2025 – Kvinna"] == "23" and trend["2025 – Man"] == "23"
    assert trend["2025 – Icke-binär"] == "22"
    gender = {r[1]: r[2] for r in rows if r[0] == "Kön"}
    assert [trend[f"2026 – {g}"] for g in gender] == list(gender.values())
    assert ["Kontakter per period", "2025", "90"] in rows
    html = (
        login(net.coordinator)
        .get(reverse("reporting:network_report", args=[net.network.pk, net.form.pk]))
        .content.decode()
    )
    assert "Kön per period" in html and 'aria-label="Kontakter per period"' in html
