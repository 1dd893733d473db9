"""A statistics network: anonymous contact counts from many organisations, one report.

A coordinating organisation runs a network of member organisations (who need not be
parties to any agreement). Access is per network: a user holds a `NetworkRole` in it,
coordinator or member reporter (for one member). The coordinator defines a form per
reporting period (a year or a half-year) from dimensions and their categories; once the
form is opened for reporting it is frozen, and a change makes a new version. Each member
submits counts only — total contacts and, per dimension, counts per category — and a
submission is locked once made; the coordinator may reopen it with a reason, after which
the member submits a new version.

Dimension kinds: "single" (each contact in exactly one category: the categories add up
to the total, or at most the total where the form allows "not recorded"), "multiple"
(a contact may have several needs: each category at most the total) and "count" (one
number, e.g. accompanying children).

Cross-tabulations: the form may also declare pairs of "single" dimensions (form of
exploitation × gender). A member then gives the count of every pair of categories; each
row of such a table adds up to the row dimension's count for that category and each
column to the column dimension's (at most, where the form allows "not recorded").
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships.models import Organisation, User

SINGLE, MULTIPLE, COUNT = "single", "multiple", "count"


def _dim(key: str, label: str, kind: str, cats: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "kind": kind,
        "categories": [{"key": k, "label": v} for k, v in cats],
    }


# The dimensions the platform's operations plan implies (Swedish labels are stored in the
# form itself: a frozen form keeps the words it was filled in with).
DEFAULT_DIMENSIONS: list[dict[str, Any]] = [
    _dim(
        "exploitation",
        "Form av exploatering",
        SINGLE,
        [
            ("sexual", "Sexuell exploatering"),
            ("labour", "Arbetskraftsexploatering"),
            ("begging", "Tiggeri"),
            ("criminal", "Brottslig verksamhet"),
            ("forced_marriage", "Tvångsäktenskap"),
            ("other", "Annan"),
            ("unknown", "Okänd"),
        ],
    ),
    _dim(
        "gender",
        "Kön",
        SINGLE,
        [("woman", "Kvinna"), ("man", "Man"), ("nonbinary", "Icke-binär"), ("unknown", "Okänt")],
    ),
    _dim(
        "age",
        "Åldersgrupp",
        SINGLE,
        [
            ("0-12", "Barn 0–12 år"),
            ("13-17", "Barn 13–17 år"),
            ("18-24", "18–24 år"),
            ("25-34", "25–34 år"),
            ("35-49", "35–49 år"),
            ("50-", "50 år och äldre"),
            ("unknown", "Okänd ålder"),
        ],
    ),
    _dim("children", "Medföljande barn (antal)", COUNT, []),
    _dim(
        "needs",
        "Behov",
        MULTIPLE,
        [
            ("shelter", "Skyddat boende"),
            ("health", "Hälso- och sjukvård"),
            ("legal", "Juridiskt stöd"),
            ("interpreter", "Tolk"),
            ("return", "Återvändande"),
            ("other", "Annat"),
        ],
    ),
    _dim(
        "support",
        "Givet stöd",
        MULTIPLE,
        [
            ("shelter", "Skyddat boende"),
            ("health", "Hälso- och sjukvård"),
            ("legal", "Juridiskt stöd"),
            ("interpreter", "Tolk"),
            ("return", "Återvändande"),
            ("other", "Annat"),
        ],
    ),
    _dim(
        "referred",
        "Hänvisad till",
        MULTIPLE,
        [
            ("police", "Polisen"),
            ("migration", "Migrationsverket"),
            ("social", "Socialtjänsten"),
            ("health", "Hälso- och sjukvård"),
            ("other", "Annan"),
        ],
    ),
    _dim(
        "identified",
        "Identifierad av myndighet som presumtivt offer",
        SINGLE,
        [("yes", "Ja"), ("no", "Nej"), ("unknown", "Okänt")],
    ),
]


def default_dimensions() -> list[dict[str, Any]]:
    return copy.deepcopy(DEFAULT_DIMENSIONS)


def check_dimensions(dimensions: Any) -> None:
    """The shape of a form's dimensions: keys unique, kinds known, categories given."""
    if not isinstance(dimensions, list) or not dimensions:
        raise ValidationError({"dimensions": _("Formuläret behöver minst en dimension.")})
    keys: set[str] = set()
    for dim in dimensions:
        key = dim.get("key") if isinstance(dim, dict) else None
        if not key or key in keys:
            raise ValidationError(
                {"dimensions": _("Varje dimension behöver en egen nyckel (%s).") % key}
            )
        keys.add(key)
        if dim.get("kind") not in (SINGLE, MULTIPLE, COUNT):
            raise ValidationError({"dimensions": _("Okänd sorts dimension: %s.") % key})
        cats = [c.get("key") for c in dim.get("categories", [])]
        if dim["kind"] != COUNT and (not cats or len(set(cats)) != len(cats)):
            raise ValidationError(
                {"dimensions": _("Dimensionen %s behöver kategorier med egna nycklar.") % key}
            )


