from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from samraad.accounts.actions import do_grant_role, do_revoke_role
from samraad.accounts.models import Organisation, Role, RoleGrant, User
from samraad.accounts.permissions import (
    Perm,
    can,
    grantable_roles,
    organisations_visible_to,
    staff_administered_by,
)
from samraad.admin_site import ScopedModelAdmin, site
from samraad.audit.actions import do_record_access
from samraad.audit.models import AuditEntry


class OrganisationAdmin(ScopedModelAdmin):
    list_display = ["name", "kind", "municipality_code", "region", "participating"]
    list_filter = ["kind", "participating", "region"]
    search_fields = ["name", "municipality_code"]
    # Reference data and taking part in the shared service (which lets an organisation hold the
    # counselor and supervisor roles and show the widget) are the platform operator's to set.
    readonly_fields = ["kind", "municipality_code", "region", "participating"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return organisations_visible_to(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Reference data (kind, code) is the platform's; only a platform operator sets it.
        return [] if request.user.is_superuser else list(self.readonly_fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)


class RoleGrantFormSet(BaseInlineFormSet):
    """Offers only the roles the administrator may give this person (`grantable_roles`); the
    choice field refuses any other value, and saving goes through `do_grant_role`."""

    allowed_roles: frozenset[str] = frozenset()

    def add_fields(self, form: ModelForm, index: int | None) -> None:
        super().add_fields(form, index)
        if "role" in form.fields:
            form.fields["role"].choices = [("", "---------")] + [  # type: ignore[attr-defined]
                (role.value, role.label) for role in Role if role.value in self.allowed_roles
            ]


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    formset = RoleGrantFormSet
    extra = 1
    verbose_name = _("role")
    verbose_name_plural = _("roles")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset: Any = super().get_formset(request, obj, **kwargs)
        formset.allowed_roles = grantable_roles(request.user, obj) if obj is not None else frozenset()
        return formset

    def _may(self, request: HttpRequest, obj: Any) -> bool:
        return can(request.user, Perm.ADMINISTER_STAFF_MEMBER, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A role held is taken away, not turned into another: each grant and revocation is one
        # audited action.
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)


class StaffAdmin(ScopedModelAdmin, UserAdmin):
    perm = Perm.ADMINISTER_STAFF_MEMBER
    inlines = [RoleGrantInline]
    list_display = ["username", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["is_active", "organisation__kind", "role_grants__role"]
    search_fields = ["username", "first_name", "last_name", "email"]
    list_select_related = ["organisation"]
    _person = (None, {"fields": ("username", "password")})
    _details = (_("Person"), {"fields": ("first_name", "last_name", "email", "organisation", "is_active")})
    _platform = (_("Platform"), {"fields": ("is_superuser", "last_login", "date_joined")})
    add_fieldsets = ((None, {"fields": ("username", "usable_password", "password1", "password2")}),)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return staff_administered_by(request.user).select_related("organisation")

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        # Roles are given once the person exists and belongs to an organisation.
        return self.inlines if obj is not None else []

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not RoleGrant:
            super().save_formset(request, form, formset, change)
            return
        granter = request.user
        for grant in formset.save(commit=False):
            do_grant_role(granter, grant.user, grant.role)  # type: ignore[arg-type]
        for grant in formset.deleted_objects:
            do_revoke_role(granter, grant)  # type: ignore[arg-type]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.add_fieldsets
        if request.user.is_superuser:
            return (self._person, self._details, self._platform)
        return (self._person, self._details)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if request.user.is_superuser:
            return ["last_login", "date_joined"]
        # An organisation's administrator keeps people inside their own organisation.
        return ["organisation", "last_login", "date_joined"]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            person = self.get_object(request, object_id)
            if person is not None:
                do_record_access(
                    request.user,  # type: ignore[arg-type]
                    AuditEntry.Action.READ,
                    person,
                    reason="administration: staff record opened",
                    organisation=person.organisation,
                )
        return response

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.organisation = request.user.organisation  # type: ignore[union-attr]
        super().save_model(request, obj, form, change)
        do_record_access(
            request.user,  # type: ignore[arg-type]
            AuditEntry.Action.CHANGE if change else AuditEntry.Action.CREATE,
            obj,
            reason="administration: staff record saved",
            organisation=obj.organisation,
        )


site.register(Organisation, OrganisationAdmin)
site.register(User, StaffAdmin)
