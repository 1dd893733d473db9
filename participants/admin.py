"""Admin for participant configuration only.

Participant records are deliberately not in the admin: every read and change of them must
go through participants.access, which writes the access log. Administrators define a
partnership's own phases here, may browse the access log (read-only) and resolve
duplicate-personnummer cases, and set an agreement's funder and target-group rules.
The background at entry and the results at exit are participant data and stay out too.
"""

from django.contrib import admin

from iop.audit import AuditContext

from . import actions
from .models import AccessLog, DuplicateSuspicion, EligibilityRule, FunderProfile, Phase


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["name", "agreement", "position"]
    list_filter = ["agreement"]
    ordering = ["agreement", "position"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "organisation", "participant", "action", "what", "ip_address"]
    list_filter = ["action"]
    search_fields = ["username", "participant__code"]
    list_select_related = ["organisation", "participant"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DuplicateSuspicion)
class DuplicateSuspicionAdmin(admin.ModelAdmin):
    """Cases are opened by the application only; here they can be read and resolved. The
    in-app page (participants:duplicates) does the same and writes the access log."""

    list_display = [
        "reported_at",
        "reported_by",
        "organisation",
        "existing",
        "source",
        "resolution",
    ]
    list_filter = ["source", "resolution"]
    list_select_related = ["reported_by", "organisation", "existing"]
    readonly_fields = [
        "existing",
        "reported_by",
        "organisation",
        "agreement",
        "source",
        "reported_at",
        "resolved_at",
        "resolved_by",
    ]
    fields = [*readonly_fields, "resolution", "resolution_note"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        # Resolving goes through the same verb as the in-app page (stamp and access log).
        if obj.resolution and obj.resolved_at is None:
            actions.resolve_duplicate_suspicion(
                user=request.user,
                audit=AuditContext.from_request(request),
                case=obj,
                resolution=obj.resolution,
                note=obj.resolution_note,
            )


@admin.register(FunderProfile)
class FunderProfileAdmin(admin.ModelAdmin):
    list_display = ["agreement", "programme", "project_reference", "finsam_intervention"]
    list_filter = ["programme"]
    list_select_related = ["agreement"]


@admin.register(EligibilityRule)
class EligibilityRuleAdmin(admin.ModelAdmin):
    list_display = ["agreement", "kind", "value"]
    list_filter = ["kind"]
    list_select_related = ["agreement"]
