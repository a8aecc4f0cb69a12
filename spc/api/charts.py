"""API v1: one stored chart (`StoredChart`, computed by the chart pipeline), never
recomputed here."""

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from measures.models import Measure
from mhsip.api import MAX_ID, error_responses
from wards.access import get_scope_for_user

from ..models import Scope, StoredChart
from ..period_views import charts_with_view
from ..stored import VIEWS

RATE_UNIT = "per 1,000 occupied bed days"


def measure_or_404(code: str) -> Measure:
    measure = Measure.objects.filter(code=code).first()
    if measure is None:
        raise Http404("No such measure.")
    return measure


def _scope_object(user, scope: str, scope_id: int | None):
    """(id, name) of a scope the user may see; 404 otherwise. National charts sum every ward
    and name none, so every signed-in user may read them."""
    if scope == Scope.NATIONAL:
        return 0, "England (all wards in the programme)"
    found = get_scope_for_user(user, scope, scope_id)
    if scope == Scope.WARD:
        return found.pk, f"{found.name}, {found.trust.name}"
    return found.pk, found.name


# The API spells out the units the pages abbreviate.
API_UNITS = {"per 1,000 OBD": "per 1,000 occupied bed days", "a week": "incidents per week"}
VIEW_CHOICES = [("chosen", "The chosen chart"), ("week", "Weekly"), ("4week", "4-weekly"),
                ("month", "Calendar month")]  # fmt: skip


class ChartPointOutput(serializers.Serializer):
    date = serializers.DateField(
        help_text="The week's Monday, the period's first day, or the incident's day (t / g "
        "charts: dates may repeat, one point per gap between incidents)."
    )
    week_start = serializers.DateField(help_text="The same as `date` (kept for v1 clients).")
    count = serializers.IntegerField(
        allow_null=True,
        help_text="Incidents in the period (null: missing, not zero); on t / g charts the gap "
        "itself (days or occupied bed days).",
    )
    occupied_bed_days = serializers.IntegerField(allow_null=True)
    value = serializers.FloatField(
        allow_null=True,
        help_text="The plotted value, in the chart's `unit`; values, centre and limits are "
        "rounded to 4 decimal places.",
    )
    centre = serializers.FloatField(allow_null=True)
    lower = serializers.FloatField(allow_null=True, help_text="Lower control limit (3 sigma).")
    upper = serializers.FloatField(allow_null=True, help_text="Upper control limit (3 sigma).")
    lower_2sigma = serializers.FloatField(allow_null=True)
    upper_2sigma = serializers.FloatField(allow_null=True)
    phase = serializers.IntegerField(allow_null=True)
    baseline = serializers.BooleanField(allow_null=True)
    classification = serializers.CharField(
        allow_null=True,
        help_text="common_cause, special_cause_improvement, special_cause_concern, "
        "special_cause_neutral_high / _low; null for a missing week.",
    )
    rules = serializers.ListField(child=serializers.CharField())


class ChartOutput(serializers.Serializer):
    scope = serializers.ChoiceField(choices=Scope.choices)
    id = serializers.IntegerField(help_text="Ward, trust or region id; 0 for national.")
    name = serializers.CharField()
    measure = serializers.CharField(help_text="Measure code.")
    measure_name = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["ok", "insufficient", "pending", "error"],
        help_text="ok; insufficient: too little data for a chart yet; pending: not computed "
        "yet; error: the last computation failed (see message).",
    )
    message = serializers.CharField(allow_blank=True)
    stale = serializers.BooleanField(
        help_text="Data changed since this was computed; a refresh is queued."
    )
    computed_at = serializers.DateTimeField(allow_null=True)
    chart = serializers.CharField(
        allow_null=True,
        help_text="u (rate), c (count), run, i (XmR), up (Laney u′), g (bed days or days "
        "between incidents), t (days between incidents).",
    )
    view = serializers.ChoiceField(choices=VIEW_CHOICES)
    views = serializers.ListField(child=serializers.CharField(),
                                  help_text="The views any chart can be shown in.")  # fmt: skip
    period = serializers.CharField(
        allow_null=True, help_text="week, 4week, month, or event (one point per gap)."
    )
    reason = serializers.CharField(
        allow_blank=True, help_text="Why this chart and period were chosen, in a sentence."
    )
    unit = serializers.CharField(
        allow_null=True,
        help_text=f"What `value`, centre and limits are, e.g. '{RATE_UNIT}', 'incidents per "
        "week', 'occupied bed days between incidents'.",
    )
    points = ChartPointOutput(many=True)
    phases = serializers.ListField(child=serializers.DictField(), help_text="Engine phases.")
    summary = serializers.DictField(
        help_text="Latest point, baseline and current centre, recent value, percent change, "
        "variation and assurance icons, sustained signal, target (spc/README.md)."
    )
    targets = serializers.ListField(child=serializers.DictField())
    breaks = serializers.ListField(child=serializers.DictField())


