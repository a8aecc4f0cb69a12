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

RATE_UNIT = "per 1,000 occupied bed days"
COUNT_UNIT = "count per week"


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


def _at(values, i):
    return values[i] if values is not None and i < len(values) else None


class ChartPointOutput(serializers.Serializer):
    week_start = serializers.DateField()
    count = serializers.IntegerField(allow_null=True, help_text="Null: missing (not zero).")
    occupied_bed_days = serializers.IntegerField(allow_null=True)
    value = serializers.FloatField(
        allow_null=True, help_text="The plotted value, in the chart's `unit`."
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
        allow_null=True, help_text="u (rate), c (count), run, i (XmR), up (Laney u′)."
    )
    unit = serializers.CharField(
        allow_null=True,
        help_text=f"What `value`, centre and limits are: '{RATE_UNIT}' or '{COUNT_UNIT}'.",
    )
    points = ChartPointOutput(many=True)
    phases = serializers.ListField(child=serializers.DictField(), help_text="Engine phases.")
    summary = serializers.DictField(
        help_text="Latest point, baseline and current centre, recent value, percent change, "
        "variation and assurance icons, sustained signal, target (spc/README.md)."
    )
    targets = serializers.ListField(child=serializers.DictField())
    breaks = serializers.ListField(child=serializers.DictField())


def chart_output(*, result: StoredChart | None, scope, scope_id, name, measure) -> dict:
    base = {
        "scope": scope, "id": scope_id, "name": name, "measure": measure.code,
        "measure_name": measure.name, "status": "pending", "message": "", "stale": True,
        "computed_at": None, "chart": None, "unit": None, "points": [], "phases": [],
        "summary": {}, "targets": [], "breaks": [],
    }  # fmt: skip
    if result is None:
        base["message"] = "Not computed yet: it will be after the next refresh."
        return base
    payload = result.payload or {}
    base.update(stale=result.is_stale, computed_at=result.computed_at)
    if result.error and payload.get("status") != "ok":
        base.update(status="error", message="The chart could not be computed.")
        return base
    if payload.get("status") != "ok":
        base.update(status=payload.get("status", "pending"), message=payload.get("message", ""))
        return base
    engine = payload.get("engine") or {}
    p = engine.get("points") or {}
    chart = engine.get("chart")
    counts, bed_days = payload.get("counts"), payload.get("bed_days")
    unit = payload.get("unit")
    uses_rate = unit == "per 1,000 OBD" if unit else chart in ("u", "up")
    points = [
        {
            "week_start": date,
            "count": _at(counts, i),
            "occupied_bed_days": _at(bed_days, i),
            "value": _at(p.get("rate"), i),
            "centre": _at(p.get("centre"), i),
            "lower": _at(p.get("lower"), i),
            "upper": _at(p.get("upper"), i),
            "lower_2sigma": _at(p.get("lower_2sigma"), i),
            "upper_2sigma": _at(p.get("upper_2sigma"), i),
            "phase": _at(p.get("phase"), i),
            "baseline": _at(p.get("baseline"), i),
            "classification": _at(p.get("classification"), i),
            "rules": _at(p.get("rules"), i) or [],
        }
        for i, date in enumerate(p.get("date") or [])
    ]
    base.update(
        status="ok",
        chart=chart,
        unit=RATE_UNIT if uses_rate else COUNT_UNIT,
        points=points,
        phases=engine.get("phases") or [],
        summary=engine.get("summary") or {},
        targets=payload.get("targets") or [],
        breaks=payload.get("breaks") or [],
    )
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
                    "unit": RATE_UNIT,
                    "points": [
                        {
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
        result = StoredChart.objects.filter(scope=scope, scope_id=scope_id, measure=measure).first()
        data = chart_output(
            result=result, scope=scope, scope_id=scope_id, name=name, measure=measure
        )
        return Response(ChartOutput(data).data)
