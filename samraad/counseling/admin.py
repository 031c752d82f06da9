from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from samraad.accounts.permissions import Perm, can
from samraad.admin_site import ScopedModelAdmin, site
from samraad.counseling.models import PreparedAnswer


class PreparedAnswerAdmin(ScopedModelAdmin):
    """An organisation's shared prepared answers, kept by its administrators."""

    list_display = ["title", "organisation", "updated_at"]
    search_fields = ["title", "body"]
    fields = ["title", "body"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PreparedAnswer]:
        answers = PreparedAnswer.objects.filter(owner__isnull=True).select_related("organisation")
        if request.user.is_superuser:
            return answers
        return answers.filter(organisation_id=request.user.organisation_id)  # type: ignore[union-attr,misc]

    def may_touch(self, request: HttpRequest, obj: Any) -> bool:
        return can(request.user, Perm.ADMINISTER_ORGANISATION, obj.organisation)

    def save_model(self, request: HttpRequest, obj: PreparedAnswer, form: Any, change: bool) -> None:
        if not change:
            obj.organisation = request.user.organisation  # type: ignore[union-attr]
        super().save_model(request, obj, form, change)


site.register(PreparedAnswer, PreparedAnswerAdmin)