def crosstab_key(rows: str, columns: str) -> str:
    return f"{rows}:{columns}"


def check_crosstabs(dimensions: list[dict[str, Any]], crosstabs: Any) -> None:
    """Each cross-tabulation pairs two different "single" dimensions of the form, once."""
    if not isinstance(crosstabs, list):
        raise ValidationError({"crosstabs": _("Korstabellerna ska vara en lista.")})
    kinds = {d["key"]: d["kind"] for d in dimensions}
    seen: set[frozenset[str]] = set()
    for pair in crosstabs:
        rows = str(pair.get("rows")) if isinstance(pair, dict) else ""
        columns = str(pair.get("columns")) if isinstance(pair, dict) else ""
        names = {"rows": rows, "columns": columns}
        if kinds.get(rows) != SINGLE or kinds.get(columns) != SINGLE:
            raise ValidationError(
                {
                    "crosstabs": _(
                        "En korstabell parar två dimensioner där varje kontakt hör till "
                        "en kategori (%(rows)s × %(columns)s)."
                    )
                    % names
                }
            )
        if rows == columns or frozenset((rows, columns)) in seen:
            raise ValidationError(
                {
                    "crosstabs": _(
                        "Korstabellen %(rows)s × %(columns)s finns redan eller parar en "
                        "dimension med sig själv."
                    )
                    % names
                }
            )
        seen.add(frozenset((rows, columns)))


