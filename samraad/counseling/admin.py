from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from samraad.accounts.models import User
from samraad.accounts.permissions import Perm, can
from samraad.admin_site import ScopedModelAdmin, site
from samraad.counseling import actions
from samraad.counseling.models import Conversation, PreparedAnswer


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


class LegalHoldForm(forms.ModelForm):
    class Meta:
        model = Conversation
        fields = ["legal_hold", "legal_hold_reason"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("legal_hold") and not (cleaned.get("legal_hold_reason") or "").strip():
            self.add_error(
                "legal_hold_reason", _("Say why the conversation is held, e.g. the report or complaint it belongs to.")
            )
        return cleaned


class LegalHoldAdmin(ScopedModelAdmin):
    """Legal holds on the conversations an organisation is concerned in. Shows when and how a
    conversation happened, never what was said; placing and lifting go through the actions,
    which write the audit log."""

    perm = Perm.PLACE_LEGAL_HOLD
    form = LegalHoldForm
    list_display = ["__str__", "created_at", "ended_at", "legal_hold"]
    list_filter = ["legal_hold", "kind", "state"]
    # The id as the console shows it; a prefix of eight characters is enough.
    search_fields = ["^id"]
    fields = [
        "kind",
        "state",
        "created_at",
        "ended_at",
        "legal_hold",
        "legal_hold_reason",
        "legal_hold_by",
        "legal_hold_at",
    ]
    readonly_fields = ["kind", "state", "created_at", "ended_at", "legal_hold_by", "legal_hold_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Conversation]:
        # Purged conversations have nothing left to hold.
        conversations = Conversation.objects.filter(purged_at__isnull=True)
        if request.user.is_superuser:
            return conversations
        organisation_id = request.user.organisation_id  # type: ignore[union-attr]
        return conversations.filter(Q(municipality_id=organisation_id) | Q(answered_by_id=organisation_id))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Conversation, form: Any, change: bool) -> None:
        if not form.has_changed():
            return
        user: User = request.user  # type: ignore[assignment]
        if form.cleaned_data["legal_hold"]:
            actions.do_place_legal_hold(obj.pk, user=user, reason=form.cleaned_data["legal_hold_reason"])
        else:
            actions.do_lift_legal_hold(obj.pk, user=user)


site.register(PreparedAnswer, PreparedAnswerAdmin)
site.register(Conversation, LegalHoldAdmin)
