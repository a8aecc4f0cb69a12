"""Reads that span relations or feed pages. All ward scoping goes through wards.access."""

from django.db.models import Count, Max, Q, QuerySet

from wards.access import wards_visible_to
from wards.models import Ward

from .models import WeeklyReturn


def ward_list_for_user(user) -> QuerySet[Ward]:
    """The user's wards with their latest submitted week and the number of returns, one query."""
    return (
        wards_visible_to(user)
        .select_related("trust__region")
        .annotate(
            latest_submitted_week=Max(
                "returns__week_start",
                filter=Q(returns__status=WeeklyReturn.Status.SUBMITTED),
            ),
            return_count=Count("returns"),
        )
        .order_by("trust__region__name", "trust__name", "name")
    )
