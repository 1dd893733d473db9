"""The spreadsheet engine's registry: datasets come from each app's datasets.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404

from iop.spreadsheets.registry import Dataset, datasets, get_dataset, register
from iop.spreadsheets.resources import IopResource

ENGINE = Path(__file__).resolve().parent.parent / "iop" / "spreadsheets"


def test_it_lists_the_apps_datasets_in_the_order_of_the_import_export_page():
    assert list(datasets()) == [
        "organisations",
        "contact_persons",
        "actual_costs",
        "participants",
        "contacts",
        "attendance",
        "network_submissions",
    ]


def test_it_answers_404_for_an_unknown_dataset():
    with pytest.raises(Http404):
        get_dataset("payroll")


def test_it_refuses_a_second_dataset_under_a_taken_key():
    taken = get_dataset("contacts")
    other = Dataset("contacts", "Kontakter", IopResource, export_roles=(), import_roles=())
    with pytest.raises(ImproperlyConfigured):
        register(other)
    assert get_dataset("contacts") is taken


@pytest.mark.parametrize("app", ["partnerships", "participants", "reporting"])
def test_the_engine_names_no_app(app):
    for path in ENGINE.glob("*.py"):
        assert app not in path.read_text(encoding="utf-8"), path.name
