"""The member's submission grid: total contacts and one whole number per category.

Each cell is a field named "<dimension>__<category>" (a count dimension: its key), so the
error summary links to the very cell; the sums are checked by models_network.count_errors,
the same rule the model and the verb apply.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .models_network import (
    COUNT,
    MULTIPLE,
    SINGLE,
    NetworkForm,
    count_errors,
    crosstab_errors,
    crosstab_field_name,
    crosstab_key,
    field_name,
)

WHOLE = {
    "required": _("Ange ett antal (0 om inga)."),
    "invalid": _("Ange ett helt antal, noll eller mer."),
    "min_value": _("Ange ett helt antal, noll eller mer."),
}


def _count_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        error_messages=WHOLE,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6, "autocomplete": "off"}),
    )


class SubmissionForm(forms.Form):
    def __init__(self, network_form: NetworkForm, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network_form = network_form
        self.fields["total_contacts"] = _count_field(str(_("Antal kontakter totalt")))
        self.grid: list[dict[str, Any]] = []
        for dim in network_form.dimensions:
            cats = dim["categories"] if dim["kind"] != COUNT else [{"key": "", "label": ""}]
            names = []
            for cat in cats:
                name = field_name(dim["key"], cat["key"])
                self.fields[name] = _count_field(cat["label"] or dim["label"])
                names.append(name)
            self.grid.append({"dimension": dim, "names": names})
        for row_dim, col_dim in network_form.crosstab_tables:
            for r in row_dim["categories"]:
                for c in col_dim["categories"]:
                    name = crosstab_field_name(row_dim["key"], col_dim["key"], r["key"], c["key"])
                    self.fields[name] = _count_field(f"{r['label']} – {c['label']}")

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"dimension": row["dimension"], "fields": [self[name] for name in row["names"]]}
            for row in self.grid
        ]

    def crosstabs(self) -> list[dict[str, Any]]:
        """Each cross-tabulation as a table: column labels, then rows of bound fields."""
        tables = []
        for row_dim, col_dim in self.network_form.crosstab_tables:
            rows = []
            for r in row_dim["categories"]:
                names = [
                    crosstab_field_name(row_dim["key"], col_dim["key"], r["key"], c["key"])
                    for c in col_dim["categories"]
                ]
                rows.append({"label": r["label"], "fields": [self[n] for n in names]})
            tables.append({"rows_dim": row_dim, "columns_dim": col_dim, "rows": rows})
        return tables

    def crosstab_counts(self) -> dict[str, dict[str, dict[str, int]]]:
        result: dict[str, dict[str, dict[str, int]]] = {}
        for row_dim, col_dim in self.network_form.crosstab_tables:
            result[crosstab_key(row_dim["key"], col_dim["key"])] = {
                r["key"]: {
                    c["key"]: self.cleaned_data.get(
                        crosstab_field_name(row_dim["key"], col_dim["key"], r["key"], c["key"])
                    )
                    or 0
                    for c in col_dim["categories"]
                }
                for r in row_dim["categories"]
            }
        return result

    def counts(self) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {}
        for dim in self.network_form.dimensions:
            cats = [c["key"] for c in dim["categories"]] if dim["kind"] != COUNT else [""]
            result[dim["key"]] = {
                cat: self.cleaned_data.get(field_name(dim["key"], cat)) or 0 for cat in cats
            }
        return result

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        counts = self.counts()
        errors = count_errors(self.network_form, data.get("total_contacts"), counts)
        errors.update(crosstab_errors(self.network_form, counts, self.crosstab_counts()))
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name, message)
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl att öppna inrapporteringen igen"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Ange skälet till att inrapporteringen öppnas igen.")},
    )


class NewFormForm(forms.ModelForm):
    """A period's form with the default dimensions (the coordinator opens it separately)."""

    class Meta:
        model = NetworkForm
        fields = ["year", "half", "due_on", "closes_on", "allows_not_recorded"]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }


# Keys name JSON entries and grid fields ("<dim>__<cat>", "<rows>__<cols>__<r>__<c>"), so
# they hold no "__" and end in no "_": small letters, digits, "-" and single "_".
KEY_RE = r"^[a-z0-9][a-z0-9-]*(?:_[a-z0-9-]+)*$"
KEY_HELP = _("Små bokstäver a–z, siffror, - och _. Behåll nyckeln när du byter etikett.")
KIND_CHOICES = [
    (SINGLE, _("En kategori per kontakt")),
    (MULTIPLE, _("Flera kategorier per kontakt")),
    (COUNT, _("Ett antal")),
]


