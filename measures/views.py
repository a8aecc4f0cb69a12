import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_GET, require_http_methods

from mhsip.weeks import is_monday, monday_of, week_end
from wards.access import (
    get_region_for_user,
    get_trust_for_user,
    get_ward_for_user,
)
from wards.models import Ward

from . import exporting, rules
from .completeness import completeness_weeks, ward_weeks
from .errors import ConcurrentEditError, ImplausibleCountError, ReturnRefused
from .forms import MAX_DATE_FIELDS, WeeklyReturnForm
from .models import WeeklyReturn
from .selectors import (
    measures_by_code,
    measures_for_ward,
    measures_required,
    weekly_return_history,
)
from .services import saved_state, weekly_return_record


def _saved_values(weekly_return: WeeklyReturn | None) -> dict:
    if weekly_return is None:
        return {}
    values = {f"m_{code}": count for code, count in weekly_return.counts.values_list(
        "measure__code", "count")}  # fmt: skip
    values["beds"] = weekly_return.beds
    values["occupied_bed_days"] = weekly_return.occupied_bed_days
    return values


def _initial(weekly_return: WeeklyReturn | None, ward: Ward, measures) -> dict:
    if weekly_return is None:
        return {"version": 0, "beds": ward.beds}
    initial = {"version": weekly_return.version, **_saved_values(weekly_return)}
    for measure in measures:
        if initial.get(f"m_{measure.code}") == 0:
            initial[f"none_{measure.code}"] = True
        if measure.code in weekly_return.not_collected:
            initial[f"nc_{measure.code}"] = True
    return initial


def _add_errors(form, error: ReturnRefused) -> None:
    for key, message in error.errors.items():
        form.add_error(form.field_for(key), message)


def _save_return(request, form, ward, week_start):
    """Record the form's return; None when it was refused (the form then holds why)."""
    try:
        return weekly_return_record(
            ward=ward, week_start=week_start, user=request.user,
            counts=form.cleaned_data["counts"],
            occupied_bed_days=form.cleaned_data["occupied_bed_days"],
            beds=form.cleaned_data["beds"], submit=form.submit,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
            confirm_implausible=form.cleaned_data["confirm_implausible"],
            incident_dates=form.cleaned_data["incident_dates"],
            not_collected=form.cleaned_data["not_collected"],
        )  # fmt: skip
    except ImplausibleCountError as error:
        _add_errors(form, error)
        form.add_error(
            "confirm_implausible",
            "Check the counts marked below. If they are right, tick the box to confirm",
        )
        form.implausible = True
    except ReturnRefused as error:
        _add_errors(form, error)
    return None


def _saved_message(ward, week_start, form, saved_return) -> str:
    if form.submit:
        verb = "return submitted"
    elif saved_return.status == WeeklyReturn.Status.SUBMITTED:
        verb = "changes saved; the return stays submitted"
    else:
        verb = "return saved as a draft"
    not_collected = len(form.cleaned_data["not_collected"])
    missing = sum(1 for value in form.cleaned_data["counts"].values() if value is None)
    missing -= not_collected
    note = f" {missing} count{'s' if missing != 1 else ''} left blank (missing)." if missing else ""
    if not_collected:
        note += f" {not_collected} not collected this week."
    return f"{ward.name}, week commencing {dateformat.format(week_start, 'j F Y')}: {verb}.{note}"


@login_required
@require_http_methods(["GET", "POST"])
def weekly_entry(request, ward_id, week_start):
    """The weekly return form: every measure of the ward for one week, draft or submit."""
    ward, can_edit = get_ward_for_user(request.user, ward_id)
    if not is_monday(week_start):
        return redirect("measures:weekly-entry", ward_id=ward.pk, week_start=monday_of(week_start))
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("You can view this ward's data but not change it.")
    weekly_return = (
        WeeklyReturn.objects.select_related("updated_by", "submitted_by")
        .filter(ward=ward, week_start=week_start)
        .first()
    )
    today = timezone.localdate()
    week_problem = rules.week_errors(ward=ward, week_start=week_start, today=today)
    context = {
        "ward": ward, "week_start": week_start, "week_end": week_end(week_start),
        "weekly_return": weekly_return, "can_edit": can_edit,
        "week_problem": week_problem.get("week_start", ""),
        "previous_week": week_start - datetime.timedelta(weeks=1),
        "next_week": week_start + datetime.timedelta(weeks=1),
        "next_week_open": week_start + datetime.timedelta(weeks=1) <= today,
    }  # fmt: skip
    if week_problem:
        return render(request, "measures/weekly_entry.html", context, status=404)

    measures = measures_for_ward(ward)
    form_kwargs = {
        "measures": measures, "ward": ward, "week_start": week_start, "today": today,
        "saved": saved_state(weekly_return), "all_measures": measures_by_code(),
        "submit": "submit" in request.POST,
        "required": measures_required([ward])[ward.pk],
    }  # fmt: skip
    concurrent = ""
    if request.method == "POST":
        form = WeeklyReturnForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                saved_return = _save_return(request, form, ward, week_start)
            except ConcurrentEditError as error:
                form, concurrent = _after_concurrent_edit(request, error, form_kwargs, measures)
                weekly_return = error.weekly_return
            else:
                if saved_return is not None:
                    messages.success(request, _saved_message(ward, week_start, form, saved_return))
                    return redirect(
                        "measures:weekly-entry", ward_id=ward.pk, week_start=week_start
                    )
    else:
        form = WeeklyReturnForm(initial=_initial(weekly_return, ward, measures), **form_kwargs)

    context |= {
        "form": form,
        "concurrent": concurrent,
        "implausible": getattr(form, "implausible", False),
        "history": weekly_return_history(weekly_return) if weekly_return else [],
        "bed_days_limit": (form["beds"].value() or ward.beds),
        "max_date_fields": MAX_DATE_FIELDS,
        # The days a date box offers: the week's, while the ward was open, up to today.
        "first_day": max(week_start, ward.active_from),
        "last_day": min(week_end(week_start), today, ward.active_to or today),
    }
    return render(request, "measures/weekly_entry.html", context)


