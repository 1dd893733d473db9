"""Admin for the statistics network. Submitted counts are read-only here: a submission
is made by the member (web grid or template) and reopened by the coordinator with a
reason, through the verbs in actions_network.py, never edited in place."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models_network import Network, NetworkForm, NetworkMember, NetworkRole, NetworkSubmission


class NetworkMemberInline(admin.TabularInline):
    model = NetworkMember
    extra = 0
    autocomplete_fields = ["organisation"]


class NetworkRoleInline(admin.TabularInline):
    model = NetworkRole
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "coordinator"]
    search_fields = ["name", "coordinator__name"]
    autocomplete_fields = ["coordinator"]
    inlines = [NetworkMemberInline, NetworkRoleInline]


@admin.register(NetworkForm)
class NetworkFormAdmin(admin.ModelAdmin):
    list_display = ["network", "year", "half", "version", "status", "due_on", "closes_on"]
    list_filter = ["status", "year", "network"]
    readonly_fields = ["status", "version", "published_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # An opened form is frozen (NetworkForm.clean); say so before anyone tries.
        frozen = ["network", "year", "half", "dimensions", "allows_not_recorded"]
        if obj is not None and obj.status != NetworkForm.Status.DRAFT:
            return [*self.readonly_fields, *frozen]
        return list(self.readonly_fields)


@admin.register(NetworkSubmission)
class NetworkSubmissionAdmin(admin.ModelAdmin):
    list_display = ["form", "member", "version", "total_contacts", "submitted_at", "is_locked"]
    list_filter = ["form__network", "form__year"]
    list_select_related = ["form__network", "member__organisation"]
    search_fields = ["member__organisation__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
