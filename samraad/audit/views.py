"""The extract of one person's access log, in the administration (see `AuditEntryAdmin.get_urls`)."""

from __future__ import annotations

from django import forms
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from samraad.accounts.models import User
from samraad.accounts.permissions import Perm, can, get_staff_member_for
from samraad.audit import extract
from samraad.audit.actions import do_extract_access_log
from samraad.audit.models import AuditEntry


class ExtractForm(forms.Form):
    reason = forms.CharField(
        label=_("Purpose of the extract"),
        max_length=200,
        help_text=_("Written to the audit log with the extract, for example: the staff member asked to see it."),
    )


def person_access_log(request: HttpRequest, person_id: int, *, admin_site: AdminSite) -> HttpResponse:
    """Shows (or sends as CSV) every access to one staff member's data, for an administrator of
    their organisation or the platform operator; 404 alike for a missing person and another's.
    Each extract is itself written to the audit log, with the purpose the administrator gives."""
    if not can(request.user, Perm.VIEW_AUDIT_LOG):
        raise PermissionDenied
    person = get_staff_member_for(request.user, person_id)
    form = ExtractForm(request.POST if request.method == "POST" else None)
    lines = None
    if form.is_valid():
        actor: User = request.user  # type: ignore[assignment]
        entries = do_extract_access_log(actor, person, reason=form.cleaned_data["reason"])
        if "csv" in request.POST:
            filename = f"samraad-access-log-{person.pk}-{timezone.localdate().isoformat()}.csv"
            response = HttpResponse(extract.csv_text(entries), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        lines = extract.lines(entries)
    context = {
        **admin_site.each_context(request),
        "title": gettext("Access log for %(name)s") % {"name": person},
        "opts": AuditEntry._meta,
        "person": person,
        "form": form,
        "lines": lines,
    }
    return TemplateResponse(request, "audit/person_access_log.html", context)