def _key_field(label: str) -> forms.RegexField:
    return forms.RegexField(
        label=label,
        regex=KEY_RE,
        max_length=40,
        help_text=KEY_HELP,
        error_messages={
            "invalid": _("Nyckeln får bara ha små bokstäver a–z, siffror, - och enkla _."),
            "required": _("Ange en nyckel."),
        },
    )


class DimensionForm(forms.Form):
    """One dimension of a draft form; its categories one per line as "nyckel: Etikett"."""

    key = _key_field(str(_("Nyckel")))
    label = forms.CharField(
        label=_("Rubrik"), max_length=120, error_messages={"required": _("Ange en rubrik.")}
    )
    kind = forms.ChoiceField(label=_("Sort"), choices=KIND_CHOICES)
    categories = forms.CharField(
        label=_("Kategorier (en per rad: nyckel: Etikett)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 36}),
    )

    def clean_categories(self) -> list[dict[str, str]]:
        text = self.cleaned_data.get("categories") or ""
        kind = self.cleaned_data.get("kind")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if kind == COUNT:
            if lines:
                raise forms.ValidationError(_("Ett antal har inga kategorier; töm fältet."))
            return []
        if not lines:
            raise forms.ValidationError(_("Ange minst en kategori, en per rad."))
        categories: list[dict[str, str]] = []
        for number, line in enumerate(lines, start=1):
            key, sep, label = (part.strip() for part in line.partition(":"))
            if not sep:
                key, label = slugify(line).replace("-", "_"), line
            if not label or not re.match(KEY_RE, key):
                raise forms.ValidationError(
                    _(
                        "Rad %(n)s: skriv \u201enyckel: Etikett\u201d, nyckeln med små a–z, "
                        "siffror, - och _."
                    )
                    % {"n": number}
                )
            if any(c["key"] == key for c in categories):
                raise forms.ValidationError(
                    _("Rad %(n)s: nyckeln %(key)s finns redan.") % {"n": number, "key": key}
                )
            categories.append({"key": key, "label": label})
        return categories

    def dimension(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "key": data["key"],
            "label": data["label"],
            "kind": data["kind"],
            "categories": data["categories"],
        }


class BaseDimensionFormSet(forms.BaseFormSet[DimensionForm]):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self._kept():
            key = form.cleaned_data["key"]
            if key in seen:
                form.add_error("key", _("Nyckeln %s finns redan i formuläret.") % key)
            seen.add(key)
        if not seen:
            raise forms.ValidationError(_("Formuläret behöver minst en dimension."))

    def _kept(self) -> list[forms.Form]:
        """The dimensions that stay: not ticked for removal, and the empty extra row only
        when something was written in it."""
        return [
            form
            for i, form in enumerate(self.forms)
            if (i < self.initial_form_count() or form.has_changed())
            and not form.cleaned_data.get("DELETE")
        ]

    def dimensions(self) -> list[dict[str, Any]]:
        return [form.dimension() for form in self._kept() if isinstance(form, DimensionForm)]


DimensionFormSet = forms.formset_factory(
    DimensionForm, formset=BaseDimensionFormSet, extra=1, can_delete=True
)


def dimension_initial(network_form: NetworkForm) -> list[dict[str, Any]]:
    return [
        {
            "key": d["key"],
            "label": d["label"],
            "kind": d["kind"],
            "categories": "\n".join(f"{c['key']}: {c['label']}" for c in d["categories"]),
        }
        for d in network_form.dimensions
    ]


class FormOptionsForm(forms.Form):
    """What else the coordinator chooses: "not recorded", and the cross-tabulations (pairs
    of dimensions where each contact is in one category)."""

    allows_not_recorded = forms.BooleanField(
        label=_("Tillåt \u201einte registrerat\u201d (kategorierna får summera till mindre)"),
        required=False,
    )
    crosstabs = forms.MultipleChoiceField(
        label=_("Korstabeller"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("En ny dimension kan väljas här när formuläret har sparats med den."),
    )

    def __init__(self, network_form: NetworkForm, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "allows_not_recorded": network_form.allows_not_recorded,
                "crosstabs": [
                    crosstab_key(c["rows"], c["columns"]) for c in network_form.crosstabs
                ],
            },
        )
        super().__init__(*args, **kwargs)
        singles = [d for d in network_form.dimensions if d["kind"] == SINGLE]
        field = self.fields["crosstabs"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [
            (crosstab_key(a["key"], b["key"]), f"{a['label']} × {b['label']}")
            for i, a in enumerate(singles)
            for b in singles[i + 1 :]
        ]

    def crosstab_pairs(self) -> list[dict[str, str]]:
        pairs = [key.split(":", 1) for key in self.cleaned_data["crosstabs"]]
        return [{"rows": rows, "columns": columns} for rows, columns in pairs]
