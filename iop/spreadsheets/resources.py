"""The shared base of every import/export resource, and the widgets that read cells.

A resource is constructed for one user (`Resource(user=...)`): it exports only what that
user may see (`export_queryset`) and refuses, row by row, anything the user may not write.
A refused row raises ValidationError with a Swedish message; the engine
(iop/spreadsheets/engine.py) then rolls the whole file back (all or nothing).

Columns carry the Swedish header from the template; the English field name is accepted as
an alias (see `IopResource.header_aliases`). Rows are matched on natural keys (an
organisation number, a code, a voucher: `Meta.import_id_fields`), so that importing a file
again updates instead of duplicating, and an unchanged row is skipped.

The resources themselves live with the data they read, in each app's datasets.py.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, NamedTuple

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    ImproperlyConfigured,
    ValidationError,
)
from django.db import connection, transaction
from django.db.models import AutoField, QuerySet
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.fields import Field
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import Error, RowResult

from ..forms import parse_amount
from ..signals import rows_written
from .users import SpreadsheetUser

# A cell starting with one of these is a formula to a spreadsheet program.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NEGATIVE_NUMBER = re.compile(r"-\d[\d \u00a0\u202f]*(?:[.,]\d+)?")


def neutralise(value: Any) -> Any:
    """Make a text cell inert in Excel/LibreOffice by prefixing an apostrophe.

    Only text is touched: numbers and dates are written by us as typed values, and a
    negative amount is not a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        if _NEGATIVE_NUMBER.fullmatch(value):
            return value  # "-1 200,50" as text (a dashboard figure) is no formula either
        return "'" + value
    return value


def unneutralise(value: str) -> str:
    """Undo `neutralise` on import, so that export → import changes nothing."""
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_TRIGGERS:
        return value[1:]
    return value


def cell_text(value: Any) -> str:
    """A cell as stripped text: whole floats lose their `.0`, dates are ISO, `neutralise` undone."""
    if type(value) is str:  # most cells: the same as below, without the type checks
        text = value.strip()
        if text[:1] == "'" and text[1:2] and text[1] in FORMULA_TRIGGERS:
            return text[1:]
        return text
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Spreadsheets turn "21120" into 21120.0; a code or postal number is text.
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return unneutralise(str(value).strip())


# --------------------------------------------------------------------------- widgets


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return cell_text(value)


class DateWidget(widgets.Widget):
    """ISO dates (2026-03-31); spreadsheet date cells are accepted as they are."""

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        if not text:
            return None
        if len(text) == 10:
            try:
                return datetime.date.fromisoformat(text)
            except ValueError:
                pass
        for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S"):
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(
            _("”%(value)s” är inget datum. Skriv datum som ÅÅÅÅ-MM-DD.") % {"value": text}
        )

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return value
        return value.isoformat() if value else ""


class DecimalWidget(widgets.Widget):
    """Amounts as typed in Sweden (1 670 400,50) or with a decimal point; never a float.

    Text cells are read by iop.forms.parse_amount, the rule every form uses.
    """

    def __init__(self, *, places: int = 2, max_digits: int = 14, **kwargs):
        self.places = places
        # Whole digits a MoneyField holds: 14 digits of which 2 öre, < 1 000 000 000 000 kr.
        self.whole_digits = max_digits - places
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise ValueError(_("”%(value)s” är inget belopp.") % {"value": value})
        try:
            if isinstance(value, (int, Decimal)):
                amount = Decimal(value)
            elif isinstance(value, float):
                # Spreadsheet cells are binary floats: round back to the stored precision.
                amount = Decimal(repr(value))
            else:
                # The same rule as every form (iop.forms.parse_amount): 1 250,50 or 1250.50.
                parsed = parse_amount(value, decimal_places=self.places)
                if parsed is None:
                    return None
                amount = parsed
        except ValidationError as exc:
            message = _("”%(value)s” är inget belopp.") % {"value": value}
            if exc.code != "invalid":
                message += " " + " ".join(exc.messages)
            raise ValueError(message) from exc
        except (InvalidOperation, ValueError) as exc:
            raise ValueError(_("”%(value)s” är inget belopp.") % {"value": value}) from exc
        if not amount.is_finite():
            raise ValueError(_("”%(value)s” är inget belopp.") % {"value": value})
        if amount and amount.adjusted() >= self.whole_digits:
            raise ValueError(_("Beloppet ”%(value)s” är för stort.") % {"value": value})
        if isinstance(value, float):
            amount = amount.quantize(Decimal(1).scaleb(-self.places))
        return amount

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        if kwargs.get("force_native_type"):
            return value
        return f"{value:.{self.places}f}".replace(".", ",")


class IntegerWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None or value == "":
            return None
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = str(value).strip().replace(" ", "")
        if not text:
            return None
        if not text.isdigit():
            raise ValueError(_("”%(value)s” är inget heltal.") % {"value": value})
        return int(text)

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return value
        return "" if value is None else str(value)


class BooleanWidget(widgets.Widget):
    TRUE = {"ja", "j", "x", "1", "true", "sant"}
    FALSE = {"nej", "n", "0", "false", "falskt", ""}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = cell_text(value).lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("Skriv ”ja” eller ”nej”."))

    def render(self, value, obj=None, **kwargs):
        return _("ja") if value else _("nej")


class ChoiceWidget(widgets.Widget):
    """Exports the Swedish label; imports the label or the stored value, any case."""

    def __init__(self, choices, *, blank: bool = False, **kwargs):
        self.choices = list(choices)
        self.blank = blank
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            if self.blank:
                return ""
            raise ValueError(_("Värde saknas."))
        found = self._lookup().get(text.casefold())
        if found is not None:
            return found
        raise ValueError(
            _("”%(value)s” är inget giltigt val. Välj bland: %(choices)s.")
            % {"value": text, "choices": ", ".join(str(label) for _v, label in self.choices)}
        )

    def _lookup(self) -> dict[str, str]:
        # Labels are lazy translations: resolve them once per language, not once per row.
        language = get_language()
        if getattr(self, "_language", None) != language:
            self._map = {}
            for stored, label in self.choices:
                self._map[str(label).casefold()] = stored
                self._map[str(stored).casefold()] = stored
            self._language = language
        return self._map

    def render(self, value, obj=None, **kwargs):
        for stored, label in self.choices:
            if stored == value:
                return str(label)
        return value or ""


class LookupWidget(widgets.Widget):
    """A foreign key found by a natural key, with a per-import cache and a scope check.

    `find(key, row)` returns the object or None; `allowed(obj)` says whether the importing
    user may attach rows to it. Missing and not-allowed give the same Swedish refusal, so
    an import cannot be used to probe data outside the user's scope.
    """

    not_found = gettext_lazy("”%(value)s” hittades inte.")

    def __init__(self, resource: IopResource | None = None, **kwargs: Any) -> None:
        # Declared on the resource class without a resource; each IopResource built for a
        # user binds its own copy (IopResource.__init__), whose lookups use that user.
        self.resource = resource
        self.cache: dict[Any, Any] = {}
        super().__init__(**kwargs)

    def bound_resource(self) -> IopResource:
        if self.resource is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__} is not bound to a resource: build the resource for "
                "a user and use its fields."
            )
        return self.resource

    @property
    def user(self) -> Any:
        """The importing user, whose scope every lookup keeps to."""
        return self.bound_resource().user

    def __deepcopy__(self, memo):
        # Resource.__init__ deep-copies its fields; a widget bound to a resource and its
        # cache must not be copied (binding happens per instance in IopResource).
        return self

    def key(self, value, row) -> Any:
        return cell_text(value)

    def find(self, key, row):  # pragma: no cover - abstract
        raise NotImplementedError

    def allowed(self, obj) -> bool:
        return True

    def prefetch(self, keys: set) -> None:
        """Fill the cache for many keys at once (one query per chunk); optional."""

    def clean(self, value, row=None, **kwargs):
        key = self.key(value, row)
        if not key or (isinstance(key, tuple) and not all(key)):
            return None
        if key not in self.cache:
            self.bound_resource()  # an unbound widget looks nothing up, for no one
            obj = self.find(key, row)
            self.cache[key] = obj if obj is not None and self.allowed(obj) else None
        obj = self.cache[key]
        if obj is None:
            shown = " / ".join(map(str, key)) if isinstance(key, tuple) else key
            raise ValueError(str(self.not_found) % {"value": shown})
        return obj

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


