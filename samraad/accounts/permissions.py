"""The one place that answers "may this person do this to that object".

Views, the API, the admin and the WebSocket consumers all ask here. Objects are fetched through
`get_<thing>_for(user, id)`, which answers 404 alike for "does not exist" and "not yours", so an
outsider cannot learn which ids exist.
"""

from __future__ import annotations

import enum
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from samraad.accounts.models import Organisation, Role, User


class Perm(enum.StrEnum):
    SEE_STAFF_PAGES = "see_staff_pages"
    VIEW_ORGANISATION = "view_organisation"
    ADMINISTER_ORGANISATION = "administer_organisation"
    ADMINISTER_STAFF_MEMBER = "administer_staff_member"
    VIEW_AUDIT_LOG = "view_audit_log"
    VIEW_NUMBERS = "view_numbers"
    USE_CONSOLE = "use_console"
    SUPERVISE = "supervise"
    VIEW_ROTA = "view_rota"
    MANAGE_ROTA = "manage_rota"
    PLACE_LEGAL_HOLD = "place_legal_hold"


def is_staff_member(user: Any) -> bool:
    """An active, signed-in person who belongs to an organisation (or runs the platform)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.organisation_id)


def _in_central_service(user: User) -> bool:
    return user.organisation is not None and user.organisation.is_central


def can(user: Any, perm: Perm, obj: Model | None = None) -> bool:
    """Returns whether `user` may do `perm`, to `obj` where the permission concerns an object."""
    if not is_staff_member(user):
        return False
    if user.is_superuser:
        return True
    match perm:
        case Perm.SEE_STAFF_PAGES:
            return True
        case Perm.VIEW_ORGANISATION:
            return isinstance(obj, Organisation) and obj.pk == user.organisation_id
        case Perm.ADMINISTER_ORGANISATION:
            if obj is None:
                return user.has_role(Role.ADMIN)
            return isinstance(obj, Organisation) and obj.pk == user.organisation_id and user.has_role(Role.ADMIN)
        case Perm.ADMINISTER_STAFF_MEMBER:
            if obj is None:
                return user.has_role(Role.ADMIN)
            return (
                isinstance(obj, User)
                and obj.organisation_id == user.organisation_id
                and not obj.is_superuser
                and user.has_role(Role.ADMIN)
            )
        case Perm.VIEW_AUDIT_LOG:
            return user.has_role(Role.ADMIN)
        case Perm.VIEW_NUMBERS:
            # A municipality's coordinator sees its own numbers; the central service, which runs
            # the pool, sees every municipality's: its coordinators and its supervisors.
            central = _in_central_service(user)
            if not (user.has_role(Role.COORDINATOR) or (central and user.has_role(Role.SUPERVISOR))):
                return False
            if central:
                return obj is None or isinstance(obj, Organisation)
            if user.organisation.kind != Organisation.Kind.MUNICIPALITY:
                return False
            return obj is None or (isinstance(obj, Organisation) and obj.pk == user.organisation_id)
        case Perm.USE_CONSOLE:
            return user.has_role(Role.COUNSELOR, Role.SUPERVISOR)
        case Perm.SUPERVISE:
            # The central service's supervisors supervise the whole pool; a municipality's own
            # supervisor its own counselors' and its own young people's conversations.
            if not user.has_role(Role.SUPERVISOR):
                return False
            if obj is None or _in_central_service(user):
                return True
            if obj._meta.label != "counseling.Conversation":
                return False
            counselor = getattr(obj, "counselor", None)
            return user.organisation_id in (
                getattr(obj, "municipality_id", None),
                counselor.organisation_id if counselor is not None else None,
            )
        case Perm.VIEW_ROTA:
            # The rota is national: everyone who answers the chat sees it, and the coordinators of
            # the organisations that take part in it.
            if user.has_role(Role.COUNSELOR, Role.SUPERVISOR):
                return True
            organisation = user.organisation
            return user.has_role(Role.COORDINATOR) and (organisation.is_central or organisation.participating)
        case Perm.MANAGE_ROTA:
            # As supervision: the central service plans everyone's shifts, a municipality's
            # supervisor those of its own staff.
            if not user.has_role(Role.SUPERVISOR):
                return False
            if obj is None or _in_central_service(user):
                return True
            return isinstance(obj, User) and obj.organisation_id == user.organisation_id
        case Perm.PLACE_LEGAL_HOLD:
            # A hold keeps a conversation's words past retention (docs/security.md). Coordinators
            # and administrators of the organisations it concerns place and lift it: the young
            # person's municipality, which may report to the authorities, and the organisation
            # that answered, which may receive a complaint.
            if not user.has_role(Role.COORDINATOR, Role.ADMIN):
                return False
            if obj is None:
                return True
            if obj._meta.label != "counseling.Conversation":
                return False
            return user.organisation_id in (getattr(obj, "municipality_id", None), getattr(obj, "answered_by_id", None))
    return False


def supervises_pool(user: Any) -> bool:
    """Whether `user` supervises every conversation of the shared service (the central service's
    supervisors and the platform's operators), not only their own organisation's."""
    return can(user, Perm.SUPERVISE) and (user.is_superuser or _in_central_service(user))


def supervised_organisation_id(user: Any) -> uuid.UUID | None:
    """The organisation whose conversations a municipality's supervisor supervises; None for one
    who supervises the pool (see `supervises_pool`)."""
    return None if supervises_pool(user) else user.organisation_id


def conversations_supervised_by(user: Any) -> Q:
    """A filter of the conversations `user` supervises: all for the pool's supervisors; for a
    municipality's supervisor those of its young people and those its counselors hold."""
    if not can(user, Perm.SUPERVISE):
        return Q(pk__in=[])
    if supervises_pool(user):
        return Q()
    return Q(municipality_id=user.organisation_id) | Q(counselor__organisation_id=user.organisation_id)


def staff_planned_by(user: Any) -> Q:
    """A filter of the staff whose shifts `user` may plan (see `Perm.MANAGE_ROTA`)."""
    if not can(user, Perm.MANAGE_ROTA):
        return Q(pk__in=[])
    if user.is_superuser or _in_central_service(user):
        return Q()
    return Q(organisation_id=user.organisation_id)


# Roles whose reach is the shared counseling service: the pool's young people and its queue. Only
# an organisation that takes part in the service holds them.
_COUNSELING_ROLES = frozenset({Role.COUNSELOR, Role.SUPERVISOR})
# Roles whose reach is the organisation itself: its own people, records and numbers.
_OWN_ROLES = frozenset({Role.ADMIN, Role.CASEWORKER, Role.DROP_IN_STAFF, Role.CARE_STAFF})


def roles_allowed_in(organisation: Organisation | None) -> frozenset[str]:
    """The roles a member of `organisation` may hold. A role never reaches past the organisation
    except into the shared service it has joined: counselors and supervisors only in the central
    service and participating municipalities, coordinators only where there are numbers to read."""
    if organisation is None:
        return frozenset()
    roles = set(_OWN_ROLES)
    if organisation.is_central or organisation.kind == Organisation.Kind.MUNICIPALITY:
        roles.add(Role.COORDINATOR)
    if organisation.is_central or (organisation.kind == Organisation.Kind.MUNICIPALITY and organisation.participating):
        roles |= _COUNSELING_ROLES
    return frozenset(roles)


def grantable_roles(granter: Any, grantee: User) -> frozenset[str]:
    """The roles `granter` may give `grantee`: none unless they administer them (an
    organisation's administrator administers its own staff only), and then the roles allowed in
    the grantee's organisation. A supervisor's reach follows the organisation (`Perm.SUPERVISE`),
    so supervision of the whole pool is given only by the central service's administrators and
    the platform's operators."""
    if not can(granter, Perm.ADMINISTER_STAFF_MEMBER, grantee):
        return frozenset()
    return roles_allowed_in(grantee.organisation)


def organisations_visible_to(user: Any) -> QuerySet[Organisation]:
    """Organisations whose internal settings `user` may see."""
    if not is_staff_member(user):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk=user.organisation_id)


