"""Equity pages: a trust's (or ward's) breakdowns, a region's trusts side by side, the
breakdown import (preview, then commit) and the CSV export. Scoped through wards/access.py."""

import csv
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from measures.importing import MAX_BYTES, FileRefused
from mhsip.text import spreadsheet_safe
from wards.access import (
    get_managed_trust_for_user,
    get_region_for_user,
    get_trust_for_user,
    get_ward_for_user,
    is_inside_trust,
)

from . import importing, pages
from .disproportion import disproportion
from .groups import DIMENSIONS

SESSION_KEY = "equity-import-{}"


def _options(choice):
    return {"measures": importing.breakdown_measures(), "dimensions": DIMENSIONS.items(),
            "periods": pages.PERIODS, "choice": choice}  # fmt: skip


@login_required
def trust_equity(request, trust_id):
    trust, can_manage = get_trust_for_user(request.user, trust_id)
    ward = None
    if request.GET.get("ward"):
        ward, _ = get_ward_for_user(request.user, request.GET["ward"])
        if ward.trust_id != trust.pk:
            raise Http404("No such ward in this trust.")
    choice = pages.choice_from(request.GET)
    show_small = is_inside_trust(request.user, trust)
    report = pages.scope_report("ward" if ward else "trust", ward.pk if ward else trust.pk,
                                choice, show_small=show_small)  # fmt: skip
    return render(request, "equity/trust.html", {
        "trust": trust, "ward": ward, "wards": trust.wards.order_by("name"),
        "can_manage": can_manage, "show_small": show_small, **report, **_options(choice),
    })  # fmt: skip


@login_required
def region_equity(request, region_id):
    region, _ = get_region_for_user(request.user, region_id)
    choice = pages.choice_from(request.GET)
    rows = []
    for trust in region.trusts.order_by("name"):
        table = disproportion("trust", trust.pk, choice.measure, choice.dimension,
                              weeks=choice.weeks, show_small_numbers=False)  # fmt: skip
        if table.rows:
            rows.append((trust, table))
    region_table = disproportion("region", region.pk, choice.measure, choice.dimension,
                                 weeks=choice.weeks, show_small_numbers=False)  # fmt: skip
    return render(request, "equity/region.html", {
        "region": region, "rows": rows, "region_table": region_table, **_options(choice)})


@login_required
def equity_csv(request, trust_id):
    trust, _ = get_trust_for_user(request.user, trust_id)
    choice = pages.choice_from(request.GET)
    show_small = is_inside_trust(request.user, trust)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{trust.ods_code}-equity-{choice.measure.code}.csv"')
    writer = csv.writer(response)
    writer.writerow(["breakdown", "group", "weeks_from", "weeks_to", "events", "bed_days",
                     "rate_per_1000_bed_days", "rate_ratio", "ci_lower", "ci_upper",
                     "baseline_rate_ratio", "note"])  # fmt: skip
    for dimension in DIMENSIONS:
        table = disproportion("trust", trust.pk, choice.measure, dimension, weeks=choice.weeks,
                              show_small_numbers=show_small)  # fmt: skip
        for row in table.rows:
            ratio = row.ratio if row.ratio and row.ratio.enough_events else None
            writer.writerow([spreadsheet_safe(v) for v in [
                dimension, row.group, table.start, table.end,
                "*" if row.events is None else row.events, row.bed_days,
                "*" if row.rate is None else f"{row.rate:.2f}",
                *(f"{x:.3f}" if x is not None else "" for x in (
                    ratio.ratio if ratio else None, ratio.lower if ratio else None,
                    ratio.upper if ratio else None, row.baseline_ratio)),
                "reference group" if row.is_reference else row.note or (
                    "too few events" if row.ratio and not row.ratio.enough_events else ""),
            ]])  # fmt: skip
    return response


@login_required
def breakdown_import(request, trust_id):
    trust = get_managed_trust_for_user(request.user, trust_id)
    wards = {w.code: w for w in trust.wards.all()}
    context = {"trust": trust, "columns": importing.template_columns()}
    upload = request.FILES.get("file")
    if request.method == "POST" and upload is not None:
        if upload.size > MAX_BYTES:
            context["refused"] = f"The file is over {MAX_BYTES // 1024 // 1024} MB: split it."
            return render(request, "equity/import.html", context, status=400)
        try:
            parsed = importing.parse_breakdown_file(
                upload.read(), upload.name, wards,
                lambda rows: importing.returns_totals(rows, wards))  # fmt: skip
        except FileRefused as exc:
            context["refused"] = str(exc)
            return render(request, "equity/import.html", context, status=400)
        if parsed.errors:
            context["errors"] = parsed.errors
            return render(request, "equity/import.html", context, status=400)
        request.session[SESSION_KEY.format(trust.pk)] = [
            [r.line, r.ward_code, r.week_start.isoformat(), r.dimension, r.code,
             r.occupied_bed_days, r.counts] for r in parsed.rows]  # fmt: skip
        context["preview"] = _preview(parsed.rows, wards)
    return render(request, "equity/import.html", context)


def _preview(rows, wards):
    seen = {(r.ward_code, r.week_start, r.dimension) for r in rows}
    return {"rows": len(rows), "breakdowns": len(seen),
            "wards": sorted({wards[r.ward_code].name for r in rows}),
            "first": min(r.week_start for r in rows), "last": max(r.week_start for r in rows)}


@login_required
@require_POST
def breakdown_import_commit(request, trust_id):
    trust = get_managed_trust_for_user(request.user, trust_id)
    stored = request.session.pop(SESSION_KEY.format(trust.pk), None)
    if request.POST.get("action") == "cancel" or not stored:
        messages.info(request, "Nothing was imported.")
        return redirect("equity:import", trust.pk)
    wards = {w.code: w for w in trust.wards.all()}
    rows = [importing.rules.BreakdownRow(line, ward, datetime.date.fromisoformat(week),
                                         dimension, code, days, counts)
            for line, ward, week, dimension, code, days, counts in stored]  # fmt: skip
    # The returns may have changed since the preview: the rules are checked again.
    errors = importing.rules.breakdown_errors(
        [r for r in rows if r.ward_code in wards], importing.returns_totals(rows, wards),
        {m.code: m.name for m in importing.breakdown_measures()})  # fmt: skip
    if errors or any(r.ward_code not in wards for r in rows):
        context = {"trust": trust, "columns": importing.template_columns(), "errors": errors}
        return render(request, "equity/import.html", context, status=409)
    count = importing.breakdowns_commit(rows=rows, wards=wards, user=request.user)
    messages.success(request, f"Imported {count} breakdown rows.")
    return redirect("equity:trust", trust.pk)
