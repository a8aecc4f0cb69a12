from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from measures.models import Measure
from measures.selectors_pdsa import change_ideas_of, chart_markers
from wards.access import (
    can_manage_ward,
    get_managed_ward_for_user,
    get_region_for_user,
    get_scope_for_user,
    get_trust_for_user,
    get_ward_for_user,
)
from wards.models import Ward

from . import dashboards, exporting, presentation, selectors, services
from .forms import ChartSettingForm, PhaseBreakForm
from .funnel_figure import LIMIT_CHOICES, funnel_figure
from .models import ChartSetting, PhaseBreak, Scope, StoredChart
from .period_views import charts_with_view
from .stored import VIEWS


def _setting_page(request, ward, measure, form, break_form, status=200):
    setting = ChartSetting.objects.filter(ward=ward, measure=measure).first()
    result = StoredChart.objects.filter(scope=Scope.WARD, scope_id=ward.pk, measure=measure).first()
    return render(
        request,
        "spc/chart_settings.html",
        {
            "ward": ward,
            "measure": measure,
            "form": form,
            "break_form": break_form,
            "breaks": setting.breaks.all() if setting else [],
            "history": setting.history.select_related("history_user")[:20] if setting else [],
            "result": result,
            "default_baseline_weeks": selectors.default_baseline_weeks(),
        },
        status=status,
    )


@login_required
def chart_settings(request, ward_id, measure_code):
    ward = get_managed_ward_for_user(request.user, ward_id)
    measure = get_object_or_404(Measure, code=measure_code)
    setting = ChartSetting.objects.filter(ward=ward, measure=measure).first()
    form = ChartSettingForm(request.POST or None, instance=setting, measure=measure)
    if request.method == "POST" and form.is_valid():
        try:
            services.chart_setting_update(
                ward=ward, measure=measure, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, f"Chart settings saved; the {measure.name} chart is updated.")
            return redirect("spc:chart-settings", ward_id=ward.pk, measure_code=measure.code)
    status = 400 if form.errors else 200
    return _setting_page(request, ward, measure, form, PhaseBreakForm(), status)


@login_required
@require_POST
def phase_break_add(request, ward_id, measure_code):
    ward = get_managed_ward_for_user(request.user, ward_id)
    measure = get_object_or_404(Measure, code=measure_code)
    form = PhaseBreakForm(request.POST)
    if form.is_valid():
        try:
            services.phase_break_add(
                ward=ward, measure=measure, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "New phase added; the chart is recalculated from it.")
            return redirect("spc:chart-settings", ward_id=ward.pk, measure_code=measure.code)
    setting = ChartSetting.objects.filter(ward=ward, measure=measure).first()
    return _setting_page(
        request, ward, measure, ChartSettingForm(instance=setting, measure=measure), form, 400
    )


@login_required
@require_POST
def phase_break_delete(request, ward_id, measure_code, break_id):
    ward = get_managed_ward_for_user(request.user, ward_id)
    phase_break = get_object_or_404(
        PhaseBreak, pk=break_id, setting__ward=ward, setting__measure__code=measure_code
    )
    services.phase_break_delete(phase_break=phase_break)
    messages.success(request, "Phase break removed.")
    return redirect("spc:chart-settings", ward_id=ward.pk, measure_code=measure_code)


def _view_name(request) -> str:
    """The view a page shows: the chosen chart, or the weekly, 4-weekly or monthly one."""
    name = request.GET.get("view", "chosen")
    return name if name in VIEWS else "chosen"


def _view_links(request) -> list[dict]:
    current = _view_name(request)
    return [{"name": name, "label": presentation.VIEW_LABELS[name], "current": name == current}
            for name in VIEWS]  # fmt: skip


def _ward_dashboard_page(request, ward, can_edit):
    ideas = list(change_ideas_of([ward]))
    panels = dashboards.chart_panels(
        Scope.WARD, ward.pk, chart_markers(ideas), view=_view_name(request)
    )
    return render(
        request,
        "spc/ward_dashboard.html",
        {
            "ward": ward,
            "panels": panels,
            "view_links": _view_links(request),
            "view_name": _view_name(request),
            "domains": _by_domain(panels),
            "ideas": ideas,
            "can_edit": can_edit,
            "can_manage": can_manage_ward(request.user, ward),
        },
    )


