"""Issue 17's demo: a network of 20 invented members, three years, one member late."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from partnerships.models import User
from reporting.demo_network import NETWORK_NAME
from reporting.models import Network, NetworkSubmission


@pytest.fixture
def demo(db):
    call_command("load_demo", allow_demo_data=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("load_demo", allow_demo_data=True, stdout=open("/dev/null", "w"))  # noqa: SIM115 (twice: replaced)


def test_the_demo_network_has_twenty_members_three_years_and_one_late(demo, client):
    network = Network.objects.get(name=NETWORK_NAME)
    assert network.members.count() == 20
    forms = list(network.forms.order_by("year"))
    assert len(forms) == 3
    assert [f.submissions.count() for f in forms] == [20, 20, 19]
    client.force_login(User.objects.get(username="ansvarig"))
    status = client.get(reverse("reporting:network_form_status", args=[network.pk, forms[2].pk]))
    assert status.content.decode().count("Försenad") == 1
    # The published report's total is the sum of the members' totals.
    client.force_login(User.objects.get(username="koordinator"))
    response = client.get(reverse("reporting:network_report_csv", args=[network.pk, forms[0].pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))
    expected = sum(
        NetworkSubmission.objects.filter(form=forms[0]).values_list("total_contacts", flat=True)
    )
    assert ["Kontakter totalt", "", str(expected)] in rows
    assert ["Rapporterande medlemmar", "", "20"] in rows
    # The latest year is not published: the member reads no report of it.
    latest = reverse("reporting:network_report", args=[network.pk, forms[2].pk])
    assert client.get(latest).status_code == 404
