"""Who may see or change what. Every ward-, trust- and region-scoped query goes through here.

One table, `ROLE_TABLE`, says for each role where it applies (the membership's scope field:
a ward, a trust, a region, or everything) and what it may do there:

- read: see the data (dashboards, returns, exports);
- write: enter and change returns and change ideas;
- manage: chart settings, baselines, phase breaks, imports, members and the audit log.

Scopes nest (ward ⊂ trust ⊂ region ⊂ everything): a trust-level page (matrix, completeness,
aggregate charts) is visible to a role whose scope holds the whole trust, so ward staff see
their wards but not their trust's pages. A Django superuser may do everything.

Out-of-scope objects are 404 (their existence is not revealed); in-scope but not writable is
403. The object helpers return `(object, can_write)` so a view never asks twice.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Membership, Region, Trust, Ward

Role = Membership.Role


@dataclass(frozen=True)
class RoleAccess:
    scope: str | None  # the Membership field naming where the role applies; None: everywhere
    read: bool
    write: bool
    manage: bool


# Adding a role is one row here (plus its choice and the membership's scope constraint).
ROLE_TABLE = {
    Role.WARD_STAFF: RoleAccess(Membership.SCOPE_FIELD[Role.WARD_STAFF], True, True, False),
    Role.QI_LEAD: RoleAccess(Membership.SCOPE_FIELD[Role.QI_LEAD], True, True, True),
    Role.FACILITATOR: RoleAccess(Membership.SCOPE_FIELD[Role.FACILITATOR], True, False, False),
    Role.ADMIN: RoleAccess(Membership.SCOPE_FIELD[Role.ADMIN], True, True, True),
}
FLAGS = ("read", "write", "manage")

# How an object of each level names each scope that can hold it.
LOOKUPS = {
    Ward: {"ward": "pk", "trust": "trust_id", "region": "trust__region_id"},
    Trust: {"trust": "pk", "region": "region_id"},
    Region: {"region": "pk"},
}


def _memberships(user) -> list[tuple[str, int | None, int | None, int | None]]:
    """(role, ward id, trust id, region id) of the user's memberships, one query per request:
    remembered on the request's user object."""
    if not hasattr(user, "_mhsip_memberships"):
        user._mhsip_memberships = list(
            Membership.objects.filter(user=user).values_list(
                "role", "ward_id", "trust_id", "region_id"
            )
        )
    return user._mhsip_memberships


def _everywhere(user, flag: str) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(
        ROLE_TABLE[role].scope is None and getattr(ROLE_TABLE[role], flag)
        for role, *_ in _memberships(user)
    )


def is_admin(user) -> bool:
    return _everywhere(user, "manage")


def _within(user, model, flag: str) -> QuerySet:
    """The objects of `model` inside a scope where the user has `flag`."""
    if not user.is_authenticated:
        return model.objects.none()
    if _everywhere(user, flag):
        return model.objects.all()
    condition = Q(pk__in=[])
    for role, rule in ROLE_TABLE.items():
        lookup = LOOKUPS[model].get(rule.scope)
        if lookup is None or not getattr(rule, flag):
            continue
        scope_ids = Membership.objects.filter(user=user, role=role).values(f"{rule.scope}_id")
        condition |= Q(**{f"{lookup}__in": scope_ids})
    return model.objects.filter(condition)


def _grants(user, flag: str, *, ward_id=None, trust_id=None, region_id=None) -> bool:
    """Whether a membership of the user with `flag` holds this object (its own id and those
    of the trust and region it belongs to), without a query beyond the memberships."""
    if _everywhere(user, flag):
        return True
    if not user.is_authenticated:
        return False
    target = {"ward": ward_id, "trust": trust_id, "region": region_id}
    for role, ward, trust, region in _memberships(user):
        rule = ROLE_TABLE[role]
        held = {"ward": ward, "trust": trust, "region": region}.get(rule.scope)
        if getattr(rule, flag) and held is not None and held == target.get(rule.scope):
            return True
    return False


def wards_visible_to(user) -> QuerySet[Ward]:
    return _within(user, Ward, "read")


def wards_editable_by(user) -> QuerySet[Ward]:
    """Wards whose returns the user may enter or change (facilitators only read)."""
    return _within(user, Ward, "write")


def trusts_visible_to(user) -> QuerySet[Trust]:
    """Trusts whose trust-level views (matrix, completeness, aggregate charts) the user may see."""
    return _within(user, Trust, "read")


def trusts_managed_by(user) -> QuerySet[Trust]:
    """Trusts whose wards, baselines, annotations, imports and members the user may change."""
    return _within(user, Trust, "manage")


