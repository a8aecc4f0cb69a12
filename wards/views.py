from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from measures.selectors import ward_list_for_user

from .models import Membership


@login_required
def home(request):
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("ward__trust", "trust", "region")
        .order_by("role")
    )
    return render(
        request,
        "wards/home.html",
        {"memberships": memberships, "wards": ward_list_for_user(request.user)},
    )


@require_GET
def healthz(request):
    """Liveness for load balancers and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
