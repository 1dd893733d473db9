"""The partnerships' spreadsheets: organisations, contact persons and actual costs.

Found by the spreadsheet engine (iop/spreadsheets) at start-up, which imports every app's
datasets.py. The resources here give each row's scope; the roles on each Dataset say who
may export and import at all:

| data                  | export                               | import                   |
|-----------------------|--------------------------------------|--------------------------|
| organisations         | coordinator, finance, manager, admin | manager (own org), admin |
| contact persons       | coordinator, finance, manager, admin | manager (own org), admin |
| actual costs (utfall) | finance, manager, admin              | finance, manager, admin  |
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields

from iop.roles import Role
from iop.spreadsheets.registry import Dataset, register
from iop.spreadsheets.resources import (
    BooleanWidget,
    ChoiceWidget,
    DateWidget,
    DecimalWidget,
    IntegerWidget,
    IopResource,
    LookupWidget,
    TextWidget,
    cell_text,
    int_param,
)

from . import access
from .models import ActualCost, ContactPerson, CostLine, Organisation
from .validators import normalise_org_number, validate_org_number


class OrgNumberWidget(TextWidget):
    """Organisation numbers are stored as NNNNNN-NNNN; ten digits without the dash are fine."""

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return ""
        try:
            validate_org_number(text)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from exc
        return normalise_org_number(text)


# --------------------------------------------------------------------------- lookups


class OrganisationWidget(LookupWidget):
    """An organisation by organisation number, within what the user may see."""

    not_found = gettext_lazy(
        "Organisationen %(value)s finns inte eller hör inte till dina partnerskap."
    )

    def key(self, value, row):
        text = cell_text(value)
        try:
            return normalise_org_number(text) if text else ""
        except Exception:  # noqa: BLE001 - stdnum raises several kinds
            return text

    def find(self, key, row):
        return access.visible_organisations(self.user).filter(org_number=key).first()

    def render(self, value, obj=None, **kwargs):
        return value.org_number if value else ""


class AgreementWidget(LookupWidget):
    """An agreement by its short identifier (kortnamn), within the user's partnerships."""

    not_found = gettext_lazy(
        "Överenskommelsen ”%(value)s” finns inte eller hör inte till dina partnerskap."
    )

    def find(self, key, row):
        return access.visible_agreements(self.user).filter(short_id=key).first()

    def render(self, value, obj=None, **kwargs):
        return value.short_id if value else ""


# --------------------------------------------------------------------------- organisations


class OrganisationResource(IopResource):
    label = "organisationer"

    org_number = fields.Field("org_number", "Organisationsnummer", widget=OrgNumberWidget())
    name = fields.Field("name", "Namn", widget=TextWidget())
    kind = fields.Field("kind", "Typ", widget=ChoiceWidget(Organisation.Kind.choices))
    street_address = fields.Field("street_address", "Utdelningsadress", widget=TextWidget())
    postal_code = fields.Field("postal_code", "Postnummer", widget=TextWidget())
    city = fields.Field("city", "Ort", widget=TextWidget())
    gln = fields.Field("gln", "GLN", widget=TextWidget())
    peppol_id = fields.Field("peppol_id", "PEPPOL-ID", widget=TextWidget())
    invoice_reference = fields.Field("invoice_reference", "Referenskod", widget=TextWidget())
    invoice_marking = fields.Field("invoice_marking", "Märkning", widget=TextWidget())
    bankgiro = fields.Field("bankgiro", "Bankgiro", widget=TextWidget())
    plusgiro = fields.Field("plusgiro", "Plusgiro", widget=TextWidget())
    iban = fields.Field("iban", "IBAN", widget=TextWidget())
    bic = fields.Field("bic", "BIC", widget=TextWidget())
    payment_terms_days = fields.Field(
        "payment_terms_days", "Betalningsvillkor (dagar)", widget=IntegerWidget()
    )
    ocr_reference = fields.Field("ocr_reference", "OCR-nummer som referens", widget=BooleanWidget())
    f_skatt = fields.Field("f_skatt", "Godkänd för F-skatt", widget=BooleanWidget())

    class Meta(IopResource.Meta):
        model = Organisation
        fields = (
            "org_number",
            "name",
            "kind",
            "street_address",
            "postal_code",
            "city",
            "gln",
            "peppol_id",
            "invoice_reference",
            "invoice_marking",
            "bankgiro",
            "plusgiro",
            "iban",
            "bic",
            "payment_terms_days",
            "ocr_reference",
            "f_skatt",
        )
        import_id_fields = ("org_number",)

    def check_write(self, instance, new):
        user = self.user
        if new:
            if not user.is_administrator:
                self.refuse(_("Bara administratörer kan lägga upp nya organisationer."))
        elif not user.is_administrator:
            if not access.visible_organisations(user).filter(pk=instance.pk).exists():
                self.refuse(_("Organisationen hör inte till dina partnerskap."))
            if instance.pk != user.organisation_id:
                self.refuse(_("Du kan bara ändra uppgifterna för din egen organisation."))

    def export_queryset(self, params):
        qs = access.visible_organisations(self.user).order_by("name", "pk")
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        if params.get("q"):
            qs = qs.filter(Q(name__icontains=params["q"]) | Q(org_number__icontains=params["q"]))
        return qs


# --------------------------------------------------------------------------- contact persons


