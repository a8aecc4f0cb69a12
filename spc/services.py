"""The chart layer's writes: a ward's chart settings and its phase breaks. Each marks the
chart stale in its own transaction and queues its refresh on commit (spc/refresh.py)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from measures.models import Measure
from wards.models import Ward

from . import inputs
from .models import ChartSetting, PhaseBreak
from .refresh import charts_refresh_on_commit


@transaction.atomic
def chart_setting_update(
    *,
    ward: Ward,
    measure: Measure,
    user,
    chart_type: str,
    baseline_start=None,
    baseline_weeks: int | None = None,
    programme=None,
) -> ChartSetting:
    """Save a ward's chart settings for one measure (with history) and recompute it."""
    setting, _ = ChartSetting.objects.get_or_create(ward=ward, measure=measure)
    setting.chart_type = chart_type
    setting.baseline_start = baseline_start
    setting.baseline_weeks = baseline_weeks
    setting.programme = programme
    setting.updated_by = user
    setting.full_clean()
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