def _after_concurrent_edit(request, error: ConcurrentEditError, form_kwargs, measures):
    """Keep every typed value, but carry the new version so saving again is a deliberate
    overwrite of what the other person saved; show what is now saved beside each field."""
    data = request.POST.copy()
    data["version"] = str(error.weekly_return.version)
    form_kwargs = {**form_kwargs, "saved": saved_state(error.weekly_return)}
    form = WeeklyReturnForm(data, **form_kwargs)
    form.is_valid()
    now_saved = _saved_values(error.weekly_return)
    form.show_now_saved({
        name: now_saved.get(name)
        for name in ["beds", "occupied_bed_days", *(f"m_{m.code}" for m in measures)]
    })  # fmt: skip
    return form, str(error)


@login_required
@require_GET
def ward_returns(request, ward_id):
    """Every week a ward owes, with its status: the way into any past week."""
    ward, can_edit = get_ward_for_user(request.user, ward_id)
    (weeks,) = ward_weeks([ward], today=timezone.localdate())
    return render(
        request,
        "measures/ward_returns.html",
        {
            "ward": ward,
            "weeks": weeks,
            "can_edit": can_edit,
        },
    )



@login_required
@require_GET
def ward_export(request, ward_id, file_format):
    ward, _ = get_ward_for_user(request.user, ward_id)
    return _export(Ward.objects.filter(pk=ward.pk), file_format, ward.code or f"ward-{ward.pk}")


@login_required
@require_GET
def trust_export(request, trust_id, file_format):
    trust, _ = get_trust_for_user(request.user, trust_id)
    return _export(trust.wards.all(), file_format, trust.ods_code)


@login_required
@require_GET
def ward_incidents_export(request, ward_id, file_format):
    ward, _ = get_ward_for_user(request.user, ward_id)
    return _export(Ward.objects.filter(pk=ward.pk), file_format, ward.code or f"ward-{ward.pk}",
                   incidents_only=True)  # fmt: skip


@login_required
@require_GET
def trust_incidents_export(request, trust_id, file_format):
    trust, _ = get_trust_for_user(request.user, trust_id)
    return _export(trust.wards.all(), file_format, trust.ods_code, incidents_only=True)


def _export(wards, file_format, name, incidents_only=False) -> HttpResponse:
    """Returns (CSV, or a workbook with the incidents sheet beside them), or incidents only."""
    if file_format not in ("csv", "xlsx"):
        raise Http404("No such format.")
    kind = "incidents" if incidents_only else "weekly-returns"
    filename = f"{kind}-{name}-{timezone.localdate():%Y-%m-%d}.{file_format}"
    incidents = exporting.incidents_export_rows(wards=wards)
    rows = None if incidents_only else exporting.returns_export_rows(wards=wards)
    if file_format == "csv":
        return exporting.csv_response(incidents if incidents_only else rows, filename)
    return exporting.xlsx_response(rows, filename, incidents=incidents)


def _completeness(request, *, title, groups, back):
    today = timezone.localdate()
    weeks = completeness_weeks(today)
    rows_by_group = []
    for label, wards in groups:
        rows = ward_weeks(wards, today=today, since=weeks[0])
        rows_by_group.append((label, rows))
    return render(
        request,
        "measures/completeness.html",
        {"title": title, "groups": rows_by_group, "weeks": weeks, "back": back},
    )


@login_required
@require_GET
def trust_completeness(request, trust_id):
    trust, _ = get_trust_for_user(request.user, trust_id)
    return _completeness(
        request,
        title=trust.name,
        groups=[(trust.name, list(trust.wards.all()))],
        back=reverse("home"),
    )


@login_required
@require_GET
def region_completeness(request, region_id):
    region, _ = get_region_for_user(request.user, region_id)
    groups = [
        (trust.name, list(trust.wards.all()))
        for trust in region.trusts.prefetch_related("wards").order_by("name")
    ]
    return _completeness(request, title=region.name, groups=groups, back=reverse("home"))