class ContactPersonResource(IopResource):
    label = "kontaktpersoner"

    organisation = fields.Field("organisation", "Organisationsnummer", widget=OrganisationWidget())
    name = fields.Field("name", "Namn", widget=TextWidget())
    title = fields.Field("title", "Befattning", widget=TextWidget())
    email = fields.Field("email", "E-post", widget=TextWidget())
    phone = fields.Field("phone", "Telefon", widget=TextWidget())

    class Meta(IopResource.Meta):
        model = ContactPerson
        fields = ("organisation", "name", "title", "email", "phone")
        import_id_fields = ("organisation", "name")

    def check_write(self, instance, new):
        user = self.user
        if not user.is_administrator and instance.organisation_id != user.organisation_id:
            self.refuse(_("Du kan bara ändra kontaktpersoner i din egen organisation."))

    def export_queryset(self, params):
        qs = (
            ContactPerson.objects.filter(organisation__in=access.visible_organisations(self.user))
            .select_related("organisation")
            .order_by("organisation__name", "name", "pk")
        )
        if params.get("organisation"):
            qs = qs.filter(organisation_id=int_param(params["organisation"]))
        if params.get("q"):
            qs = qs.filter(name__icontains=params["q"])
        return qs


# --------------------------------------------------------------------------- actual costs


class CostLineWidget(LookupWidget):
    """A cost line by agreement short_id + budget year + the line's description."""

    not_found = gettext_lazy("Kostnadsposten ”%(value)s” finns inte i en budget du får bokföra på.")

    def key(self, value, row):
        agreement = cell_text(row.get("Överenskommelse"))
        year = cell_text(row.get("År"))
        return (agreement, year, cell_text(value))

    def find(self, key, row):
        short_id, year, description = key
        if not year.isdigit():
            return None
        lines = list(
            CostLine.objects.filter(
                budget__agreement__in=access.visible_agreements(self.user),
                budget__agreement__short_id=short_id,
                budget__year=int(year),
                description=description,
            ).select_related("budget__agreement")[:2]
        )
        if len(lines) > 1:
            raise ValueError(
                _("Budgeten har flera kostnadsposter som heter ”%(value)s”; byt namn på en av dem.")
                % {"value": description}
            )
        return lines[0] if lines else None

    def render(self, value, obj=None, **kwargs):
        return value.description if value else ""


class ActualCostResource(IopResource):
    label = "utfall"

    agreement = fields.Field(None, "Överenskommelse", widget=TextWidget(), readonly=True)
    year = fields.Field(None, "År", widget=TextWidget(), readonly=True)
    cost_line = fields.Field("cost_line", "Kostnadspost", widget=CostLineWidget())
    voucher = fields.Field("voucher", "Verifikation", widget=TextWidget())
    date = fields.Field("date", "Datum", widget=DateWidget())
    amount = fields.Field("amount", "Belopp", widget=DecimalWidget())
    description = fields.Field("description", "Beskrivning", widget=TextWidget())
    reason = fields.Field("reason", "Orsak (negativt belopp)", widget=TextWidget())

    class Meta(IopResource.Meta):
        model = ActualCost
        fields = (
            "agreement",
            "year",
            "cost_line",
            "voucher",
            "date",
            "amount",
            "description",
            "reason",
        )
        import_id_fields = ("cost_line", "voucher")

    column_notes = {
        "Överenskommelse": gettext_lazy("Överenskommelsens kortnamn, till exempel ”bromodellen”."),
        "År": gettext_lazy("Budgetåret, till exempel 2026."),
        "Kostnadspost": gettext_lazy("Kostnadspostens beskrivning exakt som i budgeten."),
        "Orsak (negativt belopp)": gettext_lazy(
            "Krävs när beloppet är negativt (återbetalning eller rättelse)."
        ),
    }

    def required_columns(self):
        return ["Överenskommelse", "År", "Kostnadspost", "Verifikation"]

    def dehydrate_agreement(self, obj):
        return obj.cost_line.budget.agreement.short_id

    def dehydrate_year(self, obj):
        return obj.cost_line.budget.year

    def check_write(self, instance, new):
        if not self.user.has_role(*access.CAN_EDIT_BUDGET):
            self.refuse(_("Din roll får inte bokföra utfall."))
        if new:
            instance.recorded_by = self.user

    def export_queryset(self, params):
        qs = (
            ActualCost.objects.filter(
                cost_line__budget__agreement__in=access.visible_agreements(self.user)
            )
            .select_related("cost_line__budget__agreement")
            .order_by("date", "pk")
        )
        if params.get("agreement"):
            qs = qs.filter(cost_line__budget__agreement_id=int_param(params["agreement"]))
        if params.get("year"):
            qs = qs.filter(cost_line__budget__year=int_param(params["year"]))
        return qs


# --------------------------------------------------------------------------- datasets

register(
    Dataset(
        "organisations",
        gettext_lazy("Organisationer"),
        OrganisationResource,
        export_roles=(Role.COORDINATOR, Role.FINANCE, Role.MANAGER, Role.ADMIN),
        import_roles=(Role.MANAGER, Role.ADMIN),
        help=gettext_lazy(
            "Nyckel: organisationsnummer. Partnerskapsansvariga kan uppdatera sin egen "
            "organisation; bara administratörer lägger upp nya."
        ),
    ),
    Dataset(
        "contact_persons",
        gettext_lazy("Kontaktpersoner"),
        ContactPersonResource,
        export_roles=(Role.COORDINATOR, Role.FINANCE, Role.MANAGER, Role.ADMIN),
        import_roles=(Role.MANAGER, Role.ADMIN),
        help=gettext_lazy("Nyckel: organisationsnummer och namn. Bara din egen organisation."),
    ),
    Dataset(
        "actual_costs",
        gettext_lazy("Utfall"),
        ActualCostResource,
        export_roles=(Role.FINANCE, Role.MANAGER, Role.ADMIN),
        import_roles=(Role.FINANCE, Role.MANAGER, Role.ADMIN),
        help=gettext_lazy(
            "Nyckel: överenskommelsens kortnamn, budgetår, kostnadspost och verifikation."
        ),
    ),
)
