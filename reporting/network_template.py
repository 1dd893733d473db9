"""The network's template: a member's submission as a spreadsheet, in through the engine.

The template (CSV or XLSX, written by iop/spreadsheets/writer.py) has one row per cell of
the member's grid — first the total contacts, then each dimension's categories, then each
cell of the form's cross-tabulations (Dimension "exploitation × gender", Kategori
"sexual × woman") — and says on every row which member, period and form version it is for. The member fills in the
counts and uploads it through the import engine (iop/spreadsheets/): the rows are read
and checked one by one (a whole number, a known dimension and category, the member's own
organisation, the form the upload is for), then, after the last row and inside the
engine's transaction, the whole submission is made by the web form's own verb
(`actions_network.submit_counts`), which applies the same sum rules (`count_errors`, and
`crosstab_errors` for the cross-tabulations' margins).
The preview runs it and rolls it back; the confirmation runs it for real, all or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult

from iop.audit import AuditContext
from iop.spreadsheets.registry import Dataset
from iop.spreadsheets.resources import IopResource, TextWidget, cell_text
from iop.spreadsheets.users import SpreadsheetUser
from iop.spreadsheets.writer import csv_response, xlsx_response
from partnerships.models import User

from .actions_network import submit_counts
from .forms_network import WHOLE
from .models_network import (
    COUNT,
    NetworkForm,
    NetworkMember,
    NetworkRole,
    NetworkSubmission,
    crosstab_field_name,
    crosstab_key,
    field_name,
)

DATASET_KEY = "network_submissions"
TOTAL = "total"
TIMES = "×"

COLUMNS = {
    "member": gettext_lazy("Organisationsnummer"),
    "period": gettext_lazy("Period"),
    "form_version": gettext_lazy("Formulärversion"),
    "dimension": gettext_lazy("Dimension"),
    "category": gettext_lazy("Kategori"),
    "description": gettext_lazy("Beskrivning"),
    "count": gettext_lazy("Antal"),
}


def _column(name: str, *, readonly: bool = False) -> fields.Field:
    return fields.Field(
        attribute=None, column_name=str(COLUMNS[name]), widget=TextWidget(), readonly=readonly
    )


def template_rows(
    form: NetworkForm,
    member: NetworkMember,
    counts: dict[str, dict[str, int]] | None = None,
    crosstab_counts: dict[str, dict[str, dict[str, int]]] | None = None,
) -> list[list[Any]]:
    """The member's grid as rows, the counts blank unless given (a prefill); a
    cross-tabulation's cell names both dimensions and both categories, joined by "×"."""
    base = [member.organisation.org_number, form.period_label, form.version]
    given = counts or {}
    total = given.get(TOTAL, {}).get("")
    rows: list[list[Any]] = [[*base, TOTAL, "", str(_("Antal kontakter totalt")), total]]
    for dim in form.dimensions:
        cats = dim["categories"] if dim["kind"] != COUNT else [{"key": "", "label": ""}]
        for cat in cats:
            label = f"{dim['label']}: {cat['label']}" if cat["label"] else dim["label"]
            value = given.get(dim["key"], {}).get(cat["key"])
            rows.append([*base, dim["key"], cat["key"], label, value])
    crosstabs = crosstab_counts or {}
    for row_dim, col_dim in form.crosstab_tables:
        table = crosstabs.get(crosstab_key(row_dim["key"], col_dim["key"]), {})
        pair = f"{row_dim['key']} {TIMES} {col_dim['key']}"
        for r in row_dim["categories"]:
            for c in col_dim["categories"]:
                label = (
                    f"{row_dim['label']} {TIMES} {col_dim['label']}: "
                    f"{r['label']} {TIMES} {c['label']}"
                )
                value = table.get(r["key"], {}).get(c["key"])
                rows.append([*base, pair, f"{r['key']} {TIMES} {c['key']}", label, value])
    return rows


def template_response(
    form: NetworkForm,
    member: NetworkMember,
    file_format: str,
    counts: dict[str, dict[str, int]] | None = None,
    crosstab_counts: dict[str, dict[str, dict[str, int]]] | None = None,
) -> HttpResponse | StreamingHttpResponse:
    header = [str(title) for title in COLUMNS.values()]
    rows = template_rows(form, member, counts, crosstab_counts)
    stem = f"natverk-mall-{form.year}{'' if form.half is None else f'-h{form.half}'}"
    stem += f"-v{form.version}-{member.organisation.org_number}"
    if file_format == "xlsx":
        help_rows = [
            [_("Kolumn"), _("Förklaring")],
            *[[str(COLUMNS[name]), str(note)] for name, note in COLUMN_NOTES.items()],
            [],
            [str(DATASET_HELP)],
        ]
        return xlsx_response(
            f"{stem}.xlsx", header, rows, sheet_title=form.period_label, help_rows=help_rows
        )
    return csv_response(f"{stem}.csv", header, rows)


