"""The chart layer's writes: a ward's chart settings and its phase breaks. Each marks the
chart stale in its own transaction and queues its refresh on commit (spc/refresh.py)."""

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from measures.models import Measure
from wards.models import Ward

from . import inputs
from .models import ChartSetting, PhaseBreak
from .refresh import charts_refresh_on_commit


def chart_override_error(*, ward: Ward, measure: Measure, chart_type: str, today=None) -> str:
    """Why a chart a QI lead asks for cannot be drawn for this ward's data ('' if it can):
    charts of the gaps between incidents need every incident dated, and a t chart no two
    incidents on one day (qicharts2's t chart refuses a gap of 0 days)."""
    if chart_type not in ("g", "t"):
        return ""
    today = today or timezone.localdate()
    series = inputs.ward_series([ward], [measure.pk], today)[ward.pk, measure.pk]
    if series.events is None:
        return (f"A {chart_type} chart needs the date of every incident: "
                f"{series.undated_weeks} week(s) of {measure.name.lower()} on {ward.name} have "
                "incidents without dates. Add the dates on the weekly form or by import, or "
                "keep the chart on Automatic.")  # fmt: skip
    if len(series.events) < (3 if chart_type == "t" else 2):
        return f"A {chart_type} chart needs more incidents than the {len(series.events)} recorded."
    same_day = int((np.diff(series.events.astype(int)) == 0).sum())
    if chart_type == "t" and same_day:
        return (f"A t chart cannot show two incidents on one day ({same_day} such pair(s) "
                "here): use the g chart, which counts them as a gap of 0.")  # fmt: skip
    return ""


@transaction.atomic
def chart_setting_update(
    *,
    ward: Ward,
    measure: Measure,
    user,
    chart_type: str,
    period: str = "auto",
    baseline_start=None,
    baseline_weeks: int | None = None,
    programme=None,
    reason: str = "",
) -> ChartSetting:
    """Save a ward's chart settings for one measure (with history, and the reason for a
    baseline change) and recompute it. A chart the data cannot support is refused."""
    error = chart_override_error(ward=ward, measure=measure, chart_type=chart_type)
    if error:
        raise ValidationError({"chart_type": error})
    setting, _ = ChartSetting.objects.get_or_create(ward=ward, measure=measure)
    setting.chart_type = chart_type
    setting.period = period
    setting.baseline_start = baseline_start
    setting.baseline_weeks = baseline_weeks
    setting.programme = programme
    setting.updated_by = user
    setting.full_clean()
    if reason:
        setting._change_reason = reason
    setting.save()
    charts_refresh_on_commit(ward_ids=[ward.pk])
    return setting


@transaction.atomic
def phase_break_add(*, ward: Ward, measure: Measure, user, starts_on, reason: str) -> PhaseBreak:
    """Rebase the chart: a new phase with its own centre and limits from `starts_on`."""
    setting, _ = ChartSetting.objects.get_or_create(ward=ward, measure=measure)
    first = inputs.ward_start_weeks([ward.pk])[ward.pk]
    if starts_on <= first:
        raise ValidationError(
            {"starts_on": f"A new phase must start after the chart's first week, {first:%d %b %Y}."}
        )
    if setting.breaks.filter(starts_on=starts_on).exists():
        raise ValidationError({"starts_on": "A phase already starts that week."})
    phase_break = PhaseBreak(setting=setting, starts_on=starts_on, reason=reason, created_by=user)
    phase_break.full_clean()
    phase_break.save()
    charts_refresh_on_commit(ward_ids=[ward.pk])
    return phase_break


@transaction.atomic
def phase_break_delete(*, phase_break: PhaseBreak) -> None:
    ward_id = phase_break.setting.ward_id
    phase_break.delete()
    charts_refresh_on_commit(ward_ids=[ward_id])
