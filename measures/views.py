import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mhsip.text import clean_free_text
from mhsip.weeks import is_monday, monday_of, week_end
from wards.access import (
    get_region_for_user,
    get_trust_for_user,
    get_ward_for_user,
    manages_any_trust,
    wards_editable_by,
)
from wards.models import Ward

from . import exporting, rules
from .completeness import completeness_weeks, ward_weeks
from .errors import ConcurrentEditError, ImplausibleCountError, ImportRefused, ReturnRefused
from .forms import ReturnImportForm, WeeklyReturnForm
from .import_commit import weekly_returns_import_commit
from .import_plan import returns_import_plan
from .import_rows import ParsedFile
from .importing import MAX_ROWS, FileRefused, parse_returns_file
from .models import ReturnImport, WeeklyReturn
from .selectors import measures_by_code, measures_for_ward, weekly_return_history
from .services import return_imports_purge, saved_state, weekly_return_record

PREVIEW_ROWS = 200
ERROR_ROWS = 500
REASON_LENGTH = 80  # with "Imported from <file>: " it fits the history's 100 characters
LATE_IMPORT_REASON = (
    "This file changes submitted weeks that ended more than 4 weeks ago: say why, once for the "
    "whole file (the reason is kept in each change's history)"
)


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
    missing = sum(1 for value in form.cleaned_data["counts"].values() if value is None)
    note = f" {missing} count{'s' if missing != 1 else ''} left blank (missing)." if missing else ""
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
    form.saved = {
        name: now_saved.get(name)
        for name in ["beds", "occupied_bed_days", *(f"m_{m.code}" for m in measures)]
    }
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
@require_http_methods(["GET", "POST"])
def return_import(request):
    if not manages_any_trust(request.user):
        raise PermissionDenied("Only a trust's QI lead (or an admin) can import returns.")
    form = ReturnImportForm(request.POST or None, request.FILES or None)
    refused = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        return_imports_purge()
        try:
            # Read once, here: only the typed rows are kept, never the file.
            parsed = parse_returns_file(
                content=upload.read(), filename=upload.clean_name, snap_to_monday=None
            )
        except FileRefused as error:
            refused = str(error)
        else:
            saved = ReturnImport.objects.create(
                user=request.user, filename=upload.clean_name, size=upload.size,
                parsed=parsed.to_json(), snap_to_monday=form.cleaned_data["snap_to_monday"],
            )  # fmt: skip
            return redirect("measures:import-preview", upload_id=saved.pk)
    return render(
        request,
        "measures/import.html",
        {"form": form, "columns": exporting.template_columns(), "max_rows": MAX_ROWS,
         "refused": refused},  # fmt: skip
        status=400 if refused or form.errors else 200,
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
    parsed = ParsedFile.from_json(upload.parsed).with_snap(upload.snap_to_monday)
    if request.method == "POST":
        outcome = _commit(request, upload, parsed)
        if outcome is None:
            return redirect("measures:import")
        plan, problems = outcome
    else:
        plan, problems = _preview(request, upload, parsed), {}
    changed = [r for r in plan.rows if r.action != "unchanged"]
    context |= {
        "parsed": parsed,
        "plan": plan,
        "totals": plan.totals,
        "errors": plan.errors[:ERROR_ROWS],
        "more_errors": max(0, len(plan.errors) - ERROR_ROWS),
        "changed": changed[:PREVIEW_ROWS],
        "more_changed": max(0, len(changed) - PREVIEW_ROWS),
        "row_count": len(parsed.rows) + len({e.row for e in parsed.errors}),
        "reason": request.POST.get("reason", ""),
        **problems,
    }
    return render(request, "measures/import_preview.html", context)


def _preview(request, upload, parsed):
    """The plan as it stands now; its versions are kept so the commit can tell whether
    anyone changed those weeks in between."""
    plan = returns_import_plan(user=request.user, parsed=parsed)
    upload.preview_versions = plan.versions()
    upload.save(update_fields=["preview_versions"])
    return plan


def _commit(request, upload, parsed):
    """Import the file; None when done, else (the plan to show, its problems)."""
    confirm = request.POST.get("confirm_implausible") == "on"
    try:
        reason = clean_free_text(request.POST.get("reason", ""))[:REASON_LENGTH]
    except ValidationError as error:
        return _preview(request, upload, parsed), {"reason_error": error.messages[0]}
    try:
        plan = weekly_returns_import_commit(
            user=request.user, parsed=parsed, source=upload.filename,
            confirm_implausible=confirm, reason=reason,
            expected_versions=upload.preview_versions,
        )  # fmt: skip
    except ImportRefused as error:
        plan = error.plan
        if any(e.column == "version" for e in plan.errors):
            # Someone changed weeks of this file since the preview: show the preview as it
            # is now (kept for the next commit) rather than asking for a new file.
            return _preview(request, upload, parsed), {"changed_since_preview": True}
        problems = {}
        if plan.needs_reason:
            problems["reason_error"] = LATE_IMPORT_REASON
        if plan.warnings and not confirm and not plan.errors:
            problems["confirm_error"] = "Check the counts listed, then tick the box to confirm them"
        return plan, problems
    upload.delete()
    totals = plan.totals
    messages.success(
        request,
        f"Imported {upload.filename}: {totals['create']} returns created, "
        f"{totals['update']} updated, {totals['unchanged']} unchanged.",
    )
    return None


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
