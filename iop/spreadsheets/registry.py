"""The datasets the engine can import and export, declared by the apps that own them.

Each app declares its datasets in `<app>/datasets.py` and calls `register(...)` there;
iop's AppConfig.ready() imports every installed app's datasets module (the way the admin
finds admin.py), so the engine itself names no app. The import/export page lists the
datasets in the order they were registered: apps in INSTALLED_APPS order, then the order
within each datasets.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.utils.module_loading import autodiscover_modules

from .resources import IopResource
from .users import SpreadsheetUser


@dataclass(frozen=True)
class Dataset:
    """One kind of data: its resource, and the roles that may export and import it."""

    key: str
    label: Any
    resource_class: type[IopResource]
    export_roles: tuple[str, ...]
    import_roles: tuple[str, ...]
    help: Any = ""

    def resource(self, user: SpreadsheetUser) -> IopResource:
        return self.resource_class(user=user)

    def may_export(self, user: SpreadsheetUser) -> bool:
        return user.has_role(*self.export_roles)

    def may_import(self, user: SpreadsheetUser) -> bool:
        return user.has_role(*self.import_roles)


_registry: dict[str, Dataset] = {}


def register(*datasets: Dataset) -> None:
    for dataset in datasets:
        if dataset.key in _registry and _registry[dataset.key] != dataset:
            raise ImproperlyConfigured(f"Two datasets are registered as {dataset.key!r}.")
        _registry[dataset.key] = dataset


def datasets() -> Mapping[str, Dataset]:
    """Every registered dataset by key, in registration order (read-only)."""
    return MappingProxyType(_registry)


def get_dataset(key: str) -> Dataset:
    """The dataset a URL names; 404 for an unknown key."""
    try:
        return _registry[key]
    except KeyError as exc:
        raise Http404 from exc


def autodiscover() -> None:
    """Import `datasets` from every installed app, which registers their datasets."""
    autodiscover_modules("datasets")
