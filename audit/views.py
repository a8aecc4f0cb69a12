"""Pages about the whole system: the home page (every ward, trust and region the user works
with), the audit log and the health check."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from measures.completeness import ward_weeks
from measures.deletion import deleted_returns_for_user, weekly_return_restore
from measures.errors import ReturnRefused
from measures.models import DeletedReturn
from measures.selectors import ward_list_for_user
from wards.access import (
    can_manage_ward,
    get_managed_trust_for_user,
    get_ward_for_user,
    is_admin,
    manages_any_trust,
    regions_visible_to,
    trusts_managed_by,
    trusts_visible_to,
)
from wards.context_processors import landing
from wards.models import Membership

from .selectors import KINDS, audit_entries_for_user, audit_page_entries

PAGE_SIZE = 50


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
        "audit/home.html",
        {
            "memberships": memberships,
            "wards": ward_weeks(ward_list_for_user(user), today=timezone.localdate()),
            "trusts": trusts_visible_to(user).order_by("name"),
            "regions": regions_visible_to(user),
            "can_import": manages_any_trust(user),
            "managed_trusts": trusts_managed_by(user).order_by("name"),
        },
    )


@login_required
def start(request):
    """Where signing in lands: the page of the user's job (wards.context_processors.landing)."""
    kind, target = landing(request.user)
    if kind == "trust":
        return redirect("spc:trust-matrix", trust_id=target.pk)
    if kind == "region":
        return redirect("spc:region-compare", region_id=target.pk)
    return redirect("switch" if kind == "switch" else "home")


@login_required
def switch(request):
    """Every trust and region the user may open, by region: the header's trust switcher."""
    user = request.user
    trusts = trusts_visible_to(user).select_related("region").order_by("region__name", "name")
    regions = {r.pk: r for r in regions_visible_to(user)}
    groups = {}
    for trust in trusts:
        groups.setdefault(trust.region, []).append(trust)
    return render(request, "audit/switch.html", {
        "groups": [(region, region.pk in regions, items) for region, items in groups.items()],
    })  # fmt: skip


@require_GET
def healthz(request):
    """Liveness for load balancers and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def audit_log(request):
    user = request.user
    if not manages_any_trust(user):
        raise PermissionDenied("The audit log is for trusts' QI leads and admins.")
    trust = None
    trust_id = request.GET.get("trust", "")
    if trust_id.isdigit():
        trust = get_managed_trust_for_user(user, int(trust_id))
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    who = request.GET.get("who", "").strip()[:150]
    since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))
    keys = audit_entries_for_user(user, trust=trust, kind=kind, who=who, since=since, until=until)
    page = Paginator(keys, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.html",
        {
            "page": page,
            "entries": audit_page_entries(list(page.object_list)),
            "trusts": trusts_managed_by(user).order_by("name"),
            "trust": trust,
            "kinds": [(key, spec.label) for key, spec in KINDS.items()],
            "kind": kind,
            "who": who,
            "since": since,
            "until": until,
            "query": query.urlencode(),
            "sees_tokens": is_admin(user),
            "deleted_returns": _deleted_returns(user, trust),
        },
    )


def _deleted_returns(user, trust) -> list:
    rows = deleted_returns_for_user(user)
    if trust is not None:
        rows = rows.filter(ward__trust=trust)
    return [
        {"row": row, "counts": [(c["code"], c["count"]) for c in row.snapshot["counts"]]}
        for row in rows[:PAGE_SIZE]
    ]


@login_required
@require_POST
def deleted_return_restore(request, deleted_id):
    deleted = DeletedReturn.objects.select_related("ward__trust").filter(pk=deleted_id).first()
    if deleted is None:
        raise Http404("No such deleted return.")
    # As every ward-scoped object: out of scope is 404, in scope but not the manager's, 403.
    ward, _ = get_ward_for_user(request.user, deleted.ward_id)
    if not can_manage_ward(request.user, ward):
        raise PermissionDenied("Only the trust's QI lead can restore a deleted return.")
    try:
        weekly_return = weekly_return_restore(deleted=deleted, user=request.user)
    except ReturnRefused as error:
        messages.error(request, " ".join(error.errors.values()))
    else:
        messages.success(request, f"Restored {weekly_return}: its counts are back on the charts.")
    return redirect("audit")
