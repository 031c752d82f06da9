"""The administration pages, for organisation administrators, each scoped to their organisation."""

from __future__ import annotations

from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext_lazy as _

from samraad.accounts.permissions import Perm, can


class SamraadAdminSite(admin.AdminSite):
    site_header = _("Samraad administration")
    site_title = _("Samraad administration")
    index_title = _("Administration")
    site_url = "/staff/"

    def has_permission(self, request: HttpRequest) -> bool:
        return can(request.user, Perm.ADMINISTER_ORGANISATION)

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        guarded = super().admin_view(view, cacheable)

        @wraps(view)
        def refuse_signed_in_outsiders(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # A signed-in person without the role gets 403, not a detour through a sign-in page.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return guarded(request, *args, **kwargs)

        return refuse_signed_in_outsiders

    def get_urls(self) -> list[URLResolver | URLPattern]:
        # The "view on site" shortcut is Django's, with a malformed id answered like a missing one.
        urls = super().get_urls()
        for index, pattern in enumerate(urls):
            if isinstance(pattern, URLPattern) and pattern.name == "view_on_site":
                view = self.admin_view(view_on_site)
                urls[index] = path(str(pattern.pattern), view, name="view_on_site")
        return urls

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # One sign-in for the whole product; a signed-in person without the role is refused.
        if request.user.is_authenticated:
            raise PermissionDenied
        query = urlencode({"next": request.GET.get("next", reverse("admin:index"))})
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{query}")


def view_on_site(request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponse:
    """Redirects to the page of the object `object_id` of the given content type, as Django's
    shortcut does; an id that cannot be a key of that model (text for a UUID key) is a 404, where
    Django's own lets the ValidationError through as a server error."""
    # Imported here, as Django's admin does: the module imports a model, and this one is imported
    # while the apps are still loading.
    from django.contrib.contenttypes import views as contenttype_views

    try:
        return contenttype_views.shortcut(request, content_type_id, object_id)
    except ValidationError as error:
        raise Http404 from error


class ScopedModelAdmin(admin.ModelAdmin):
    """A model admin whose every answer comes from the permission module, not Django's flags."""

    perm = Perm.ADMINISTER_ORGANISATION

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can(request.user, self.perm)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, self.perm) if obj is None else self.may_touch(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can(request.user, self.perm)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def may_touch(self, request: HttpRequest, obj: Any) -> bool:
        return can(request.user, self.perm, obj)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        # Django passes `?_to_field=` (empty) on as a field named "", which is no field, and the
        # FieldDoesNotExist became a server error; an empty choice means the primary key.
        return super().get_object(request, object_id, from_field or None)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Django looks the record up before asking about permission, so a person who may see no
        # record of this kind got "no such record" for a missing id and 403 for an existing one.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)


site = SamraadAdminSite(name="admin")