COLUMN_NOTES = {
    "member": gettext_lazy("Medlemsorganisationen som rapporterar. Ändra inte."),
    "period": gettext_lazy("Rapportperioden (år, eller år och halvår). Ändra inte."),
    "form_version": gettext_lazy("Formulärets version. Ändra inte."),
    "dimension": gettext_lazy(
        "Dimensionens nyckel; i en korstabell båda dimensionerna, rader × kolumner. Ändra inte."
    ),
    "category": gettext_lazy(
        "Kategorins nyckel; i en korstabell radens och kolumnens kategori, rad × kolumn. "
        "Ändra inte."
    ),
    "description": gettext_lazy("Vad raden räknar. Läses inte."),
    "count": gettext_lazy(
        "Antal kontakter, ett helt tal (0 om inga). Kategorierna i en dimension där varje "
        "kontakt hör till en kategori ska summera till antalet kontakter totalt. I en "
        "korstabell ska cellerna för en kategori summera till kategorins antal i dess egen "
        "dimension (till exempel cellerna för Kvinna till antalet kvinnor)."
    ),
}

DATASET_HELP = gettext_lazy(
    "Hämta mallen för din organisation och perioden på nätverkets sida, fyll i antalen och "
    "ladda upp den. Inget sparas förrän hela filen stämmer; inlämnade antal låses."
)


@dataclass
class _Cell:
    key: tuple
    dimension: str
    category: str
    count: int
    # A cross-tabulation's cell: (rows dimension, columns dimension, row cat, column cat).
    crosstab: tuple[str, str, str, str] | None = None


class _NoInstances(BaseInstanceLoader):
    """The rows are cells of one new submission, never stored rows to load."""

    def get_instance(self, row: Any) -> None:
        return None


