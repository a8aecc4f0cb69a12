"""The import pages: upload a file, preview what it would change, import it (all or nothing)
or cancel. The rules are those of the return form (`measures.rules`, through `import_plan`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mhsip.text import clean_free_text
from wards.access import manages_any_trust, wards_editable_by

from . import exporting
from .errors import ImportRefused
from .forms_import import ReturnImportForm
from .import_commit import weekly_returns_import_commit
from .import_plan import returns_import_plan
from .import_rows import ParsedFile
from .importing import INCIDENT_COLUMNS, MAX_ROWS, FileRefused, parse_returns_file
from .models import ReturnImport
from .services import return_imports_purge

PREVIEW_ROWS = 200
ERROR_ROWS = 500
REASON_LENGTH = 80  # with "Imported from <file>: " it fits the history's 100 characters
LATE_IMPORT_REASON = (
    "This file changes submitted weeks that ended more than 4 weeks ago: say why, once for the "
    "whole file (the reason is kept in each change's history)"
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
            [columns], "weekly-returns-template.xlsx", wards=wards_editable_by(request.user),
            incidents=[INCIDENT_COLUMNS],
        )  # fmt: skip
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
    if request.method == "POST" and "zero_fill" in request.POST:
        # The user's statement that the file holds every incident of its weeks: kept with the
        # upload's rows (it is how the file is read), never assumed.
        upload.parsed = {**upload.parsed, "zero_fill": request.POST["zero_fill"] == "on"}
        upload.save(update_fields=["parsed"])
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
        "row_count": len(parsed.rows) + len(parsed.incidents)
        + len({(e.sheet, e.row) for e in parsed.errors}),
        "late_rows": sorted({row for row in plan.late_rows if row}),
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
