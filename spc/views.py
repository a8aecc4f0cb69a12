from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from measures.models import Measure
from wards.access import get_managed_ward_for_user

from . import services
from .forms import ChartSettingForm, PhaseBreakForm
from .models import ChartResult, ChartSetting, PhaseBreak, Scope


def _setting_page(request, ward, measure, form, break_form, status=200):
    setting = ChartSetting.objects.filter(ward=ward, measure=measure).first()
    result = ChartResult.objects.filter(scope=Scope.WARD, scope_id=ward.pk, measure=measure).first()
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
            form.add_error(None, error)
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
