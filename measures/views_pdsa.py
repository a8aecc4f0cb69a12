"""Pages of change ideas and their PDSA cycles: lists per ward and trust, an idea with its
cycles and history, and the forms to record and change them. Access through wards.access
(via the idea's ward): out of scope is 404; those who may change a ward's returns (its ward
staff, the trust's QI lead, admins) may change its change ideas, others only read (403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from wards.access import get_editable_ward_for_user, get_trust_for_user, get_ward_for_user
from wards.models import Ward

from . import pdsa_rules
from .change_ideas import (
    change_idea_create,
    change_idea_update,
    pdsa_cycle_add,
    pdsa_cycle_update,
)
from .forms_pdsa import (
    ChangeIdeaEditForm,
    ChangeIdeaNewForm,
    PdsaCloseForm,
    PdsaCycleForm,
    PdsaCycleNewForm,
)
from .selectors_pdsa import (
    change_idea_for_user,
    change_idea_history,
    change_idea_list,
    cycle_for_user,
    driver_areas,
)


def _list_page(request, *, wards, ward=None, trust=None, can_edit=False):
    areas = driver_areas(wards)
    stage = request.GET.get("stage", "")
    stage = stage if stage in pdsa_rules.STAGES else ""
    area = next((a for a in areas if a.lower() == request.GET.get("driver", "").lower()), "")
    ideas = change_idea_list(wards, stage=stage, driver_area=area)
    return render(request, "measures/change_ideas.html", {
        "ward": ward, "trust": trust or ward.trust, "ideas": ideas, "can_edit": can_edit,
        "stages": pdsa_rules.STAGE_LABELS.items(), "stage": stage, "areas": areas,
        "area": area, "filtered": bool(stage or area),
    })  # fmt: skip


@login_required
@require_GET
def ward_change_ideas(request, ward_id):
    ward, can_edit = get_ward_for_user(request.user, ward_id)
    return _list_page(request, wards=Ward.objects.filter(pk=ward.pk), ward=ward,
                      can_edit=can_edit)  # fmt: skip


@login_required
@require_GET
def trust_change_ideas(request, trust_id):
    trust, _ = get_trust_for_user(request.user, trust_id)
    return _list_page(request, wards=trust.wards.all(), trust=trust)


@login_required
@require_GET
def change_idea_detail(request, idea_id):
    idea, can_edit = change_idea_for_user(request.user, idea_id)
    cycles = list(idea.cycles.all())
    return render(request, "measures/change_idea.html", {
        "idea": idea, "ward": idea.ward, "cycles": cycles, "can_edit": can_edit,
        "measures": list(idea.measures.order_by("display_order", "name")),
        "history": change_idea_history(idea), "open_cycle": next(
            (c for c in cycles if not c.outcome), None),
    })  # fmt: skip


def _add_errors(form, error: ValidationError) -> None:
    for key, problems in error.message_dict.items():
        form.add_error(key if key in form.fields else None, problems[0])


def _form_page(request, form, *, ward, title, button, back, idea=None, cycle=None):
    return render(request, "measures/change_idea_form.html", {
        "form": form, "ward": ward, "title": title, "button": button, "back": back,
        "idea": idea, "cycle": cycle, "owner_roles": pdsa_rules.OWNER_ROLES,
    }, status=400 if form.errors else 200)  # fmt: skip


def _saved(request, form, write, *, done: str):
    """Call the service with the form's values; None (and the form holds why) if refused."""
    try:
        result = write(**form.cleaned_data)
    except ValidationError as error:
        _add_errors(form, error)
        return None
    messages.success(request, done)
    return result