def _point(view, i: int) -> dict:
    return {
        "date": view.dates[i], "week_start": view.dates[i], "count": view.count[i],
        "occupied_bed_days": view.bed_days[i], "value": view.value[i],
        "centre": view.centre[i], "lower": view.lower[i], "upper": view.upper[i],
        "lower_2sigma": view.lower_2sigma[i], "upper_2sigma": view.upper_2sigma[i],
        "phase": view.phase[i], "baseline": view.baseline[i],
        "classification": view.classification[i], "rules": list(view.rules[i]),
    }  # fmt: skip


def _phases(view) -> list[dict]:
    phases = []
    for i, phase in enumerate(view.phase):
        if not phases or phases[-1]["index"] != phase:
            phases.append({"index": phase, "start": i, "end": i, "centre": view.centre[i]})
        phases[-1]["end"] = i
    return phases


def chart_output(*, result, view, name_view, scope, scope_id, name, measure) -> dict:
    base = {
        "scope": scope, "id": scope_id, "name": name, "measure": measure.code,
        "measure_name": measure.name, "status": "pending", "message": "", "stale": True,
        "computed_at": None, "chart": None, "view": name_view, "views": list(VIEWS),
        "period": None, "reason": "", "unit": None, "points": [], "phases": [],
        "summary": {}, "targets": [], "breaks": [],
    }  # fmt: skip
    if result is None:
        base["message"] = "Not computed yet: it will be after the next refresh."
        return base
    base.update(stale=result.is_stale, computed_at=result.computed_at)
    if result.error and result.status != StoredChart.Status.OK:
        base.update(status="error", message="The chart could not be computed.")
        return base
    if result.status != StoredChart.Status.OK or view is None:
        message = result.message or "This view cannot be drawn for these data."
        status = result.status if result.status != StoredChart.Status.OK else "insufficient"
        base.update(status=status, message=message)
        return base
    s = view.summary
    summary = {k: v for k, v in vars(s).items() if k not in ("unit",)}
    summary["warnings"] = list(s.warnings)
    base.update(
        status="ok", chart=s.chart, period=s.period, reason=s.reason,
        unit=API_UNITS.get(s.unit, s.unit), points=[_point(view, i) for i in range(len(view))],
        phases=_phases(view), summary=summary, targets=list(view.targets),
        breaks=list(view.breaks),
    )  # fmt: skip
    return base


class ChartApi(APIView):
    """One stored chart (scope and measure): its weekly points with centre, limits and
    special-cause classification, its summary, and whether it is stale."""

    class FilterSerializer(serializers.Serializer):
        scope = serializers.ChoiceField(choices=Scope.choices)
        id = serializers.IntegerField(
            min_value=0, max_value=MAX_ID, required=False,
            help_text="Ward, trust or region id (omit or 0 for national).",
        )  # fmt: skip
        measure = serializers.SlugField(help_text="Measure code, e.g. physical_restraint.")
        view = serializers.ChoiceField(
            choices=VIEW_CHOICES, default="chosen",
            help_text="The chosen chart (default), or the weekly, 4-weekly or monthly view.",
        )  # fmt: skip

    @extend_schema(
        operation_id="charts_retrieve",
        tags=["charts"],
        parameters=[FilterSerializer],
        responses={200: ChartOutput, **error_responses(400, 404)},
        examples=[
            OpenApiExample(
                "A ward's u chart",
                value={
                    "scope": "ward",
                    "id": 12,
                    "name": "Oak Ward, Moorside NHS Foundation Trust",
                    "measure": "physical_restraint",
                    "measure_name": "Physical restraint",
                    "status": "ok",
                    "message": "",
                    "stale": False,
                    "computed_at": "2025-03-10T09:13:02Z",
                    "chart": "u",
                    "view": "chosen",
                    "views": ["chosen", "4week", "month"],
                    "period": "week",
                    "reason": "4.2 incidents expected a week: weekly u chart",
                    "unit": RATE_UNIT,
                    "points": [
                        {
                            "date": "2025-03-03",
                            "week_start": "2025-03-03",
                            "count": 4,
                            "occupied_bed_days": 133,
                            "value": 30.08,
                            "centre": 21.4,
                            "lower": 0.0,
                            "upper": 59.5,
                            "lower_2sigma": 0.0,
                            "upper_2sigma": 46.8,
                            "phase": 0,
                            "baseline": False,
                            "classification": "common_cause",
                            "rules": [],
                        }
                    ],
                    "phases": [],
                    "summary": {"variation_icon": "common_cause"},
                    "targets": [],
                    "breaks": [],
                },  # fmt: skip
                response_only=True,
            )
        ],
    )
    def get(self, request):
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        scope, scope_id = query.validated_data["scope"], query.validated_data.get("id")
        scope_id, name = _scope_object(request.user, scope, scope_id)
        measure = measure_or_404(query.validated_data["measure"])
        view = query.validated_data["view"]
        stored = charts_with_view({"scope": scope, "scope_id": scope_id, "measure": measure}, view)
        key = (scope_id, measure.pk)
        data = chart_output(
            result=stored.chart.get(key), view=stored.view.get(key),
            name_view=view, scope=scope, scope_id=scope_id,
            name=name, measure=measure,
        )  # fmt: skip
        return Response(ChartOutput(data).data)
