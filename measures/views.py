import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mhsip.weeks import monday_of
from wards.access import (
    get_region_for_user,
    get_trust_for_user,
    get_ward_for_user,
    manages_any_trust,
    wards_editable_by,
)
from wards.models import Ward

from . import exporting
from .completeness import completeness_weeks, ward_weeks
from .forms import ReturnImportForm, WeeklyReturnForm
from .importing import FileRefused, parse_returns_file, returns_import_plan
from .models import ReturnImport, WeeklyReturn
from .selectors import measures_for_ward, weekly_return_history
from .services import (
    ConcurrentEditError,
    ImplausibleCountError,
    ImportRefused,
    late_edit_needs_reason,
    weekly_return_record,
    weekly_returns_import_commit,
)

PREVIEW_ROWS = 200
ERROR_ROWS = 500


def _week_problem(ward: Ward, week_start: datetime.date) -> str:
    today = timezone.localdate()
    if week_start > today:
        return "This week has not started yet: you can enter it from its Monday."
    if week_start + datetime.timedelta(days=6) < ward.active_from:
        opened = dateformat.format(ward.active_from, "j F Y")
        return f"{ward.name} opened on {opened}: this week is before that."
    if ward.active_to and week_start > ward.active_to:
        closed = dateformat.format(ward.active_to, "j F Y")
        return f"{ward.name} closed on {closed}: this week is after that."
    return ""


def _saved_values(weekly_return: WeeklyReturn | None) -> dict:
    if weekly_return is None:
        return {}
    values = {f"m_{code}": count for code, count in weekly_return.counts.values_list(
        "measure__code", "count")}  # fmt: skip
    values["beds"] = weekly_return.beds
    values["occupied_bed_days"] = weekly_return.occupied_bed_days
    return values


def _initial(weekly_return: WeeklyReturn | None, ward: Ward) -> dict:
    if weekly_return is None:
        return {"version": 0, "beds": ward.beds}
    return {"version": weekly_return.version, **_saved_values(weekly_return)}


@login_required
@require_http_methods(["GET", "POST"])
def weekly_entry(request, ward_id, week_start):
    """The weekly return form: every measure of the ward for one week, draft or submit."""
    ward, can_edit = get_ward_for_user(request.user, ward_id)
    if week_start.isoweekday() != 1:
        return redirect("measures:weekly-entry", ward_id=ward.pk, week_start=monday_of(week_start))
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("You can view this ward's data but not change it.")
    weekly_return = (
        WeeklyReturn.objects.select_related("updated_by", "submitted_by")
        .filter(ward=ward, week_start=week_start)
        .first()
    )
    context = {
        "ward": ward,
        "week_start": week_start,
        "week_end": week_start + datetime.timedelta(days=6),
        "weekly_return": weekly_return,
        "can_edit": can_edit,
        "week_problem": _week_problem(ward, week_start),
        "previous_week": week_start - datetime.timedelta(weeks=1),
        "next_week": week_start + datetime.timedelta(weeks=1),
        "next_week_open": week_start + datetime.timedelta(weeks=1) <= timezone.localdate(),
    }
    if context["week_problem"]:
        return render(request, "measures/weekly_entry.html", context, status=404)

    measures = measures_for_ward(ward)
    needs_reason = weekly_return is not None and late_edit_needs_reason(weekly_return)
    form_kwargs = {"measures": measures, "needs_reason": needs_reason}
    implausible = False
    concurrent = ""
    if request.method == "POST":
        form = WeeklyReturnForm(request.POST, **form_kwargs)
        if form.is_valid():
            submit = "submit" in request.POST
            try:
                saved_return = weekly_return_record(
                    ward=ward,
                    week_start=week_start,
                    user=request.user,
                    counts=form.cleaned_data["counts"],
                    occupied_bed_days=form.cleaned_data["occupied_bed_days"],
                    beds=form.cleaned_data["beds"],
                    submit=submit,
                    expected_version=form.cleaned_data["version"],
                    reason=form.cleaned_data["reason"],
                    confirm_implausible=form.cleaned_data["confirm_implausible"],
                )
            except ConcurrentEditError as error:
                # Keep every typed value, but carry the new version so saving again is a
                # deliberate overwrite of what the other person saved.
                data = request.POST.copy()
                data["version"] = str(error.weekly_return.version)
                form = WeeklyReturnForm(data, **form_kwargs)
                form.is_valid()
                concurrent = str(error)
                weekly_return = error.weekly_return
                now_saved = _saved_values(weekly_return)
                form.saved = {
                    name: now_saved.get(name)
                    for name in ["beds", "occupied_bed_days", *(f"m_{m.code}" for m in measures)]
                }
            except ImplausibleCountError as error:
                implausible = True
                for key, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(form.field_for(key), problem)
                form.add_error(
                    "confirm_implausible",
                    "Check the counts marked below. If they are right, tick the box to confirm",
                )
            except ValidationError as error:
                for key, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(form.field_for(key), problem)
            else:
                if submit:
                    verb = "return submitted"
                elif saved_return.status == WeeklyReturn.Status.SUBMITTED:
                    verb = "changes saved; the return stays submitted"
                else:
                    verb = "return saved as a draft"
                missing = sum(1 for value in form.cleaned_data["counts"].values() if value is None)
                note = f" {missing} count{'s' if missing != 1 else ''} left blank (missing)."
                messages.success(
                    request,
                    f"{ward.name}, week commencing {dateformat.format(week_start, 'j F Y')}: "
                    f"{verb}.{note if missing else ''}",
                )
                return redirect("measures:weekly-entry", ward_id=ward.pk, week_start=week_start)
    else:
        form = WeeklyReturnForm(initial=_initial(weekly_return, ward), **form_kwargs)
        for measure in measures:
            if form.initial.get(f"m_{measure.code}") == 0:
                form.initial[f"none_{measure.code}"] = True

    context |= {
        "form": form,
        "concurrent": concurrent,
        "implausible": implausible,
        "history": weekly_return_history(weekly_return) if weekly_return else [],
        "bed_days_limit": (form["beds"].value() or ward.beds),
    }
    return render(request, "measures/weekly_entry.html", context)


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
@require_http_methods(["GET", "POST"])
def return_import(request):
    if not manages_any_trust(request.user):
        raise PermissionDenied("Only a trust's QI lead (or an admin) can import returns.")
    form = ReturnImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # Old previews of this user are of no further use (and hold file contents).
        ReturnImport.objects.filter(
            user=request.user, created_at__lt=timezone.now() - datetime.timedelta(days=1)
        ).delete()
        saved = ReturnImport.objects.create(
            user=request.user,
            filename=(upload.name or "upload").replace("\x00", "")[:255],
            content=upload.read(),
            snap_to_monday=form.cleaned_data["snap_to_monday"],
        )
        return redirect("measures:import-preview", upload_id=saved.pk)
    return render(
        request,
        "measures/import.html",
        {"form": form, "columns": exporting.template_columns(), "max_rows": 50_000},
    )