class NetworkSubmissionResource(IopResource):
    """A member's counts for one form, one row per cell; written as one submission."""

    member = _column("member")
    period = _column("period")
    form_version = _column("form_version")
    dimension = _column("dimension")
    category = _column("category")
    description = _column("description", readonly=True)
    count = _column("count")

    column_notes = {str(COLUMNS[name]): note for name, note in COLUMN_NOTES.items()}

    class Meta(IopResource.Meta):
        model = NetworkSubmission
        fields = (
            "member",
            "period",
            "form_version",
            "dimension",
            "category",
            "description",
            "count",
        )
        import_id_fields = ("member", "period", "form_version", "dimension", "category")
        instance_loader_class = _NoInstances

    def __init__(self, user: SpreadsheetUser | None = None, **kwargs: Any) -> None:
        super().__init__(user=user, **kwargs)
        self.cells: list[_Cell] = []
        self.refused_rows = 0
        self.target: tuple[NetworkForm, NetworkMember] | None = None
        self._targets: dict[tuple[str, str, str], Any] = {}

    def export_queryset(self, params: dict[str, str]) -> Any:
        return NetworkSubmission.objects.none()

    def row_label(self, row: dict) -> str:
        text = cell_text(row.get(str(COLUMNS["description"])))
        return text or " / ".join(
            cell_text(row.get(str(COLUMNS[n]))) for n in ("dimension", "category")
        )

    def _value(self, row: dict, name: str) -> str:
        return cell_text(row.get(str(COLUMNS[name])))

    def import_row(self, row: Any, instance_loader: Any, **kwargs: Any) -> RowResult:
        result = self.get_row_result_class()()
        result.import_type = RowResult.IMPORT_TYPE_NEW
        result.changes = []  # type: ignore[attr-defined]
        try:
            self.cells.append(self._read_cell(row))
        except ValidationError as exc:
            self.refused_rows += 1
            result.import_type = RowResult.IMPORT_TYPE_INVALID
            result.validation_error = exc
        return result

    def _read_cell(self, row: dict) -> _Cell:
        form, _member = self._target(row)
        dim_key, cat_key = self._value(row, "dimension"), self._value(row, "category")
        crosstab = None
        if TIMES in dim_key:
            crosstab = _check_crosstab_cell(form, dim_key, cat_key)
        elif (dim_key, cat_key) != (TOTAL, ""):
            _check_cell(form, dim_key, cat_key)
        return _Cell(
            key=self.row_key(row),
            dimension=dim_key,
            category=cat_key,
            count=self._count(row),
            crosstab=crosstab,
        )

    def _count(self, row: dict) -> int:
        raw = row.get(str(COLUMNS["count"]))
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        text = cell_text(raw).replace(" ", "").replace("\u00a0", "")
        if not text:
            raise ValidationError({str(COLUMNS["count"]): str(WHOLE["required"])})
        if not text.isdigit():
            raise ValidationError({str(COLUMNS["count"]): str(WHOLE["invalid"])})
        return int(text)

    def _target(self, row: dict) -> tuple[NetworkForm, NetworkMember]:
        """The form and member the row is for: the user's own member, the form the upload
        was made for, and the same on every row of the file."""
        key = (
            self._value(row, "member"),
            self._value(row, "period"),
            self._value(row, "form_version"),
        )
        if key not in self._targets:
            try:
                self._targets[key] = self._find_target(*key)
            except ValidationError as exc:
                self._targets[key] = exc
        target = self._targets[key]
        if isinstance(target, ValidationError):
            raise target
        if self.target is None:
            self.target = target
        elif self.target != target:
            raise ValidationError(
                _("Alla rader i filen ska gälla samma medlem, period och formulärversion.")
            )
        return target

    def _find_target(
        self, org_number: str, period: str, version: str
    ) -> tuple[NetworkForm, NetworkMember]:
        role = (
            NetworkRole.objects.filter(
                user_id=self.user.pk if self.user is not None else 0,
                kind=NetworkRole.Kind.REPORTER,
                member__organisation__org_number=org_number,
            )
            .select_related("member__organisation", "network")
            .first()
        )
        # Another member, or none at all: the same answer (nothing to probe).
        if role is None or role.member is None:
            raise ValidationError(
                {
                    str(COLUMNS["member"]): _("Du rapporterar inte för organisationen %s.")
                    % org_number
                }
            )
        member = role.member
        if self.scope.get("member") not in (None, member.pk):
            raise ValidationError(
                {
                    str(COLUMNS["member"]): _(
                        "Mallen gäller en annan medlem än den du lämnar in för."
                    )
                }
            )
        form = self._find_form(role, period, version)
        wanted = self.scope.get("form")
        if wanted is not None and form.pk != wanted:
            scoped = NetworkForm.objects.filter(pk=wanted, network_id=role.network_id).first()
            raise ValidationError(
                _(
                    "Mallen gäller %(period)s version %(version)s, men du lämnar in för "
                    "%(scoped)s. Hämta mallen för den perioden och formulärversionen."
                )
                % {"period": period, "version": version, "scoped": scoped or "–"}
            )
        return form, member

    def _find_form(self, role: NetworkRole, period: str, version: str) -> NetworkForm:
        year, _sep, half = period.upper().partition("H")
        refusal = ValidationError(
            {
                str(COLUMNS["period"]): _(
                    "Nätverket har inget formulär för period %(period)s version %(version)s."
                )
                % {"period": period, "version": version}
            }
        )
        if not year.strip().isdigit() or not version.isdigit() or half not in ("", "1", "2"):
            raise refusal
        form = NetworkForm.objects.filter(
            network_id=role.network_id,
            year=int(year),
            half=int(half) if half else None,
            version=int(version),
        ).first()
        if form is None or form.status == NetworkForm.Status.DRAFT:
            raise refusal
        if form.status == NetworkForm.Status.REPLACED:
            raise ValidationError(
                {
                    str(COLUMNS["form_version"]): _(
                        "Formulärversion %(version)s för %(period)s har ersatts av en ny "
                        "version. Hämta en ny mall."
                    )
                    % {"version": version, "period": period}
                }
            )
        return form

    def after_rows(self) -> list[tuple[tuple, list[str]]]:
        """Make the submission from the rows, by the web form's verb (and its sum rule)."""
        if self.refused_rows or self.target is None or not self.cells:
            return []
        form, member = self.target
        by_field = {_cell_field(c): c.key for c in self.cells}
        total_key = by_field.get(TOTAL)
        first_key = total_key or self.cells[0].key
        if total_key is None:
            return [(first_key, [_("Raden med antal kontakter totalt saknas.")])]
        counts: dict[str, dict[str, int]] = {}
        crosstabs: dict[str, dict[str, dict[str, int]]] = {}
        for cell in self.cells:
            if cell.crosstab is not None:
                rows, columns, r, c = cell.crosstab
                table = crosstabs.setdefault(crosstab_key(rows, columns), {})
                table.setdefault(r, {})[c] = cell.count
            elif cell.dimension != TOTAL:
                counts.setdefault(cell.dimension, {})[cell.category] = cell.count
        total = next(c.count for c in self.cells if c.dimension == TOTAL)
        user = self.user
        assert isinstance(user, User)
        try:
            submit_counts(
                form=form,
                member=member,
                total_contacts=total,
                counts=counts,
                crosstab_counts=crosstabs,
                user=user,
                audit=AuditContext(organisation_id=user.organisation_id),
            )
        except ValidationError as exc:
            return _refusals(exc, by_field, first_key)
        return []