def _by_domain(panels):
    groups = {}
    for panel in panels:
        groups.setdefault(panel.measure.get_domain_display(), []).append(panel)
    return list(groups.items())


@login_required
def ward_dashboard(request, ward_id):
    ward, can_edit = get_ward_for_user(request.user, ward_id)
    return _ward_dashboard_page(request, ward, can_edit)


@login_required
def chart_csv(request, scope, scope_id, measure_code):
    """The data behind one chart, as the engine computed it."""
    get_scope_for_user(request.user, scope, scope_id)
    measure = get_object_or_404(Measure, code=measure_code)
    view_name = _view_name(request)
    stored = charts_with_view({"scope": scope, "scope_id": scope_id, "measure": measure}, view_name)
    view = stored.view.get((scope_id, measure.pk))
    if view is None:
        raise Http404("This chart has too little data yet.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{scope}-{scope_id}-{measure.code}-{view_name}.csv"'
    )
    exporting.chart_csv(response, view)
    return response


@login_required
def trust_charts(request, trust_id):
    """The trust's own charts: every measure summed over its wards, with how many of the
    enrolled wards reported (QI leads and facilitators)."""
    trust, _ = get_trust_for_user(request.user, trust_id)
    view_name = _view_name(request)
    # The trust's charts show the change ideas of its wards, each named with its ward.
    markers = chart_markers(change_ideas_of(trust.wards.all()), name_ward=True)
    panels = dashboards.chart_panels(Scope.TRUST, trust.pk, markers, view=view_name)
    return render(request, "spc/trust_charts.html", {
        "trust": trust, "panels": panels, "domains": _by_domain(panels),
        "view_links": _view_links(request), "view_name": view_name,
        "coverage": dashboards.trust_coverage(trust),
    })  # fmt: skip


@login_required
def trust_matrix(request, trust_id):
    trust, _ = get_trust_for_user(request.user, trust_id)
    ward_type = request.GET.get("type") or None
    if ward_type and ward_type not in Ward.Type.values:
        ward_type = None
    measures, rows = dashboards.trust_matrix(trust, ward_type)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{trust.ods_code}-matrix.xlsx"'
        exporting.matrix_xlsx(response, trust, measures, rows)
        return response
    return render(
        request,
        "spc/trust_matrix.html",
        {
            "trust": trust,
            "measures": measures,
            "rows": rows,
            "ward_types": Ward.Type.choices,
            "ward_type": ward_type,
        },
    )


PERIODS = {12: "12 weeks", 26: "26 weeks", 52: "52 weeks"}


@login_required
def region_compare(request, region_id):
    region, _ = get_region_for_user(request.user, region_id)
    measures = dashboards.active_measures()
    measure = next(
        (m for m in measures if m.code == request.GET.get("measure")),
        next(m for m in measures if m.code == "physical_restraint"),
    )
    weeks = int(request.GET["weeks"]) if request.GET.get("weeks") in ("12", "26", "52") else 26
    unit = "wards" if request.GET.get("unit") == "wards" else "trusts"
    ward_type = request.GET.get("type") if request.GET.get("type") in Ward.Type.values else None
    limits = request.GET.get("limits") if request.GET.get("limits") in LIMIT_CHOICES else "auto"
    today = timezone.localdate()
    first, last = dashboards.period_weeks(today, weeks)
    funnel_units = selectors.funnel_units(region, measure, first, last, unit[:-1], ward_type)
    funnel = funnel_figure(funnel_units, measure.name, unit[:-1], measure.improvement, limits)
    return render(
        request,
        "spc/region_compare.html",
        {
            "region": region,
            "measures": measures,
            "measure": measure,
            "weeks": weeks,
            "periods": PERIODS,
            "unit": unit,
            "ward_types": Ward.Type.choices,
            "ward_type": ward_type,
            "ward_type_label": Ward.Type(ward_type).label if ward_type else "",
            "limit_choices": LIMIT_CHOICES,
            "limits": limits,
            "first": first,
            "last": last,
            "rows": dashboards.region_comparison(region, measure, today, weeks),
            "funnel": funnel,
            "funnel_units": funnel_units,
        },
    )
