"""The rota in the administration, to look at only: changes go through the rota pages (and actions)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from samraad.accounts.permissions import Perm
from samraad.admin_site import ScopedModelAdmin, site
from samraad.rota.models import ShiftChange, ShiftPattern


class ReadOnlyRotaAdmin(ScopedModelAdmin):
    perm = Perm.MANAGE_ROTA

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ShiftPatternAdmin(ReadOnlyRotaAdmin):
    list_display = ["staff", "weekday", "starts_at", "ends_at", "valid_from", "valid_until"]
    list_filter = ["weekday"]
    list_select_related = ["staff"]
    search_fields = ["staff__username", "staff__first_name", "staff__last_name"]


class ShiftChangeAdmin(ReadOnlyRotaAdmin):
    list_display = ["staff", "kind", "starts_at", "ends_at"]
    list_filter = ["kind"]
    list_select_related = ["staff"]
    search_fields = ["staff__username", "staff__first_name", "staff__last_name"]
    date_hierarchy = "starts_at"


site.register(ShiftPattern, ShiftPatternAdmin)
site.register(ShiftChange, ShiftChangeAdmin)
