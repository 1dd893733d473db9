"""Admin for participant configuration only.

Participant records are deliberately not in the admin: every read and change of them must
go through participants.access, which writes the access log. Administrators define a
partnership's own phases here and may browse the access log (read-only).
"""

from django.contrib import admin

from .models import AccessLog, Phase


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
