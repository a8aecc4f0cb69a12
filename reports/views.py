"""Board packs (ask, watch, download), the reminder schedule, the log of emails, and the
unsubscribe link. Packs and their files are the requesting user's only: anyone else, 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from wards.access import get_managed_trust_for_user, get_region_for_user, get_trust_for_user

from . import mail, services
from .content import PackError
from .forms import PackForm, ScheduleForm
from .models import BoardPack, Kind, SentMessage
from .schedules import schedule_for, second_weekday

FILES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
}


def _packs_page(request, scope, field):
    form = PackForm(request.POST or None, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            pack = services.board_pack_request(
                scope=scope, month=form.cleaned_data["month"], user=request.user
            )
        except PackError as error:
            form.add_error("month", str(error))
        else:
            return redirect("reports:pack", pack_id=pack.pk)
    packs = BoardPack.objects.filter(requested_by=request.user, **{field: scope}).defer(
        "pptx", "pdf"
    )[:20]
    return render(request, "reports/packs.html", {
        "scope": scope, "field": field, "form": form, "packs": packs,
    }, status=400 if form.errors else 200)  # fmt: skip


@login_required
def trust_packs(request, trust_id):
    trust, _ = get_trust_for_user(request.user, trust_id)
    return _packs_page(request, trust, "trust")


@login_required
def region_packs(request, region_id):
    region, _ = get_region_for_user(request.user, region_id)
    return _packs_page(request, region, "region")


def _own_pack(request, pack_id, *fields):
    pack = get_object_or_404(
        BoardPack.objects.select_related("trust", "region").defer(*fields),
        pk=pack_id, requested_by=request.user,
    )  # fmt: skip
    # Still allowed to see the trust or region (a membership may have ended since).
    if pack.trust_id:
        get_trust_for_user(request.user, pack.trust_id)
    else:
        get_region_for_user(request.user, pack.region_id)
    return pack


@login_required
def pack(request, pack_id):
    pack = _own_pack(request, pack_id, "pptx", "pdf")
    notice = pack.messages.filter(kind=Kind.PACK_READY).first()
    return render(request, "reports/pack.html", {"pack": pack, "notice": notice})


@login_required
def pack_file(request, pack_id, fmt):
    if fmt not in FILES:
        raise Http404("No such file.")
    pack = _own_pack(request, pack_id, *({"pptx", "pdf"} - {fmt}))
    data = getattr(pack, fmt)
    if pack.status != BoardPack.Status.READY or not data:
        raise Http404("This pack's files are not available.")
    response = HttpResponse(bytes(data), content_type=FILES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{pack.filename}.{fmt}"'
    return response


@login_required
def schedule(request, trust_id):
    trust = get_managed_trust_for_user(request.user, trust_id)
    current = schedule_for(trust)
    form = ScheduleForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            saved.trust, saved.updated_by = trust, request.user
            saved.full_clean()
            saved.save()
        messages.success(request, "Reminder and digest times saved.")
        return redirect("reports:schedule", trust_id=trust.pk)
    history = current.history.select_related("history_user")[:20] if current.pk else []
    return render(request, "reports/schedule.html", {
        "trust": trust, "form": form, "history": history,
        "second_day": dict(form.fields["first_weekday"].choices).get(second_weekday(current)),
    }, status=400 if form.errors else 200)  # fmt: skip


@login_required
def sent_messages(request, trust_id):
    trust = get_managed_trust_for_user(request.user, trust_id)
    rows = SentMessage.objects.filter(trust=trust).select_related("user").defer("body", "signals")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "reports/messages.html", {"trust": trust, "page": page})


@csrf_exempt  # the signed token is the authority; mail clients' one-click POST has no cookie
def unsubscribe(request, token):
    found = mail.read_unsubscribe_token(token)
    if found is None:
        raise Http404("This unsubscribe link is not valid.")
    user_id, kind = found
    done = False
    if request.method == "POST":
        mail.unsubscribe(user_id=user_id, kind=kind)
        done = True
    return render(request, "reports/unsubscribe.html",
                  {"kind": Kind(kind), "done": done, "token": token})  # fmt: skip