def staff_administered_by(user: Any) -> QuerySet[User]:
    """Staff accounts `user` may administer."""
    if not can(user, Perm.ADMINISTER_STAFF_MEMBER):
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    return User.objects.filter(organisation_id=user.organisation_id, is_superuser=False)


def get_staff_member_for(user: Any, staff_id: int | str) -> User:
    """Returns the staff member if `user` administers them; 404 whether missing or not theirs."""
    try:
        return staff_administered_by(user).select_related("organisation").get(pk=staff_id)
    except (User.DoesNotExist, ValidationError, ValueError, TypeError) as error:
        raise Http404 from error


def get_organisation_for(user: Any, organisation_id: uuid.UUID | str) -> Organisation:
    """Returns the organisation if `user` may see it; 404 whether it is missing or not theirs."""
    try:
        return organisations_visible_to(user).get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValidationError, ValueError, TypeError) as error:
        raise Http404 from error


def sees_every_municipality(user: Any) -> bool:
    """Whether `user` may compare the numbers of all municipalities (the central service)."""
    return can(user, Perm.VIEW_NUMBERS) and (user.is_superuser or _in_central_service(user))


def get_reported_municipality_for(user: Any, code: str | None) -> Organisation | None:
    """Returns the municipality whose numbers `user` asked for by its code, their own if they
    chose none and may not see all, or None for all municipalities. Answers 404 alike for a code
    that does not exist and a municipality that is not theirs; 403 if they may see no numbers."""
    if not can(user, Perm.VIEW_NUMBERS):
        raise PermissionDenied
    if not code:
        return None if sees_every_municipality(user) else user.organisation
    if not (len(code) == 4 and code.isascii() and code.isdigit()):
        # Not a municipality code at all (PostgreSQL refuses a NUL in a query outright).
        raise Http404
    municipality = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, municipality_code=code).first()
    if municipality is None or not can(user, Perm.VIEW_NUMBERS, municipality):
        raise Http404
    return municipality
