"""One form version per network and period, enforced by the database on SQLite (the
embedded default) as on PostgreSQL: a whole-year form (no half) is a period too."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from reporting.models_network import NetworkForm
from tests.factories.network import make_network

pytestmark = pytest.mark.django_db


def _form(net, **fields) -> NetworkForm:
    return NetworkForm(
        network=net.network,
        year=net.form.year,
        version=net.form.version,
        due_on=datetime.date(2027, 1, 31),
        closes_on=datetime.date(2027, 2, 28),
        **fields,
    )


def test_a_second_whole_year_form_of_the_same_version_is_refused_by_the_database():
    net = make_network(2)
    assert net.form.half is None
    with pytest.raises(IntegrityError), transaction.atomic():
        _form(net).save()


def test_model_validation_names_the_clash_in_swedish():
    net = make_network(2)
    with pytest.raises(ValidationError) as caught:
        _form(net).full_clean()
    assert "Versionen av formuläret finns redan." in str(caught.value)


def test_halves_and_the_whole_year_are_different_periods():
    net = make_network(2)
    first_half = _form(net, half=1)
    first_half.full_clean()
    first_half.save()
    _form(net, half=2).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _form(net, half=1).save()
