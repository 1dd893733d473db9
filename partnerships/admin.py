"""Admin for partnership data. Model validation (clean() and constraints) applies here as
in the browser pages, so the admin cannot store what the forms refuse."""

from decimal import Decimal, InvalidOperation

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from iop.audit import AuditContext

from . import actions_admin
from .forms import FundingShareFormSetBase
from .models import (
    ActionItem,
    ActualCost,
    AdministrationLogEntry,
    Agreement,
    AgreementParty,
    AgreementVersion,
    Attendee,
    BodyMember,
    Budget,
    ContactPerson,
    CostLine,
    Decision,
    Extension,
    FundingShare,
    Goal,
    GovernanceBody,
    IndexSeries,
    IndexValue,
    Indicator,
    IndicatorTarget,
    InvoicingPair,
    Meeting,
    Obstacle,
    Organisation,
    OtherFunding,
    Resource,
    Risk,
    RiskChange,
    Stage,
    User,
)


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "org_number", "kind", "city"]
    list_filter = ["kind"]
    search_fields = ["name", "org_number"]
    inlines = [ContactPersonInline]
    fieldsets = (
        (None, {"fields": ("name", "org_number", "kind")}),
        (_("Adress"), {"fields": ("street_address", "postal_code", "city")}),
        (
            _("E-faktura"),
            {"fields": ("gln", "peppol_id", "invoice_reference", "invoice_marking")},
        ),
        (
            _("Betalning"),
            {
                "fields": (
                    "bankgiro",
                    "plusgiro",
                    "iban",
                    "bic",
                    "payment_terms_days",
                    "ocr_reference",
                    "f_skatt",
                )
            },
        ),
    )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["groups", "organisation", "is_active"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Organisation"), {"fields": ("organisation",)}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Organisation"), {"fields": ("organisation",)}),
    )

    # Changes here are written to the administration log as in the app, and deactivating
    # ends the user's sessions. Roles are saved with the related objects, after the user.
    def save_model(self, request, obj, form, change):
        stored = User.objects.filter(pk=obj.pk).first() if change else None
        request._iop_user_before = actions_admin.UserState.of(stored) if stored else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        actions_admin.record_admin_site_save(
            user=request.user,
            audit=AuditContext.from_request(request),
            target=form.instance,
            before=getattr(request, "_iop_user_before", None),
        )


class PartyInline(admin.StackedInline):
    model = AgreementParty
    extra = 0


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0
    fields = ["parent", "title", "position"]


class ExtensionInline(admin.TabularInline):
    model = Extension
    extra = 0
    readonly_fields = [
        "decided_on",
        "decision_reference",
        "previous_end_date",
        "new_end_date",
        "decision_deadline",
        "late_reason",
        "recorded_by",
    ]

    def has_add_permission(self, request, obj=None):
        # Extensions are exercised from the agreement page so that the end date moves too.
        return False


class InvoicingPairInline(admin.TabularInline):
    model = InvoicingPair
    fk_name = "agreement"
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["title", "short_id", "status", "start_date", "end_date"]
    list_filter = ["status"]
    search_fields = ["title", "short_id"]
    inlines = [PartyInline, GoalInline, ExtensionInline, InvoicingPairInline]
    readonly_fields = ["status", "revision"]


class ResourceInline(admin.TabularInline):
    model = Resource
    extra = 0


@admin.register(AgreementParty)
class AgreementPartyAdmin(admin.ModelAdmin):
    list_display = ["agreement", "organisation", "role"]
    inlines = [ResourceInline]


class TargetInline(admin.TabularInline):
    model = IndicatorTarget
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "goal", "metric"]
    inlines = [TargetInline]


class CostLineInline(admin.TabularInline):
    model = CostLine
    extra = 0


class AdminShareFormSet(FundingShareFormSetBase):
    """In the admin the cost lines arrive in the same POST: the shares must add up to them."""

    def clean(self) -> None:
        self.budget_total = self._posted_cost_total()
        super().clean()

    def _posted_cost_total(self) -> Decimal | None:
        prefix = "cost_lines"
        try:
            count = int(self.data.get(f"{prefix}-TOTAL_FORMS", ""))
        except ValueError:
            return None
        total = Decimal("0")
        for i in range(count):
            if self.data.get(f"{prefix}-{i}-DELETE"):
                continue
            raw = (self.data.get(f"{prefix}-{i}-amount") or "").replace(",", ".").replace(" ", "")
            if not raw:
                continue
            try:
                total += Decimal(raw)
            except InvalidOperation:
                return None  # the cost line inline reports its own error
        return total


class FundingShareInline(admin.TabularInline):
    model = FundingShare
    formset = AdminShareFormSet
    extra = 0


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ["agreement", "year", "indexation_percent", "index_series", "shares_status"]
    list_filter = ["year"]
    inlines = [CostLineInline, FundingShareInline]

    @admin.display(description=_("Andelar"))
    def shares_status(self, obj: Budget) -> str:
        return obj.shares_error() or str(_("går jämnt upp"))


class IndexValueInline(admin.TabularInline):
    model = IndexValue
    extra = 1


@admin.register(IndexSeries)
class IndexSeriesAdmin(admin.ModelAdmin):
    list_display = ["name"]
    inlines = [IndexValueInline]


@admin.register(ActualCost)
class ActualCostAdmin(admin.ModelAdmin):
    list_display = ["voucher", "date", "cost_line", "amount", "reason"]
    search_fields = ["voucher"]


admin.site.register(OtherFunding)


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
    """Versions are history: readable, never edited."""

    list_display = ["agreement", "number", "valid_from", "summary", "approved_on"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AttendeeInline(admin.TabularInline):
    model = Attendee
    extra = 0


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 0
    fk_name = "meeting"


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["agreement", "kind", "date", "status"]
    list_filter = ["kind", "status"]
    inlines = [AttendeeInline, DecisionInline, ActionItemInline]


class BodyMemberInline(admin.TabularInline):
    model = BodyMember
    extra = 0


@admin.register(GovernanceBody)
class GovernanceBodyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "agreement", "kind"]
    list_filter = ["kind"]
    inlines = [BodyMemberInline]


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "agreement", "start_date", "end_date"]


class RiskChangeInline(admin.TabularInline):
    model = RiskChange
    extra = 0
    can_delete = False
    readonly_fields = ["changed_on", "changed_by", "likelihood", "consequence", "grade", "status"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Risk)
class RiskAdmin(admin.ModelAdmin):
    list_display = ["title", "agreement", "category", "status"]
    list_filter = ["category", "status"]
    # Grade and status change in the app (governance_actions.save_risk), which keeps the
    # risk's history; here they are read only so that no change escapes it.
    readonly_fields = ["likelihood", "consequence", "status"]
    inlines = [RiskChangeInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Obstacle)
class ObstacleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "agreement", "level", "status"]
    list_filter = ["level", "status"]


@admin.register(AdministrationLogEntry)
class AdministrationLogEntryAdmin(admin.ModelAdmin):
    """The administration log is append-only: readable here, written only by the verbs."""

    list_display = ["at", "actor_username", "action", "target_username", "organisation"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