# --------------------------------------------------------------------------- base resource


def _unsaved(value: Any) -> bool:
    """A model instance a lookup created but did not save yet (e.g. a new person named by a new code)."""
    return hasattr(value, "_meta") and value.pk is None


class ChunkInstanceLoader(ModelInstanceLoader):
    """Loads the existing objects a chunk of rows names with one query per chunk.

    Keys that do not clean (bad values, refused lookups) are left to the row import,
    which reports them with their Swedish message.
    """

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.id_fields = [resource.fields[name] for name in resource.get_import_id_fields()]
        self.instances: dict[tuple, Any] = {}
        if dataset is None or not all(
            f.column_name in (dataset.headers or []) for f in self.id_fields
        ):
            return
        values: dict[str, set] = {f.attribute: set() for f in self.id_fields}
        for row in dataset.dict:
            try:
                cleaned = [f.clean(row) for f in self.id_fields]
            except (ValueError, ValidationError):
                continue
            if any(v in (None, "") or _unsaved(v) for v in cleaned):
                continue
            for f, v in zip(self.id_fields, cleaned, strict=True):
                values[f.attribute].add(v)
        if not all(values.values()):
            return
        queryset = self.get_queryset().filter(
            **{f"{attr}__in": vals for attr, vals in values.items()}
        )
        # The change check reads every imported field of the stored row, foreign keys too:
        # fetch those in the same query instead of one query per row and key.
        model_fields = {f.name: f for f in resource._meta.model._meta.concrete_fields}
        related = {
            f.attribute
            for f in resource.get_import_fields()
            if f.attribute in model_fields and model_fields[f.attribute].is_relation
        }
        if related:
            queryset = queryset.select_related(*sorted(related))
        model = resource._meta.model
        attnames = [model._meta.get_field(f.attribute).attname for f in self.id_fields]
        for obj in queryset:
            self.instances[self._key([getattr(obj, name) for name in attnames])] = obj

    @staticmethod
    def _key(values) -> tuple:
        return tuple(getattr(v, "pk", v) for v in values)

    def get_instance(self, row):
        try:
            cleaned = [f.clean(row) for f in self.id_fields]
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        if any(v in (None, "") or _unsaved(v) for v in cleaned):
            return None
        return self.instances.get(self._key(cleaned))


class LightRowResult(RowResult):
    """Keeps the primary key only: the object's __str__ can cost a query or a translation
    per row, and the pipeline shows the row's natural key instead."""

    def add_instance_info(self, instance):
        self.object_id = getattr(instance, "pk", None)


class NoHtmlDiff:
    """import-export builds a field-by-field diff of every row for its admin pages; the
    pipeline lists changes itself (IopResource.skip_row), so that work is skipped."""

    def __init__(self, resource, instance, new):
        pass

    def compare_with(self, resource, instance):
        pass

    def as_html(self):
        return None


