"""What the staff start page offers a person, decided by their roles and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from samraad.accounts.models import Role, User
from samraad.accounts.permissions import Perm, can


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Section:
    title: str
    text: str
    links: list[Link] = field(default_factory=list)


def _role_texts() -> dict[str, str]:
    return {
        Role.COUNSELOR: _("You answer young people in the shared anonymous chat, several conversations at once."),
        Role.SUPERVISOR: _(
            "You watch the live floor, cover the rota across municipalities and take escalated conversations."
        ),
        Role.COORDINATOR: _("You follow your municipality's numbers: conversations, waiting times and cost."),
        Role.CASEWORKER: _("You keep secure contact with young people who have a case, and with their network."),
        Role.DROP_IN_STAFF: _(
            "You help the users of your drop-in centre, in small steps, with digital post and self-service."
        ),
        Role.CARE_STAFF: _("You document residents' goals and daily work in your residential service."),
        Role.ADMIN: _("You administer your organisation: its settings, its staff and their roles."),
    }


def sections_for(user: User) -> list[Section]:
    """Returns one section per role the person holds, with the links that role opens."""
    texts = _role_texts()
    # The rota is linked once, from the first of these roles the person holds.
    rota_role = next(
        (role for role in (Role.SUPERVISOR, Role.COUNSELOR, Role.COORDINATOR) if user.has_role(role)), None
    )
    # The console is linked once, from the first of these roles the person holds.
    console_role = next((role for role in (Role.SUPERVISOR, Role.COUNSELOR) if user.has_role(role)), None)
    # The numbers are linked once, from the role that gives them.
    numbers_role = next(
        (role for role in (Role.COORDINATOR, Role.SUPERVISOR) if user.has_role(role) and can(user, Perm.VIEW_NUMBERS)),
        None,
    )
    sections = []
    for role in Role:
        if not user.has_role(role):
            continue
        links = []
        if role == Role.ADMIN and can(user, Perm.ADMINISTER_ORGANISATION):
            links.append(Link(_("Administer staff and roles"), reverse("admin:index")))
        if role == Role.ADMIN and can(user, Perm.VIEW_AUDIT_LOG):
            links.append(Link(_("Read the audit log"), reverse("admin:audit_auditentry_changelist")))
        if role == console_role:
            links.append(Link(_("Open the counselor console"), reverse("counseling:console")))
        if role == Role.SUPERVISOR:
            links.append(Link(_("See the floor: the queue, the counselors and alerts"), reverse("counseling:floor")))
        if role == numbers_role:
            links.append(Link(_("See the numbers: conversations, waiting times and cost"), reverse("reports:report")))
            links.append(Link(_("Staffing: what the pool needs hour by hour"), reverse("reports:staffing")))
        if role == rota_role and can(user, Perm.VIEW_ROTA):
            label = _("Plan the rota and see its gaps") if can(user, Perm.MANAGE_ROTA) else _("See the rota")
            links.append(Link(label, reverse("rota:week")))
        sections.append(Section(str(role.label), texts[role], links))
    return sections
