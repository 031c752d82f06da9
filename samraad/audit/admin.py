from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from samraad.accounts.permissions import Perm, can
from samraad.admin_site import ScopedModelAdmin, site
from samraad.audit.models import AuditEntry
from samraad.audit.views import person_access_log


class AuditEntryAdmin(ScopedModelAdmin):
    """Read-only: nobody adds, changes or deletes an entry, whatever their role."""

    perm = Perm.VIEW_AUDIT_LOG
    list_display = ["at", "actor_name", "action", "subject_type", "subject_label", "organisation", "reason"]
    list_filter = ["action", "subject_type"]
    search_fields = ["actor_name", "subject_label", "reason"]
    date_hierarchy = "at"
    list_select_related = ["organisation"]

    def get_urls(self) -> list[URLPattern]:
        extract = self.admin_site.admin_view(self.person_access_log)
        return [path("person/<int:person_id>/", extract, name="audit_auditentry_person"), *super().get_urls()]

    def person_access_log(self, request: HttpRequest, person_id: int) -> HttpResponse:
        return person_access_log(request, person_id, admin_site=self.admin_site)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        entries = AuditEntry.objects.all()
        if not request.user.is_superuser:
            entries = entries.filter(organisation_id=request.user.organisation_id)  # type: ignore[union-attr,misc]
        return entries

    def may_touch(self, request: HttpRequest, obj: Any) -> bool:
        return can(request.user, self.perm) and (
            bool(request.user.is_superuser) or obj.organisation_id == request.user.organisation_id  # type: ignore[union-attr]
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


site.register(AuditEntry, AuditEntryAdmin)
