"""Who may see or change what. Every ward-, trust- and region-scoped query goes through here.

- Ward staff: see and enter data for the wards they are members of.
- QI lead: see and change everything in one trust (wards, returns, baselines, members).
- PSC facilitator: read everything in one region; change nothing.
- Admin (an admin membership or a Django superuser): everything.

Out-of-scope objects are 404 (their existence is not revealed); in-scope but read-only is 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Membership, Region, Trust, Ward

Role = Membership.Role


def is_admin(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    # Asked several times per page; remembered on the request's user object.
    if not hasattr(user, "_mhsip_is_admin"):
        user._mhsip_is_admin = Membership.objects.filter(user=user, role=Role.ADMIN).exists()
    return user._mhsip_is_admin


def _scope_ids(user, role, field):
    return Membership.objects.filter(user=user, role=role).values(f"{field}_id")


def wards_visible_to(user) -> QuerySet[Ward]:
    if not user.is_authenticated:
        return Ward.objects.none()
    if is_admin(user):
        return Ward.objects.all()
    return Ward.objects.filter(
        Q(pk__in=_scope_ids(user, Role.WARD_STAFF, "ward"))
        | Q(trust_id__in=_scope_ids(user, Role.QI_LEAD, "trust"))
        | Q(trust__region_id__in=_scope_ids(user, Role.FACILITATOR, "region"))
    )


def wards_editable_by(user) -> QuerySet[Ward]:
    """Wards whose returns the user may enter or change (facilitators only read)."""
    if not user.is_authenticated:
        return Ward.objects.none()
    if is_admin(user):
        return Ward.objects.all()
    return Ward.objects.filter(
        Q(pk__in=_scope_ids(user, Role.WARD_STAFF, "ward"))
        | Q(trust_id__in=_scope_ids(user, Role.QI_LEAD, "trust"))
    )


def trusts_visible_to(user) -> QuerySet[Trust]:
    """Trusts whose trust-level views (matrix, completeness, aggregate charts) the user may see."""
    if not user.is_authenticated:
        return Trust.objects.none()
    if is_admin(user):
        return Trust.objects.all()
    return Trust.objects.filter(
        Q(pk__in=_scope_ids(user, Role.QI_LEAD, "trust"))
        | Q(region_id__in=_scope_ids(user, Role.FACILITATOR, "region"))
    )


def trusts_managed_by(user) -> QuerySet[Trust]:
    """Trusts whose wards, baselines, annotations and members the user may change."""
    if not user.is_authenticated:
        return Trust.objects.none()
    if is_admin(user):
        return Trust.objects.all()
    return Trust.objects.filter(pk__in=_scope_ids(user, Role.QI_LEAD, "trust"))


def regions_visible_to(user) -> QuerySet[Region]:
    if not user.is_authenticated:
        return Region.objects.none()
    if is_admin(user):
        return Region.objects.all()
    return Region.objects.filter(pk__in=_scope_ids(user, Role.FACILITATOR, "region"))


def get_ward_for_user(user, ward_id) -> Ward:
    ward = wards_visible_to(user).select_related("trust__region").filter(pk=ward_id).first()
    if ward is None:
        raise Http404("No such ward.")
    return ward


def get_editable_ward_for_user(user, ward_id) -> Ward:
    ward = get_ward_for_user(user, ward_id)
    if not wards_editable_by(user).filter(pk=ward.pk).exists():
        raise PermissionDenied("You can view this ward's data but not change it.")
    return ward


def get_managed_ward_for_user(user, ward_id) -> Ward:
    """A ward whose chart settings, baselines and members the user may change (QI lead)."""
    ward = get_ward_for_user(user, ward_id)
    if not trusts_managed_by(user).filter(pk=ward.trust_id).exists():
        raise PermissionDenied("Only the trust's QI lead can change this ward's chart settings.")
    return ward


def get_trust_for_user(user, trust_id) -> Trust:
    trust = trusts_visible_to(user).select_related("region").filter(pk=trust_id).first()
    if trust is None:
        raise Http404("No such trust.")
    return trust


def get_managed_trust_for_user(user, trust_id) -> Trust:
    trust = get_trust_for_user(user, trust_id)
    if not trusts_managed_by(user).filter(pk=trust.pk).exists():
        raise PermissionDenied("You can view this trust but not change it.")
    return trust


def get_region_for_user(user, region_id) -> Region:
    region = regions_visible_to(user).filter(pk=region_id).first()
    if region is None:
        raise Http404("No such region.")
    return region