def regions_visible_to(user) -> QuerySet[Region]:
    return _within(user, Region, "read")


def manages_any_trust(user) -> bool:
    """May import returns, bulk-upload through the API and read an audit log (QI leads for
    their trust, admins for all)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(ROLE_TABLE[role].manage for role, *_ in _memberships(user))


def _ward_ids(ward: Ward) -> dict:
    return {"ward_id": ward.pk, "trust_id": ward.trust_id, "region_id": ward.trust.region_id}


def get_ward_for_user(user, ward_id) -> tuple[Ward, bool]:
    """The ward and whether the user may change its returns; 404 when out of scope."""
    ward = Ward.objects.select_related("trust__region").filter(pk=ward_id).first()
    if ward is None or not _grants(user, "read", **_ward_ids(ward)):
        raise Http404("No such ward.")
    return ward, _grants(user, "write", **_ward_ids(ward))


def get_editable_ward_for_user(user, ward_id) -> Ward:
    ward, can_write = get_ward_for_user(user, ward_id)
    if not can_write:
        raise PermissionDenied("You can view this ward's data but not change it.")
    return ward


def can_manage_ward(user, ward: Ward) -> bool:
    return _grants(user, "manage", **_ward_ids(ward))


def get_managed_ward_for_user(user, ward_id) -> Ward:
    """A ward whose chart settings, baselines and members the user may change (QI lead)."""
    ward, _ = get_ward_for_user(user, ward_id)
    if not can_manage_ward(user, ward):
        raise PermissionDenied("Only the trust's QI lead can change this ward's chart settings.")
    return ward


def get_trust_for_user(user, trust_id) -> tuple[Trust, bool]:
    """The trust and whether the user manages it; 404 unless its trust-level pages are
    visible to the user."""
    trust = Trust.objects.select_related("region").filter(pk=trust_id).first()
    ids = {"trust_id": trust_id, "region_id": trust.region_id} if trust else {}
    if trust is None or not _grants(user, "read", **ids):
        raise Http404("No such trust.")
    return trust, _grants(user, "manage", **ids)


def get_managed_trust_for_user(user, trust_id) -> Trust:
    trust, can_manage = get_trust_for_user(user, trust_id)
    if not can_manage:
        raise PermissionDenied("You can view this trust but not change it.")
    return trust


def is_inside_trust(user, trust: Trust) -> bool:
    """Whether the user works in the trust (a membership of the trust or one of its wards):
    small numbers of the trust's breakdowns are shown only to them (equity/)."""
    return any(
        trust_id == trust.pk or (ward_id and Ward.objects.filter(pk=ward_id, trust=trust).exists())
        for _, ward_id, trust_id, _ in _memberships(user)
    )


def get_region_for_user(user, region_id) -> tuple[Region, bool]:
    """The region and whether the user may change it (admins); 404 when out of scope."""
    region = Region.objects.filter(pk=region_id).first()
    if region is None or not _grants(user, "read", region_id=region_id):
        raise Http404("No such region.")
    return region, _grants(user, "manage", region_id=region_id)


def get_scope_for_user(user, scope: str, scope_id: int | None):
    """The ward, trust or region a chart or comparison belongs to, through the rules above
    (404 when out of scope); None for the national scope, which names no ward and which every
    signed-in user may read."""
    if scope == "national" and not scope_id:
        return None
    getters = {"ward": get_ward_for_user, "trust": get_trust_for_user,
               "region": get_region_for_user}  # fmt: skip
    if scope not in getters or not scope_id:
        raise Http404(f"No such {scope if scope in getters else 'chart'}.")
    return getters[scope](user, scope_id)[0]


def get_trust_for_member(user, trust_id, *, manage: bool = False) -> tuple[Trust, bool]:
    """A trust's own pages that its ward staff know exist (its local measures): the trust and
    whether the user manages it. 404 when the user has nothing in the trust; 403 for ward
    staff of its wards (they read their wards, not the trust's pages) and, when `manage`, for
    those who only read it (facilitators)."""
    trust = Trust.objects.select_related("region").filter(pk=trust_id).first()
    if trust is None:
        raise Http404("No such trust.")
    ids = {"trust_id": trust.pk, "region_id": trust.region_id}
    can_manage = _grants(user, "manage", **ids)
    if can_manage or (not manage and _grants(user, "read", **ids)):
        return trust, can_manage
    if _grants(user, "read", **ids) or wards_visible_to(user).filter(trust_id=trust.pk).exists():
        raise PermissionDenied("Only the trust's QI lead can change the trust's own measures.")
    raise Http404("No such trust.")