class IopResource(resources.ModelResource):
    """Shared behaviour: user scope, Swedish/English headers, change lists, refusals."""

    # Export/import roles live on the Dataset (each app's datasets.py); the resource
    # enforces the row-level scope.
    label = ""
    # What the upload was made for, when a page scopes it (engine.store_upload(scope=...)).
    scope: dict[str, Any] = {}
    # Rows the engine hands `import_chunk` at a time (None: the engine's CHUNK_ROWS).
    chunk_rows: int | None = None
    # Whether `import_chunk` reads its `data` (a tablib Dataset of the rows): import-export's
    # import_data does; a resource that reads only the rows as dicts gets the headers alone.
    chunk_dataset = True

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        skip_html_diff = True
        instance_loader_class = ChunkInstanceLoader
        use_transactions = True

    @classmethod
    def get_row_result_class(cls):
        return LightRowResult

    @classmethod
    def get_diff_class(cls):
        return NoHtmlDiff

    def __init__(self, user: SpreadsheetUser | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user
        self._changes: list[tuple[str, str, str]] = []
        for field in self.fields.values():
            if isinstance(field.widget, LookupWidget):
                field.widget = type(field.widget)(self)

    # --- headers

    def header_aliases(self) -> dict[str, str]:
        """Lower-cased header as a user may write it → the column name the resource reads."""
        aliases: dict[str, str] = {}
        for name, field in self.fields.items():
            for alias in (field.column_name, name, field.attribute):
                if alias:
                    aliases[str(alias).strip().casefold()] = field.column_name
        return aliases

    def import_columns(self) -> list[str]:
        return [f.column_name for f in self.get_import_fields() if not f.readonly]

    def required_columns(self) -> list[str]:
        return [self.fields[name].column_name for name in self.get_import_id_fields()]

    def prepare_chunk(self, rows: list[dict]) -> None:
        """Called with a chunk's rows before they are imported: batch the lookups."""
        for field in self.fields.values():
            widget = field.widget
            if not isinstance(widget, LookupWidget) or field.column_name is None:
                continue
            keys = set()
            for row in rows:
                key = widget.key(row.get(field.column_name), row)
                if key and key not in widget.cache:
                    keys.add(key)
            if keys:
                widget.prefetch(keys)

    def clean_field(self, name: str, row: dict) -> Any:
        """The row's cleaned value of field `name` (ValueError with the Swedish reason)."""
        return self.fields[name].clean(row)

    def import_chunk(self, data, rows: list[dict]):
        """Import one chunk (`data`, the same rows as dicts in `rows`) and return a result
        with `.rows` (one RowResult per row, in order) and `.base_errors`. The engine owns
        the transaction around the whole file."""
        return self.import_data(
            data,
            dry_run=False,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )

    def row_key(self, row: dict) -> tuple:
        """The row's natural key as the database would see it (for duplicates in a file)."""
        by_column = {f.column_name: f for f in self.fields.values()}
        key = []
        for column in self.required_columns():
            field = by_column.get(column)
            try:
                value = (
                    field.clean(row)
                    if field is not None and field.attribute
                    else cell_text(row.get(column))
                )
            except (ValueError, ValidationError):
                value = cell_text(row.get(column))
            if _unsaved(value):
                value = ("new", cell_text(row.get(column)))
            key.append(getattr(value, "pk", value))
        return tuple(key)

    def row_label(self, row: dict) -> str:
        return " / ".join(cell_text(row.get(col)) for col in self.required_columns())

    column_notes: dict[str, Any] = {}

    def column_help(self, column: str) -> str:
        """What a column means, for the template's instruction sheet."""
        if column in self.column_notes:
            return str(self.column_notes[column])
        for field in self.fields.values():
            if field.column_name != column or not field.attribute:
                continue
            try:
                model_field = self._meta.model._meta.get_field(field.attribute)
            except FieldDoesNotExist:
                return ""
            parts = [str(model_field.verbose_name).capitalize()]
            if model_field.help_text:
                parts.append(str(model_field.help_text))
            if model_field.choices:
                parts.append(
                    _("Val: %(choices)s")
                    % {
                        "choices": ", ".join(
                            str(label) for _v, label in model_field.choices if _v != ""
                        )
                    }
                )
            return ". ".join(parts)
        return ""

    # --- scope

    def export_queryset(self, params: dict[str, str]) -> QuerySet:  # pragma: no cover
        raise NotImplementedError

    def refuse(self, message: str) -> None:
        raise ValidationError({NON_FIELD_ERRORS: [message]})

    # --- import hooks

    def get_queryset(self):
        # Instances are looked up among all objects, not only visible ones: a row naming
        # a record outside the user's scope must be refused, never turned into a duplicate.
        return self._meta.model._default_manager.all()

    def import_instance(self, instance, row, **kwargs):
        # With skip_diff (the high-volume resources) import-export keeps no copy of the
        # stored row; keep just the compared values instead of deep-copying the instance.
        self._before = None
        if self._meta.skip_diff and instance.pk is not None:
            self._before = {
                field.column_name: field.get_value(instance) for field in self._compared_fields()
            }
        super().import_instance(instance, row, **kwargs)

    def _compared_fields(self):
        return [f for f in self.get_import_fields() if not f.readonly and f.attribute]

    def skip_row(self, instance, original, row, import_validation_errors=None):
        self._changes = []
        if import_validation_errors:
            return False
        if original is None:
            before = getattr(self, "_before", None)
            if before is None:  # a new row: nothing to compare with
                return False
            old_values = before
        else:
            old_values = {f.column_name: f.get_value(original) for f in self._compared_fields()}
        for field in self._compared_fields():
            if field.column_name not in row:
                continue
            old, new = old_values[field.column_name], field.get_value(instance)
            if getattr(old, "pk", old) != getattr(new, "pk", new):
                self._changes.append(
                    (field.column_name, _display(field, old), _display(field, new))
                )
        return instance.pk is not None and not self._changes

    def before_save_instance(self, instance, row, **kwargs):
        # Only rows that would write reach here (unchanged rows are skipped), so a file
        # exported by one party can be imported back even if it lists other parties' rows.
        self.check_write(instance, instance._state.adding)

    def check_write(self, instance, new: bool) -> None:
        """Raise ValidationError (via `refuse`) when the user may not write this row."""

    # --- outcomes that must not tell the user anything

    def is_concealable(self, row: dict) -> bool:
        """Whether this row's outcome could reveal something the user may not know (e.g. a
        personnummer held elsewhere); see `concealed_refusal`."""
        return False

    def concealed_refusal(self) -> str | None:
        """After the rows: a message that replaces the outcome of every concealable row,
        so that the preview does not show which of them was the reason; None = none."""
        return None

    def after_rows(self) -> list[tuple[tuple, list[str]]]:
        """Called once after the file's last row, inside the import's transaction: a
        resource that makes one record of many rows checks and writes it here. Returns the
        refusals as (row key, Swedish reasons); any refusal rolls the whole file back."""
        return []

    def finish(self) -> None:
        """Called once the import's transaction has ended (rolled back for a preview or a
        refused file): write what must outlast it, such as a case for an administrator."""

    def after_import(self, dataset, result, **kwargs):
        # ModelResource resets the table's id sequence to max(id) after creating rows, for
        # files that carry their own ids. Ours never do, and with other users inserting
        # concurrently that reset could move the sequence backwards: leave it alone.
        # Bulk saves send no model signals: say that rows of this model were written.
        if getattr(self._meta, "use_bulk", False) and not kwargs.get("dry_run"):
            rows_written.send(sender=self._meta.model, agreement_ids=None)

    def after_import_row(self, row, row_result, **kwargs):
        row_result.changes = self._changes
        self._changes = []

    def get_bulk_update_fields(self):
        concrete = {f.name for f in self._meta.model._meta.concrete_fields}
        return [
            f.attribute
            for f in self.get_import_fields()
            if f.attribute in concrete and not f.readonly and f.attribute != "id"
        ]


@dataclasses.dataclass(frozen=True)
class _Refusal:
    """A cell's ValueError, kept for the next row with the same cell."""

    message: str


# Fields whose Python value psycopg writes as it is (COPY in BulkImportResource._create).
_PLAIN_TYPES = frozenset(
    {
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "DateField",
        "DateTimeField",
        "ForeignKey",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)


class _RowKey(NamedTuple):
    """A row's key fields cleaned (or the refusal), as BulkImportResource._row_key keeps them."""

    values: list[Any] | ValidationError
    key: tuple  # the values with instances as their primary keys
    unsaved: bool  # a value is an instance not saved yet
    incomplete: bool  # a value no stored row can have (blank or unsaved)


@dataclasses.dataclass
class ChunkResult:
    """What `import_chunk` reports: each row's RowResult, and errors of the whole chunk."""

    rows: list[RowResult] = dataclasses.field(default_factory=list)
    base_errors: list[Error] = dataclasses.field(default_factory=list)


class BulkImportResource(IopResource):
    """import-export's row-by-row import, chunk by chunk, for the datasets that come by the
    ten thousand (contacts).

    Each row goes through the same hooks in the same order as import-export's `import_row`
    (`before_import_row`, the natural key, `import_instance`'s field cleaning, `skip_row`,
    `validate_instance`, `before_save_instance`/`check_write`, `after_import_row`), so every
    refusal and its Swedish message stay what they were. What changes is the work around
    them: the key fields are cleaned once per row (not four times), the stored rows a chunk
    names come in one query, a row that `passes_field_checks` skips the model's
    `full_clean` (a row that does not is cleaned by it, for its messages), and the new
    rows are written with one COPY per chunk on PostgreSQL (bulk_create elsewhere).
    """

    chunk_rows = 5_000
    chunk_dataset = False  # import_chunk reads the rows as dicts
    today: datetime.date

    class Meta(IopResource.Meta):
        use_bulk = True
        skip_diff = True
        batch_size = 5_000

    def passes_field_checks(self, instance) -> bool:
        """True only when the model's full_clean (as `validate_instance` calls it) would
        raise nothing for this instance; False sends the row through full_clean."""
        return False

    # Fields whose cleaned value depends on their own cell alone (no other column, no row
    # state): cleaned once per distinct cell value in a chunk, since a date, a kind or a
    # code repeats on many rows. The value and any refusal are the same as cleaning each.
    cell_only_fields: tuple[str, ...] = ()

    def prepare_chunk(self, rows: list[dict]) -> None:
        self._ids: dict[int, tuple[dict, _RowKey]] = {}
        self._cells: dict[tuple, Any] = {}
        super().prepare_chunk(rows)

    def _id_fields(self):
        return [self.fields[name] for name in self.get_import_id_fields()]

    def clean_field(self, name: str, row: dict) -> Any:
        return self._clean(name, self.fields[name], row)

    def _clean(self, name: str, f, row: dict) -> Any:
        """`f.clean(row)`, once per distinct cell for the `cell_only_fields`."""
        if name not in self.cell_only_fields:
            return f.clean(row)
        raw = row[f.column_name]
        key = (name, type(raw), raw)
        cells = getattr(self, "_cells", None)
        if cells is None:
            cells = self._cells = {}
        try:
            known = key in cells
        except TypeError:  # a cell no file reader gives (unhashable): cleaned as it is
            return f.clean(row)
        if known:
            found = cells[key]
        else:
            try:
                found = f.clean(row)
            except ValueError as exc:
                found = _Refusal(str(exc))
            cells[key] = found
        if type(found) is _Refusal:
            raise ValueError(found.message)
        return found

    def _id_names(self) -> list[str]:
        return list(self.get_import_id_fields())

    def _row_key(self, row: dict) -> _RowKey:
        """The row's key fields cleaned once (as ChunkInstanceLoader.get_instance would),
        and what row_key, _existing and _import_one ask of them, worked out once per row."""
        memo = getattr(self, "_ids", None)
        if memo is None:
            memo = self._ids = {}
        kept = memo.get(id(row))
        if kept is not None and kept[0] is row:
            return kept[1]
        try:
            values = [self._clean(name, self.fields[name], row) for name in self._id_names()]
        except ValueError as exc:
            found = _RowKey(ValidationError(str(exc)), (), False, False)
        else:
            # One pass: each value's key (an instance's pk), whether it is an unsaved
            # instance, and whether no stored row can have it (blank or unsaved; not
            # `value in (None, "")`, which compares an instance with both by primary key).
            key: list[Any] = []
            unsaved = incomplete = False
            for value in values:
                if type(value) is str:
                    incomplete = incomplete or not value
                elif value is None:
                    incomplete = True
                elif hasattr(value, "_meta"):
                    value = value.pk
                    if value is None:
                        unsaved = incomplete = True
                else:
                    value = getattr(value, "pk", value)
                key.append(value)
            found = _RowKey(values, tuple(key), unsaved, incomplete)
        memo[id(row)] = (row, found)
        return found

    def row_key(self, row: dict) -> tuple:
        found = self._row_key(row)
        if isinstance(found.values, ValidationError) or found.unsaved:
            return super().row_key(row)
        return found.key

    def _existing(self, rows: list[dict]) -> dict[tuple, Any]:
        """The stored rows the chunk names, in one query (ChunkInstanceLoader's query)."""
        id_fields = self._id_fields()
        values: dict[str, set] = {f.attribute: set() for f in id_fields}
        for row in rows:
            found = self._row_key(row)
            if isinstance(found.values, ValidationError) or found.incomplete:
                continue
            for f, v in zip(id_fields, found.key, strict=True):
                values[f.attribute].add(v)  # a key, not an instance
        if not rows or not all(values.values()):
            return {}
        model = self._meta.model
        queryset = self.get_queryset().filter(
            **{f"{attr}__in": vals for attr, vals in values.items()}
        )
        # The change check reads the stored row's related objects: fetched with it, except
        # the key fields' (the row's own cleaned values: the same objects, `_fill`).
        keys = {f.attribute for f in id_fields}
        related = {
            f.attribute
            for f in self.get_import_fields()
            if f.attribute
            and f.attribute not in keys
            and any(mf.name == f.attribute and mf.is_relation for mf in model._meta.concrete_fields)
        }
        if related:
            queryset = queryset.select_related(*sorted(related))
        attnames = [model._meta.get_field(f.attribute).attname for f in id_fields]
        return {tuple(getattr(obj, name) for name in attnames): obj for obj in queryset}

    def import_chunk(self, data, rows: list[dict]) -> ChunkResult:
        result = ChunkResult()
        self.today = timezone.localdate()  # for passes_field_checks: once, not per row
        existing = self._existing(rows)
        creates: list[Any] = []
        updates: list[Any] = []
        for number, row in enumerate(rows, 1):
            result.rows.append(self._import_one(row, number, existing, creates, updates))
        self._write(creates, updates, result)
        self.after_import(data, result, dry_run=False)
        return result

    def _import_one(self, row, number, existing, creates, updates) -> RowResult:
        """One row, as import-export's import_row does it (see the class docstring)."""
        row_result = self.get_row_result_class()()
        try:
            self.before_import_row(row)
            found = self._row_key(row)
            ids = found.values
            if isinstance(ids, ValidationError):
                raise ids
            instance = None
            if not found.incomplete:
                instance = existing.get(found.key)
            new = instance is None
            if new:
                instance = self._new_instance()
            row_result.import_type = (
                RowResult.IMPORT_TYPE_NEW if new else RowResult.IMPORT_TYPE_UPDATE
            )
            errors = self._fill(instance, row, ids)
            if self.skip_row(instance, None, row, errors):
                row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            else:
                if errors or not self.passes_field_checks(instance):
                    self.validate_instance(instance, errors)
                self.before_save_instance(instance, row)
                (creates if new else updates).append(instance)
                self.after_save_instance(instance, row)
            row_result.add_instance_info(instance)
            self.after_import_row(row, row_result)
        except ValidationError as exc:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = exc
        except Exception as exc:  # noqa: BLE001 - reported as the row's error, as import_row does
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(Error(exc, row=row, number=number))
        return row_result

    def _new_instance(self) -> Any:
        """`model()`, without asking every field for its default on every row.

        A model built without arguments holds a fresh ModelState and each concrete field's
        default under its attname, and sends pre_init and post_init. The defaults that are
        constants of an immutable type are copied from one such instance; the others
        (callables such as timezone.now, expressions) are asked for per instance, as
        Model.__init__ does. A model with init signal receivers is built the usual way."""
        model = self._meta.model
        plan = getattr(self, "_new_plan", None)
        if plan is None:
            plan = self._new_plan = _construction_plan(model)
        if plan is False:
            return model()
        constants, dynamic = plan
        instance = model.__new__(model)
        instance._state = ModelState()
        values = instance.__dict__
        values.update(constants)
        for field in dynamic:
            values[field.attname] = field.get_default()
        return instance

    def _fill(self, instance, row, ids: list[Any]) -> dict[str, Any]:
        """import_instance without cleaning the key fields again; the errors by field."""
        plan = self._fill_plan()
        for f, key in plan:
            # A stored row was found by these values, so they are what it holds already.
            if key is not None and f.column_name in row:
                setattr(instance, f.attribute, ids[key])
        self._before = None
        if instance.pk is not None:
            self._before = {f.column_name: f.get_value(instance) for f in self._compared_fields()}
        errors: dict[str, Any] = {}
        for f, key in plan:
            if key is not None or f.column_name not in row:
                continue
            try:
                name = self._names[f]
                if name in self.cell_only_fields and type(f).save is Field.save:
                    # Field.save for a plain attribute, with the value cleaned once.
                    cleaned = self._clean(name, f, row)
                    if cleaned is not None or f.saves_null_values:
                        setattr(instance, f.attribute, cleaned)
                else:
                    f.save(instance, row)
            except ValueError as exc:
                errors[f.attribute] = ValidationError(force_str(exc), code="invalid")
        return ValidationError(errors).update_error_dict({}) if errors else {}

    def _fill_plan(self) -> list[tuple[Any, int | None]]:
        """The fields import_instance saves, in its order, each with its position among
        the key fields (None: not a key field, cleaned from the row)."""
        plan = getattr(self, "_plan", None)
        if plan is None:
            by_field = self._names = {f: name for name, f in self.fields.items()}
            names = list(self.get_import_id_fields())
            plan = self._plan = [
                (f, names.index(by_field[f]) if by_field.get(f) in names else None)
                for f in self.get_import_fields()
                if f.attribute
                and not f.readonly
                and not isinstance(f.widget, widgets.ManyToManyWidget)
            ]
        return plan

    def _write(self, creates: list[Any], updates: list[Any], result: ChunkResult) -> None:
        for write, objs in ((self._create, creates), (self._update, updates)):
            if not objs:
                continue
            try:
                with transaction.atomic():
                    write(objs)
            except Exception as exc:  # noqa: BLE001 - the chunk's error; the file rolls back
                result.base_errors.append(Error(exc))

    def _create(self, objs: list[Any]) -> None:
        model = self._meta.model
        if connection.vendor != "postgresql":
            model._default_manager.bulk_create(objs, batch_size=self._meta.batch_size)
            return
        # One COPY for the chunk: the roll-up triggers are statement-level, so they run
        # once for it, and psycopg sends the rows without building an INSERT statement.
        columns = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField)]
        names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
        table = connection.ops.quote_name(model._meta.db_table)
        # Plain values go to psycopg as they are; any other field is prepared by Django.
        plain = [
            f.get_internal_type() in _PLAIN_TYPES
            and not getattr(f, "auto_now", False)
            and not getattr(f, "auto_now_add", False)
            for f in columns
        ]
        sql = f"COPY {table} ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for obj in objs:
                copy.write_row(
                    [
                        getattr(obj, f.attname)
                        if raw
                        else f.get_db_prep_save(f.pre_save(obj, True), connection)
                        for f, raw in zip(columns, plain, strict=True)
                    ]
                )

    def _update(self, objs: list[Any]) -> None:
        self._meta.model._default_manager.bulk_update(
            objs, self.get_bulk_update_fields(), batch_size=self._meta.batch_size
        )


# Default values that one instance may share with another: they cannot be changed in place.
_IMMUTABLE = (type(None), str, int, float, bool, Decimal, datetime.date, datetime.time)


def _construction_plan(model) -> tuple[dict[str, Any], list[Any]] | Literal[False]:
    """What BulkImportResource._new_instance copies and what it asks for per instance;
    False when the model must be built by Model.__init__ (init signals, unusual fields)."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return False
    sample = model()
    constants: dict[str, Any] = {}
    dynamic = []
    for field in model._meta.concrete_fields:
        if field.column is None or field.generated:
            continue
        value = sample.__dict__.get(field.attname)
        if (field.has_default() and callable(field.default)) or type(value) not in _IMMUTABLE:
            dynamic.append(field)
        else:
            constants[field.attname] = value
    if set(sample.__dict__) != {"_state", *constants, *(f.attname for f in dynamic)}:
        return False
    return constants, dynamic


def _display(field, value) -> str:
    if value is None:
        return ""
    rendered = field.widget.render(value)
    return "" if rendered is None else str(rendered)


def int_param(value: str) -> int:
    """An export filter's integer parameter; 0 (matching nothing) when it is not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