def _check_cell(form: NetworkForm, dim_key: str, cat_key: str) -> None:
    """The row names a dimension of the form and one of its categories."""
    dim = next((d for d in form.dimensions if d["key"] == dim_key), None)
    if dim is None:
        raise ValidationError(
            {str(COLUMNS["dimension"]): _("Formuläret har ingen dimension ”%s”.") % dim_key}
        )
    cats = [c["key"] for c in dim["categories"]] if dim["kind"] != COUNT else [""]
    if cat_key not in cats:
        raise ValidationError(
            {
                str(COLUMNS["category"]): _("”%(cat)s” är ingen kategori i %(dim)s.")
                % {"cat": cat_key, "dim": dim["label"]}
            }
        )


def _check_crosstab_cell(
    form: NetworkForm, dim_key: str, cat_key: str
) -> tuple[str, str, str, str]:
    """The row names a cross-tabulation of the form and a category of each dimension."""
    rows, _sep, columns = (part.strip() for part in dim_key.partition(TIMES))
    tables = {(a["key"], b["key"]): (a, b) for a, b in form.crosstab_tables}
    if (rows, columns) not in tables:
        raise ValidationError(
            {str(COLUMNS["dimension"]): _("Formuläret har ingen korstabell ”%s”.") % dim_key}
        )
    row_dim, col_dim = tables[(rows, columns)]
    r, sep, c = (part.strip() for part in cat_key.partition(TIMES))
    if (
        not sep
        or r not in [cat["key"] for cat in row_dim["categories"]]
        or c not in [cat["key"] for cat in col_dim["categories"]]
    ):
        raise ValidationError(
            {
                str(COLUMNS["category"]): _(
                    "”%(cat)s” är ingen cell i korstabellen %(rows)s × %(columns)s."
                )
                % {"cat": cat_key, "rows": row_dim["label"], "columns": col_dim["label"]}
            }
        )
    return rows, columns, r, c


def _cell_field(cell: _Cell) -> str:
    """The web form's field name for the cell (where the verb's messages stand)."""
    if cell.crosstab is not None:
        return crosstab_field_name(*cell.crosstab)
    return field_name(cell.dimension, cell.category)


def _refusals(
    exc: ValidationError, by_field: dict[str, tuple], first_key: tuple
) -> list[tuple[tuple, list[str]]]:
    """The verb's messages at the rows of the cells they name (the rest at the first row)."""
    if not hasattr(exc, "error_dict"):
        return [(first_key, list(exc.messages))]
    found: dict[tuple, list[str]] = {}
    for name, messages in exc.message_dict.items():
        key = by_field.get(name, by_field.get(TOTAL) if name == "total_contacts" else None)
        found.setdefault(key or first_key, []).extend(messages)
    return list(found.items())


class NetworkDataset(Dataset):
    """Imported by the network's member reporters (a role per network, not a group)."""

    def may_export(self, user: SpreadsheetUser) -> bool:
        return False

    def may_import(self, user: SpreadsheetUser) -> bool:
        return NetworkRole.objects.filter(user_id=user.pk, kind=NetworkRole.Kind.REPORTER).exists()


NETWORK_SUBMISSIONS = NetworkDataset(
    key=DATASET_KEY,
    label=gettext_lazy("Inrapportering till statistiknätverk"),
    resource_class=NetworkSubmissionResource,
    export_roles=(),
    import_roles=(),
    help=DATASET_HELP,
)
