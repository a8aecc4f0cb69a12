from django.utils.functional import SimpleLazyObject

from .access import manages_any_trust, regions_visible_to, trusts_visible_to
from .models import Membership

Role = Membership.Role


def navigation(request):
    """What the header links to: the user's one trust and one region by name, or "Trusts" and
    "Regions" (the switcher page) when there are several, so the header never lists them all.
    Queried only if a page shows them (two queries of at most two rows)."""

    def build():
        user = request.user
        trusts = list(trusts_visible_to(user).order_by("name")[:2])
        regions = list(regions_visible_to(user).order_by("name")[:2])
        return {
            "trust": trusts[0] if len(trusts) == 1 else None,
            "many_trusts": len(trusts) > 1,
            "region": regions[0] if len(regions) == 1 else None,
            "many_regions": len(regions) > 1,
            "can_audit": manages_any_trust(user),
        }

    return {"nav": SimpleLazyObject(build)}


def landing(user) -> tuple[str, object | None]:
    """The page of the user's job after signing in, as ("trust" | "region", the object) or
    ("switch", None) when they hold several, or ("home", None): ward staff (and admins) land
    on their wards' returns, a QI lead on the trust matrix, a facilitator on the region."""
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    if user.is_superuser or Role.ADMIN in roles:
        return ("home", None)
    for role, kind, visible in ((Role.QI_LEAD, "trust", trusts_visible_to),
                                (Role.FACILITATOR, "region", regions_visible_to)):  # fmt: skip
        if role in roles:
            found = list(visible(user).order_by("name")[:2])
            return (kind, found[0]) if len(found) == 1 else ("switch", None)
    return ("home", None)
