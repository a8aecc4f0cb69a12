from django.utils.functional import SimpleLazyObject

from .access import manages_any_trust, regions_visible_to, trusts_visible_to

# More than this and the header links to the first few; admins reach the rest from /admin/.
NAV_LIMIT = 5


def navigation(request):
    """The trusts and regions the user's header links to, queried only if a page shows them."""

    def build():
        user = request.user
        return {
            "trusts": list(trusts_visible_to(user).order_by("name")[:NAV_LIMIT]),
            "regions": list(regions_visible_to(user).order_by("name")[:NAV_LIMIT]),
            "can_audit": manages_any_trust(user),
        }

    return {"nav": SimpleLazyObject(build)}
