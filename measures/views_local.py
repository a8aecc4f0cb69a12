"""A trust's local measures: list, add, edit and retire (the trust's QI lead; facilitators
read the list). Ward staff of the trust are refused (403), anyone else sees no such trust
(404): wards.access.get_trust_for_member."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wards.access import get_trust_for_member

from .local_measures import (
    LocalMeasureForm,
    local_measure_create,
    local_measure_retire,
    local_measure_update,
    local_measures_of,
)
from .models import Measure


def _local_measure(trust, code) -> Measure:
    measure = Measure.objects.select_related("local").filter(code=code, local__trust=trust).first()
    if measure is None:
        raise Http404("No such local measure in this trust.")
    return measure


@login_required
def local_measure_list(request, trust_id):
    trust, can_manage = get_trust_for_member(request.user, trust_id)
    return render(request, "measures/local_measures.html", {
        "trust": trust, "measures": local_measures_of(trust), "can_manage": can_manage,
    })  # fmt: skip


def _form_page(request, trust, form, measure=None, status=200):
    history = measure.history.select_related("history_user")[:20] if measure else []
    local_history = measure.local.history.select_related("history_user")[:20] if measure else []
    return render(request, "measures/local_measure_form.html", {
        "trust": trust, "form": form, "measure": measure, "history": history,
        "local_history": local_history,
    }, status=status)  # fmt: skip


@login_required
def local_measure_add(request, trust_id):
    trust, _ = get_trust_for_member(request.user, trust_id, manage=True)
    form = LocalMeasureForm(request.POST or None, trust=trust)
    if request.method == "POST" and form.is_valid():
        measure = local_measure_create(trust=trust, user=request.user,
                                       fields=form.measure_fields(), target=form.target(),
                                       wards=form.cleaned_data["wards"])  # fmt: skip
        messages.success(request, f"Local measure '{measure.name}' added: its wards see it in "
                         "their weekly return form.")  # fmt: skip
        return redirect("measures:local-measures", trust_id=trust.pk)
    return _form_page(request, trust, form, status=400 if form.errors else 200)


@login_required
def local_measure_edit(request, trust_id, measure_code):
    trust, _ = get_trust_for_member(request.user, trust_id, manage=True)
    measure = _local_measure(trust, measure_code)
    form = LocalMeasureForm(request.POST or None, instance=measure, trust=trust)
    if request.method == "POST" and form.is_valid():
        local_measure_update(measure=measure, fields=form.measure_fields(),
                             target=form.target(), wards=form.cleaned_data["wards"])  # fmt: skip
        messages.success(request, f"Local measure '{measure.name}' saved.")
        return redirect("measures:local-measures", trust_id=trust.pk)
    return _form_page(request, trust, form, measure, status=400 if form.errors else 200)


@login_required
@require_POST
def local_measure_retire_view(request, trust_id, measure_code):
    trust, _ = get_trust_for_member(request.user, trust_id, manage=True)
    measure = _local_measure(trust, measure_code)
    local_measure_retire(measure=measure)
    messages.success(request, f"Local measure '{measure.name}' retired: it has left the weekly "
                     "form; its counts and charts stay.")  # fmt: skip
    return redirect("measures:local-measures", trust_id=trust.pk)