@login_required
@require_http_methods(["GET", "POST"])
def change_idea_new(request, ward_id):
    ward = get_editable_ward_for_user(request.user, ward_id)
    form = ChangeIdeaNewForm(request.POST or None, ward=ward)
    if request.method == "POST" and form.is_valid():
        def write(**values):
            return change_idea_create(ward=ward, user=request.user, **values)

        idea = _saved(request, form, write, done="Change idea recorded with its first PDSA "
                      "cycle: it shows on the charts of the measures it targets.")  # fmt: skip
        if idea:
            return redirect("measures:change-idea", idea_id=idea.pk)
    return _form_page(request, form, ward=ward, title=f"{ward.name}: a new change idea",
                      button="Record change idea",
                      back=("measures:ward-change-ideas", ward.pk))  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def change_idea_edit(request, idea_id):
    idea, _ = change_idea_for_user(request.user, idea_id, write=True)
    initial = {"title": idea.title, "started_on": idea.started_on,
               "driver_area": idea.driver_area, "notes": idea.notes,
               "measures": list(idea.measures.values_list("code", flat=True))}  # fmt: skip
    form = ChangeIdeaEditForm(request.POST or None, idea=idea, initial=initial)
    if request.method == "POST" and form.is_valid():
        def write(**values):
            return change_idea_update(idea=idea, user=request.user, **values)

        if _saved(request, form, write, done="Change idea saved."):
            return redirect("measures:change-idea", idea_id=idea.pk)
    return _form_page(request, form, ward=idea.ward, title=f"Change: {idea.title}",
                      button="Save change idea", back=("measures:change-idea", idea.pk),
                      idea=idea)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def pdsa_cycle_new(request, idea_id):
    idea, _ = change_idea_for_user(request.user, idea_id, write=True)
    last = idea.latest_cycle
    initial = {"owner_role": last.owner_role if last else ""}
    form = PdsaCycleNewForm(request.POST or None, idea=idea, initial=initial)
    if request.method == "POST" and form.is_valid():
        def write(**values):
            return pdsa_cycle_add(idea=idea, user=request.user, **values)

        if cycle := _saved(request, form, write, done="New PDSA cycle recorded."):
            return _to_cycle(idea.pk, cycle.number)
    return _form_page(request, form, ward=idea.ward, title=f"{idea.title}: the next PDSA cycle",
                      button="Record cycle", back=("measures:change-idea", idea.pk),
                      idea=idea)  # fmt: skip


def _to_cycle(idea_id, number):
    return redirect(reverse("measures:change-idea", args=[idea_id]) + f"#cycle-{number}")


def _cycle_initial(cycle, fields) -> dict:
    return {f: getattr(cycle, f) for f in fields}


@login_required
@require_http_methods(["GET", "POST"])
def pdsa_cycle_edit(request, idea_id, number):
    cycle = cycle_for_user(request.user, idea_id, number, write=True)
    form = PdsaCycleForm(request.POST or None, cycle=cycle,
                         initial=_cycle_initial(cycle, PdsaCycleForm.field_order))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        def write(**values):
            return pdsa_cycle_update(cycle=cycle, user=request.user, **values)

        if _saved(request, form, write, done=f"PDSA cycle {cycle.number} saved."):
            return _to_cycle(idea_id, cycle.number)
    return _form_page(request, form, ward=cycle.idea.ward,
                      title=f"{cycle.idea.title}: PDSA cycle {cycle.number}",
                      button="Save cycle", back=("measures:change-idea", idea_id),
                      idea=cycle.idea, cycle=cycle)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def pdsa_cycle_close(request, idea_id, number):
    cycle = cycle_for_user(request.user, idea_id, number, write=True)
    form = PdsaCloseForm(request.POST or None, cycle=cycle,
                         initial=_cycle_initial(cycle, PdsaCloseForm.field_order))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        def write(**values):
            return pdsa_cycle_update(cycle=cycle, user=request.user, **values)

        if _saved(request, form, write, done=f"PDSA cycle {cycle.number} closed."):
            return _to_cycle(idea_id, cycle.number)
    return _form_page(request, form, ward=cycle.idea.ward,
                      title=f"{cycle.idea.title}: close PDSA cycle {cycle.number}",
                      button="Close cycle", back=("measures:change-idea", idea_id),
                      idea=cycle.idea, cycle=cycle)  # fmt: skip