class Network(models.Model):
    name = models.CharField(_("namn"), max_length=200)
    coordinator = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="coordinated_networks",
        verbose_name=_("samordnande organisation"),
    )

    class Meta:
        verbose_name = _("statistiknätverk")
        verbose_name_plural = _("statistiknätverk")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NetworkMember(models.Model):
    """A member organisation of a network (not necessarily party to any agreement)."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="members", verbose_name=_("nätverk")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="network_memberships",
        verbose_name=_("organisation"),
    )

    class Meta:
        verbose_name = _("medlemsorganisation")
        verbose_name_plural = _("medlemsorganisationer")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "organisation"],
                name="network_member_once",
                violation_error_message=_("Organisationen är redan medlem i nätverket."),
            )
        ]

    def __str__(self) -> str:
        return self.organisation.name


class NetworkRole(models.Model):
    """A user's role in one network: access is per network, never a global group."""

    class Kind(models.TextChoices):
        COORDINATOR = "coordinator", _("Nätverkssamordnare")
        REPORTER = "reporter", _("Rapportör för medlem")

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="roles", verbose_name=_("nätverk")
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="network_roles", verbose_name=_("användare")
    )
    kind = models.CharField(_("roll"), max_length=20, choices=Kind.choices)
    member = models.ForeignKey(
        NetworkMember,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reporters",
        verbose_name=_("rapporterar för"),
    )

    class Meta:
        verbose_name = _("roll i nätverk")
        verbose_name_plural = _("roller i nätverk")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "user"],
                name="network_role_once",
                violation_error_message=_("Användaren har redan en roll i nätverket."),
            ),
            models.CheckConstraint(
                condition=Q(kind="coordinator", member__isnull=True)
                | Q(kind="reporter", member__isnull=False),
                name="network_reporter_has_member",
                violation_error_message=_(
                    "En rapportör rapporterar för en medlem; en samordnare för ingen."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_kind_display()}"

    def clean(self) -> None:
        if self.member is not None and self.member.network_id != self.network_id:
            raise ValidationError({"member": _("Medlemmen hör till ett annat nätverk.")})


class NetworkForm(models.Model):
    """One version of the form for one reporting period (a year or a half-year)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        OPEN = "open", _("Öppet för rapportering")
        REPLACED = "replaced", _("Ersatt av ny version")

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="forms", verbose_name=_("nätverk")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    # None: the whole year; 1 or 2: that half of it.
    half = models.PositiveSmallIntegerField(_("halvår"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    dimensions = models.JSONField(_("dimensioner"), default=default_dimensions)
    # [{"rows": dimension key, "columns": dimension key}]: both "single" dimensions.
    crosstabs = models.JSONField(_("korstabeller"), default=list, blank=True)
    allows_not_recorded = models.BooleanField(
        _("tillåt \u201einte registrerat\u201d"),
        default=False,
        help_text=_("Kategorierna får då summera till mindre än totalen."),
    )
    due_on = models.DateField(_("sista dag att rapportera"))
    closes_on = models.DateField(_("perioden stängs"))
    published_at = models.DateTimeField(_("rapporten publicerad"), null=True, blank=True)

    class Meta:
        verbose_name = _("rapporteringsformulär")
        verbose_name_plural = _("rapporteringsformulär")
        ordering = ["-year", "-half", "-version"]
        constraints = [
            # One version per period, the whole year (half empty) and each half alike.
            # Two partial constraints rather than nulls_distinct=False, which SQLite (the
            # embedded default) cannot create.
            models.UniqueConstraint(
                fields=["network", "year", "half", "version"],
                condition=Q(half__isnull=False),
                name="network_form_version_once",
                violation_error_message=_("Versionen av formuläret finns redan."),
            ),
            models.UniqueConstraint(
                fields=["network", "year", "version"],
                condition=Q(half__isnull=True),
                name="network_form_year_version_once",
                violation_error_message=_("Versionen av formuläret finns redan."),
            ),
            models.CheckConstraint(
                condition=Q(half__isnull=True) | Q(half__in=[1, 2]),
                name="network_form_half_1_or_2",
                violation_error_message=_("Halvåret är 1 eller 2."),
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("due_on")),
                name="network_form_closes_after_due",
                violation_error_message=_("Perioden kan inte stängas före sista rapportdag."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_label} v{self.version}"

    @property
    def crosstab_tables(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """The declared cross-tabulations as (row dimension, column dimension)."""
        by_key = {d["key"]: d for d in self.dimensions}
        return [(by_key[c["rows"]], by_key[c["columns"]]) for c in self.crosstabs]

    @property
    def period_label(self) -> str:
        return f"{self.year}" if self.half is None else f"{self.year} H{self.half}"

    def is_closed(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.closes_on

    def is_late(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.due_on

    def clean(self) -> None:
        check_dimensions(self.dimensions)
        check_crosstabs(self.dimensions, self.crosstabs)
        if self.pk is None:
            return
        stored = NetworkForm.objects.filter(pk=self.pk).first()
        frozen = ("dimensions", "crosstabs", "allows_not_recorded", "year", "half")
        if stored is not None and stored.status != self.Status.DRAFT:
            for name in frozen:
                if getattr(stored, name) != getattr(self, name):
                    raise ValidationError(
                        {
                            name: _(
                                "Formuläret är öppnat för rapportering och kan inte ändras. "
                                "Gör en ny version."
                            )
                        }
                    )


class NetworkSubmission(models.Model):
    """One version of a member's counts for a form. Locked once made; a reopening by the
    coordinator (with its reason) lets the member submit the next version."""

    form = models.ForeignKey(
        NetworkForm,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("formulär"),
    )
    member = models.ForeignKey(
        NetworkMember,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("medlem"),
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    total_contacts = models.PositiveIntegerField(_("antal kontakter totalt"))
    # {dimension key: {category key: count}}; a "count" dimension: {key: {"": count}}.
    counts = models.JSONField(_("antal per kategori"), default=dict)
    # {"<rows>:<columns>": {row category: {column category: count}}}, per the form's
    # cross-tabulations.
    crosstab_counts = models.JSONField(_("antal per korstabell"), default=dict, blank=True)
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("inlämnad av")
    )
    submitted_at = models.DateTimeField(_("inlämnad"), default=timezone.now)
    reopened_reason = models.TextField(_("skäl att öppna igen"), blank=True)
    reopened_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("öppnad igen av"),
    )
    reopened_at = models.DateTimeField(_("öppnad igen"), null=True, blank=True)

    class Meta:
        verbose_name = _("inrapportering")
        verbose_name_plural = _("inrapporteringar")
        ordering = ["form", "member", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "member", "version"],
                name="network_submission_version_once",
                violation_error_message=_("Versionen av inrapporteringen finns redan."),
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True) | ~Q(reopened_reason=""),
                name="network_submission_reopen_has_reason",
                violation_error_message=_("Ange skälet till att inrapporteringen öppnas igen."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form} – {self.member} v{self.version}"

    @property
    def is_locked(self) -> bool:
        return self.reopened_at is None

    def clean(self) -> None:
        if self.member_id and self.form_id and self.member.network_id != self.form.network_id:
            raise ValidationError({"member": _("Medlemmen hör till ett annat nätverk.")})
        stored = NetworkSubmission.objects.filter(pk=self.pk).first() if self.pk else None
        if stored is not None and (
            stored.total_contacts,
            stored.counts,
            stored.crosstab_counts,
        ) != (self.total_contacts, self.counts, self.crosstab_counts):
            raise ValidationError(
                _("Inrapporteringen är inlämnad och låst; en rättelse blir en ny version.")
            )
        if self.form_id:
            errors = count_errors(self.form, self.total_contacts, self.counts)
            errors.update(crosstab_errors(self.form, self.counts, self.crosstab_counts))
            if errors:
                raise ValidationError({"counts": [m for ms in errors.values() for m in ms]})


def field_name(dimension: str, category: str) -> str:
    return f"{dimension}__{category}" if category else dimension


def count_errors(form: NetworkForm, total: int | None, counts: Any) -> dict[str, list[str]]:
    """What is wrong with a member's counts, per form field name (the grid's cells and the
    dimension's own row "<dim>__sum"). Shared by the model, the web form and the verb."""
    errors: dict[str, list[str]] = {}
    if not isinstance(counts, dict):
        return {"total_contacts": [str(_("Antalen saknas."))]}
    for dim in form.dimensions:
        key, kind = dim["key"], dim["kind"]
        given = counts.get(key) or {}
        cats = [c["key"] for c in dim["categories"]] if kind != COUNT else [""]
        values: list[int] = []
        for cat in cats:
            value = given.get(cat, 0) if isinstance(given, dict) else None
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                errors.setdefault(field_name(key, cat), []).append(
                    str(_("Ange ett helt antal, noll eller mer."))
                )
                continue
            if kind == MULTIPLE and total is not None and value > total:
                errors.setdefault(field_name(key, cat), []).append(
                    str(_("Fler än det totala antalet kontakter (%s).") % total)
                )
            values.append(value)
        if kind != SINGLE or total is None or len(values) != len(cats):
            continue
        added = sum(values)
        if added != total and not (form.allows_not_recorded and added < total):
            errors.setdefault(field_name(key, cats[0]), []).append(
                str(
                    _("%(dim)s summerar till %(sum)s, men antalet kontakter är %(total)s.")
                    % {"dim": dim["label"], "sum": added, "total": total}
                )
            )
    return errors


def crosstab_field_name(rows: str, columns: str, row_category: str, column_category: str) -> str:
    # Dimension and category keys hold no "__" (forms_network.KEY_RE), so this is unique.
    return f"{rows}__{columns}__{row_category}__{column_category}"


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def crosstab_errors(form: NetworkForm, counts: Any, crosstabs: Any) -> dict[str, list[str]]:
    """What is wrong with a member's cross-tabulation counts, per grid cell: a cell that is
    not a whole number, or a row or column whose cells do not add up to the dimension's
    own count for that category (its margin). The message stands at the row's first cell,
    or at the column's first cell."""
    errors: dict[str, list[str]] = {}
    crosstabs = crosstabs if isinstance(crosstabs, dict) else {}
    counts = counts if isinstance(counts, dict) else {}
    for row_dim, col_dim in form.crosstab_tables:
        given = crosstabs.get(crosstab_key(row_dim["key"], col_dim["key"]))
        given = given if isinstance(given, dict) else {}
        rcats, ccats = row_dim["categories"], col_dim["categories"]
        grid: dict[tuple[str, str], int] = {}
        for r in rcats:
            row = given.get(r["key"])
            for c in ccats:
                value = row.get(c["key"], 0) if isinstance(row, dict) else 0
                if _whole(value):
                    grid[(r["key"], c["key"])] = value
                    continue
                name = crosstab_field_name(row_dim["key"], col_dim["key"], r["key"], c["key"])
                errors.setdefault(name, []).append(str(_("Ange ett helt antal, noll eller mer.")))
        if len(grid) != len(rcats) * len(ccats):
            continue
        lines = [(_("Raden"), row_dim, r, [(r["key"], c["key"]) for c in ccats]) for r in rcats]
        lines += [(_("Kolumnen"), col_dim, c, [(r["key"], c["key"]) for r in rcats]) for c in ccats]
        for line, dim, cat, cells in lines:
            added = sum(grid[cell] for cell in cells)
            margin = (counts.get(dim["key"]) or {}).get(cat["key"], 0)
            if added == margin or (form.allows_not_recorded and added < margin):
                continue
            name = crosstab_field_name(row_dim["key"], col_dim["key"], *cells[0])
            errors.setdefault(name, []).append(
                str(
                    _("%(line)s %(cat)s summerar till %(sum)s, men %(dim)s %(cat)s är %(margin)s.")
                    % {
                        "line": line,
                        "cat": cat["label"],
                        "sum": added,
                        "dim": dim["label"],
                        "margin": margin,
                    }
                )
            )
    return errors
