from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from measures.completeness import ward_weeks
from measures.selectors import ward_list_for_user

from .access import manages_any_trust, regions_visible_to, trusts_visible_to
from .models import Membership


@login_required
def home(request):
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("ward__trust", "trust", "region")
        .order_by("role")
    )
    user = request.user
    return render(
        request,
        "wards/home.html",
        {
            "memberships": memberships,
            "wards": ward_weeks(ward_list_for_user(user), today=timezone.localdate()),
            "trusts": trusts_visible_to(user).order_by("name"),
            "regions": regions_visible_to(user),
            "can_import": manages_any_trust(user),
        },
    )


@require_GET
def healthz(request):
    """Liveness for load balancers and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
