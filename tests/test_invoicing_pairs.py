"""Who invoices whom, kept in the app: the agreement's invoicing pairs are listed for
everyone who sees the agreement and added, changed and removed by finance staff and
partnership managers of its parties — each change a new version of the agreement, bad
input refused in Swedish at its field, and a pair that issued bases name kept intact."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iop.audit import AuditContext
from partnerships.models import InvoicingPair
from reporting import figures
from reporting.actions import issue_invoice_basis
from reporting.models import InvoiceBasis
from tests.factories.partnerships import OrganisationFactory, PartyFactory


def list_url(world):
    return reverse("invoicing_pair_list", args=[world.agreement_a.pk])


def new_url(world):
    return reverse("invoicing_pair_create", args=[world.agreement_a.pk])


def edit_url(pair):
    return reverse("invoicing_pair_edit", args=[pair.agreement_id, pair.pk])


def delete_url(pair):
    return reverse("invoicing_pair_delete", args=[pair.agreement_id, pair.pk])


def public(world):
    return world.agreement_a.public_parties().get()


def form_data(world, **changes):
    data = {
        "seller": world.party_a.pk,
        "buyer": public(world).pk,
        "percent": "100",
        "amount": "",
        "marking": "ID 150010, AKTIVITET: 450211",
        "marking_text": "IOP A",
        "buyer_reference": "150Z",
        "position": "0",
    }
    return {**data, **changes}


def make_pair(world, **fields) -> InvoicingPair:
    values = {"percent": Decimal("100"), "marking": "ID 1", **fields}
    return InvoicingPair.objects.create(
        agreement=world.agreement_a, seller=world.party_a, buyer=public(world), **values
    )


@pytest.mark.parametrize("user", ["finance_a", "manager_a"])
def test_finance_and_manager_add_a_pair_recorded_as_a_version(world, login, user):
    client = login(getattr(world, user))
    page = client.get(list_url(world)).content.decode()
    assert "Förening A fakturerar varje offentlig finansiär hela dess andel" in page
    versions = world.agreement_a.versions.count()
    response = client.post(new_url(world), form_data(world))
    assert response.status_code == 302 and response.url == list_url(world)
    pair = InvoicingPair.objects.get()
    assert (pair.marking, pair.buyer_reference, pair.percent) == (
        "ID 150010, AKTIVITET: 450211",
        "150Z",
        Decimal("100"),
    )
    assert world.agreement_a.versions.count() == versions + 1
    latest = world.agreement_a.versions.order_by("-number").first()
    assert latest.summary.startswith("Faktureringspar sparat: Förening A")
    assert latest.snapshot["invoicing_pairs"][0]["marking"] == "ID 150010, AKTIVITET: 450211"
    page = client.get(list_url(world)).content.decode()
    assert "ID 150010, AKTIVITET: 450211" in page and "150Z" in page
    # The basis now carries the pair's marking and reference.
    data = figures.invoice_figures(world.agreement_a, 2026, public(world))
    assert data["buyer_reference"] == "150Z" and data["marking"] == "IOP A, helår 2026"


def test_a_change_is_a_version_with_a_readable_diff(world, login):
    pair = make_pair(world)
    client = login(world.finance_a)
    response = client.post(edit_url(pair), form_data(world, marking="ID 2", percent="60"))
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.marking == "ID 2" and pair.percent == Decimal("60")
    history = client.get(reverse("agreement_history", args=[world.agreement_a.pk]))
    text = history.content.decode()
    assert "Vem fakturerar vem" in text and "60.00 % (ID 2)" in text


def test_steering_group_and_coordinator_may_read_but_not_change(world, login):
    pair = make_pair(world)
    for user in (world.steering_a, world.coordinator_a):
        client = login(user)
        page = client.get(list_url(world))
        assert page.status_code == 200 and "ID 1" in page.content.decode()
        assert edit_url(pair) not in page.content.decode()
        assert client.get(new_url(world)).status_code == 403
        assert client.post(edit_url(pair), form_data(world, marking="X")).status_code == 403
        assert client.post(delete_url(pair)).status_code == 403
    pair.refresh_from_db()
    assert pair.marking == "ID 1"


def test_a_user_of_another_partnership_gets_404(world, login):
    pair = make_pair(world)
    client = login(world.coordinator_b)
    assert client.get(list_url(world)).status_code == 404
    assert client.get(new_url(world)).status_code == 404
    assert client.get(edit_url(pair)).status_code == 404
    assert client.post(delete_url(pair)).status_code == 404
    assert InvoicingPair.objects.filter(pk=pair.pk).exists()


def test_a_pair_of_another_agreement_is_not_found_through_this_one(world, login):
    pair = make_pair(world)
    wrong = reverse("invoicing_pair_edit", args=[world.agreement_b.pk, pair.pk])
    assert login(world.admin).get(wrong).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"percent": "120"}, "percent", "Andelen ska vara större än 0 och högst 100 procent."),
        ({"amount": "1 000"}, "percent", "Ange antingen en andel i procent eller ett belopp."),
        ({"percent": "", "amount": "1,250.50"}, "amount", "går inte att tolka säkert"),
        ({"percent": "", "amount": "-5"}, "amount", "Beloppet ska vara större än 0."),
    ],
)
def test_bad_input_is_refused_in_swedish_at_its_field(world, login, changes, field, message):
    client = login(world.finance_a)
    response = client.post(new_url(world), form_data(world, **changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(message in e for e in errors[field]), errors
    assert message in response.content.decode()
    assert not InvoicingPair.objects.exists()


def test_swedish_amount_is_read_as_typed(world, login):
    client = login(world.finance_a)
    response = client.post(new_url(world), form_data(world, percent="", amount="1 250,50"))
    assert response.status_code == 302
    assert InvoicingPair.objects.get().amount == Decimal("1250.50")


def test_pairs_to_one_buyer_over_100_percent_and_a_second_same_pair_are_refused(world, login):
    make_pair(world, percent=Decimal("70"))
    second = PartyFactory(agreement=world.agreement_a, organisation=OrganisationFactory(name="D"))
    client = login(world.finance_a)
    response = client.post(new_url(world), form_data(world, seller=second.pk, percent="40"))
    assert response.status_code == 400
    assert "de andra paren har redan 70" in response.context["form"].errors["percent"][0]
    response = client.post(new_url(world), form_data(world, percent="10"))
    assert response.status_code == 400
    assert response.context["form"].errors["buyer"] == ["Paret finns redan."]
    # A public funder cannot invoice: it is not offered as seller.
    response = client.post(new_url(world), form_data(world, seller=public(world).pk))
    assert "seller" in response.context["form"].errors
    assert InvoicingPair.objects.count() == 1


def test_two_operators_each_invoice_their_part(world, login):
    second = PartyFactory(agreement=world.agreement_a, organisation=OrganisationFactory(name="D"))
    client = login(world.finance_a)
    client.post(new_url(world), form_data(world, percent="60"))
    client.post(new_url(world), form_data(world, seller=second.pk, percent="40", marking="ID 9"))
    amounts = [
        figures.invoice_figures(world.agreement_a, 2026, billing=b)["amount"]
        for b in figures.billings(world.agreement_a)
    ]
    assert amounts == [Decimal("420000.00"), Decimal("280000.00")]  # of 700 000 kr


def test_a_pair_with_an_issued_basis_keeps_its_parties_and_cannot_be_removed(world, login):
    pair = make_pair(world)
    issue_invoice_basis(
        agreement=world.agreement_a,
        year=2026,
        billing=figures.billings(world.agreement_a)[0],
        user=None,
        audit=AuditContext.system(),
    )
    assert InvoiceBasis.objects.get().pair == pair
    second = PartyFactory(agreement=world.agreement_a, organisation=OrganisationFactory(name="D"))
    client = login(world.finance_a)
    page = client.get(edit_url(pair)).content.decode()
    assert "säljare och köpare kan inte bytas" in page
    response = client.post(edit_url(pair), form_data(world, seller=second.pk, marking="ID 3"))
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.seller == world.party_a and pair.marking == "ID 3"
    response = client.post(delete_url(pair), follow=True)
    assert "så paret kan inte tas bort" in response.content.decode()
    assert InvoicingPair.objects.filter(pk=pair.pk).exists()


def test_a_pair_without_bases_is_removed_as_a_version(world, login):
    pair = make_pair(world)
    versions = world.agreement_a.versions.count()
    response = login(world.manager_a).post(delete_url(pair), follow=True)
    assert "är borttaget" in response.content.decode()
    assert not InvoicingPair.objects.exists()
    assert world.agreement_a.versions.count() == versions + 1


def test_a_party_in_a_pair_is_not_removed_and_the_page_says_why(world, login):
    second = PartyFactory(agreement=world.agreement_a, organisation=OrganisationFactory(name="D"))
    InvoicingPair.objects.create(
        agreement=world.agreement_a, seller=second, buyer=public(world), percent=Decimal("10")
    )
    response = login(world.manager_a).post(
        reverse("party_delete", args=[world.agreement_a.pk, second.pk]), follow=True
    )
    assert response.status_code == 200
    assert "D ingår i ett faktureringspar" in response.content.decode()
    assert world.agreement_a.parties.filter(pk=second.pk).exists()


def test_the_pages_a_finance_user_reads_link_to_the_pairs(world, login):
    client = login(world.finance_a)
    link = f'href="{list_url(world)}"'
    assert link in client.get(world.agreement_a.get_absolute_url()).content.decode()
    budget = reverse("budget_detail", args=[world.agreement_a.pk, 2026])
    assert link in client.get(budget).content.decode()
    invoice = reverse("reporting:invoice_basis", args=[world.agreement_a.pk, 2026])
    assert link in client.get(invoice).content.decode()


def test_the_list_runs_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    client = login(world.finance_a)
    make_pair(world, percent=Decimal("50"))
    client.get(list_url(world))  # session and caches warmed
    with CaptureQueriesContext(connection) as one_pair:
        client.get(list_url(world))
    second = PartyFactory(agreement=world.agreement_a, organisation=OrganisationFactory(name="E"))
    InvoicingPair.objects.create(
        agreement=world.agreement_a, seller=second, buyer=public(world), percent=Decimal("10")
    )
    with django_assert_num_queries(len(one_pair.captured_queries)):
        client.get(list_url(world))


def test_fixed_amounts_above_the_buyers_share_are_refused_at_the_field(world, login):
    client = login(world.finance_a)
    # The municipality's share of the 2026 budget is 700 000 kr.
    response = client.post(new_url(world), form_data(world, percent="", amount="700 000,01"))
    assert response.status_code == 400
    assert response.context["form"].errors["amount"] == [
        "De fasta beloppen mot Testkommun blir 700 000,01 kr per år, mer än dess andel "
        "700 000 kr i budgeten för 2026."
    ]
    assert not InvoicingPair.objects.exists()
    assert (
        client.post(new_url(world), form_data(world, percent="", amount="700 000")).status_code
        == 302
    )


def test_the_invoice_basis_runs_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    """Measured (issue 19): the page read the agreement's invoicing pairs (and, without
    pairs, its parties) twice, once for its chooser and once more for the figures. Now 13:
    the session, the user and the second factor; the agreement; the pairs; the budget, its
    cost lines, shares and other funding; the index-adjusted budgets; the agreement version
    (two reads when none is in force at the year's end, as here); the issued bases."""
    client = login(world.finance_a)
    make_pair(world, percent=Decimal("50"))
    url = reverse("reporting:invoice_basis", args=[world.agreement_a.pk, 2026])
    assert client.get(url).status_code == 200  # session and caches warmed
    with django_assert_num_queries(13) as page:
        client.get(url)
    pairs = [q for q in page.captured_queries if "partnerships_invoicingpair" in q["sql"]]
    assert len(pairs) == 1, [q["sql"] for q in pairs]