@login_required
@require_GET
def return_import_template(request, file_format):
    columns = exporting.template_columns()
    if file_format == "csv":
        return exporting.csv_response([columns], "weekly-returns-template.csv")
    if file_format == "xlsx":
        return exporting.xlsx_response(
            [columns], "weekly-returns-template.xlsx", wards=wards_editable_by(request.user)
        )
    raise Http404("No such format.")


def _get_upload(request, upload_id) -> ReturnImport:
    # Another user's upload is 404: uploads are private to whoever uploaded them.
    return get_object_or_404(ReturnImport, pk=upload_id, user=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def return_import_preview(request, upload_id):
    if not manages_any_trust(request.user):
        raise PermissionDenied("Only a trust's QI lead (or an admin) can import returns.")
    upload = _get_upload(request, upload_id)
    if request.method == "POST" and "snap" in request.POST:
        upload.snap_to_monday = True
        upload.save(update_fields=["snap_to_monday"])
        return redirect("measures:import-preview", upload_id=upload.pk)
    context = {"upload": upload, "error_rows": ERROR_ROWS, "preview_rows": PREVIEW_ROWS}
    try:
        parsed = parse_returns_file(
            content=bytes(upload.content),
            filename=upload.filename,
            snap_to_monday=upload.snap_to_monday,
        )
    except FileRefused as error:
        context["refused"] = str(error)
        return render(request, "measures/import_preview.html", context)

    confirm_error = ""
    if request.method == "POST":
        confirm = request.POST.get("confirm_implausible") == "on"
        try:
            plan = weekly_returns_import_commit(
                user=request.user,
                parsed=parsed,
                source=upload.filename,
                confirm_implausible=confirm,
            )
        except ImportRefused as error:
            plan = error.plan
            if not plan.errors:
                confirm_error = "Check the counts listed, then tick the box to confirm them"
        else:
            upload.delete()
            totals = plan.totals
            messages.success(
                request,
                f"Imported {upload.filename}: {totals['create']} returns created, "
                f"{totals['update']} updated, {totals['unchanged']} unchanged.",
            )
            return redirect("measures:import")
    else:
        plan = returns_import_plan(user=request.user, parsed=parsed)
    changed = [r for r in plan.rows if r.action != "unchanged"]
    context |= {
        "parsed": parsed,
        "plan": plan,
        "totals": plan.totals,
        "errors": plan.errors[:ERROR_ROWS],
        "more_errors": max(0, len(plan.errors) - ERROR_ROWS),
        "changed": changed[:PREVIEW_ROWS],
        "more_changed": max(0, len(changed) - PREVIEW_ROWS),
        "confirm_error": confirm_error,
        "row_count": len(parsed.rows) + len({e.row for e in parsed.errors}),
    }
    return render(request, "measures/import_preview.html", context)


@login_required
@require_POST
def return_import_cancel(request, upload_id):
    _get_upload(request, upload_id).delete()
    return redirect("measures:import")


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


def _export(wards, file_format, name) -> HttpResponse:
    rows = exporting.returns_export_rows(wards=wards)
    filename = f"weekly-returns-{name}-{timezone.localdate():%Y-%m-%d}.{file_format}"
    if file_format == "csv":
        return exporting.csv_response(rows, filename)
    if file_format == "xlsx":
        return exporting.xlsx_response(rows, filename)
    raise Http404("No such format.")


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
