"""API v1: stored SPC charts and the funnel-plot comparison of wards or trusts.

Charts are read from `StoredChart` (computed by the chart pipeline), never recomputed here."""

import datetime

from django.db.models import Q, Sum
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from measures.models import Measure, WeeklyCount, WeeklyReturn
from mhsip.api import MAX_ID, error_responses
from mhsip.weeks import latest_complete_week
from wards.access import get_region_for_user, get_scope_for_user, get_trust_for_user
from wards.models import Ward

from .funnel import DEFAULT_PROBS, funnel_curve_exposures, funnel_limits, funnel_points
from .models import Scope, StoredChart

RATE_UNIT = "per 1,000 occupied bed days"
COUNT_UNIT = "count per week"
RATE_MULTIPLIER = 1000


def _scope_object(user, scope: str, scope_id: int | None):
    """(id, name) of a scope the user may see; 404 otherwise. National charts sum every ward
    and name none, so every signed-in user may read them."""
    if scope == Scope.NATIONAL:
        return 0, "England (all wards in the programme)"
    found = get_scope_for_user(user, scope, scope_id)
    if scope == Scope.WARD:
        return found.pk, f"{found.name}, {found.trust.name}"
    return found.pk, found.name


def _measure(code: str) -> Measure:
    measure = Measure.objects.filter(code=code).first()
    if measure is None:
        raise Http404("No such measure.")
    return measure


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
        measure = _measure(query.validated_data["measure"])
        result = StoredChart.objects.filter(scope=scope, scope_id=scope_id, measure=measure).first()
        data = chart_output(
            result=result, scope=scope, scope_id=scope_id, name=name, measure=measure
        )
        return Response(ChartOutput(data).data)


# --- comparison (funnel plot) -------------------------------------------------------------


def comparison_data(*, wards, unit: str, measure: Measure, start, end) -> list[dict]:
    """Per ward (or trust): Σcount and Σoccupied bed days over submitted returns in
    [start, end] that have both, as the charts count them (a missing count drops its bed
    days: it is never a zero)."""
    rows = (
        WeeklyCount.objects.filter(
            measure=measure,
            weekly_return__ward__in=wards,
            weekly_return__status=WeeklyReturn.Status.SUBMITTED,
            weekly_return__occupied_bed_days__isnull=False,
            weekly_return__week_start__range=(start, end),
        )
        .values("weekly_return__ward_id" if unit == "ward" else "weekly_return__ward__trust_id")
        .annotate(count=Sum("count"), bed_days=Sum("weekly_return__occupied_bed_days"))
    )
    key = "weekly_return__ward_id" if unit == "ward" else "weekly_return__ward__trust_id"
    totals = {r[key]: (r["count"] or 0, r["bed_days"] or 0) for r in rows}
    if unit == "ward":
        names = {w.pk: (w.name, w.trust_id) for w in wards.select_related(None)}
    else:
        names = {t: (n, t) for t, n in wards.values_list("trust_id", "trust__name").distinct()}
    return [
        {"id": pk, "name": names[pk][0], "trust": names[pk][1], "count": c, "bed_days": b}
        for pk, (c, b) in sorted(totals.items(), key=lambda kv: names[kv[0]][0])
        if b > 0
    ]


class FunnelUnitOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="Ward or trust id.")
    name = serializers.CharField()
    trust = serializers.IntegerField(help_text="Trust id (the unit itself for trusts).")
    count = serializers.IntegerField()
    occupied_bed_days = serializers.IntegerField()
    rate = serializers.FloatField(help_text=f"Rate {RATE_UNIT}.")
    lower_95 = serializers.FloatField()
    upper_95 = serializers.FloatField()
    lower_998 = serializers.FloatField()
    upper_998 = serializers.FloatField()
    flag = serializers.ChoiceField(
        choices=["within", "above_0.95", "below_0.95", "above_0.998", "below_0.998"],
        help_text="The widest limit the rate is beyond, or within.",
    )


class FunnelCurveOutput(serializers.Serializer):
    occupied_bed_days = serializers.FloatField()
    lower_95 = serializers.FloatField()
    upper_95 = serializers.FloatField()
    lower_998 = serializers.FloatField()
    upper_998 = serializers.FloatField()


class ComparisonOutput(serializers.Serializer):
    scope = serializers.ChoiceField(choices=[("region", "Region"), ("trust", "Trust")])
    id = serializers.IntegerField()
    name = serializers.CharField()
    measure = serializers.CharField()
    unit_of_comparison = serializers.ChoiceField(choices=["ward", "trust"])
    start = serializers.DateField(help_text="Monday of the first week.")
    end = serializers.DateField(help_text="Monday of the last week.")
    rate_unit = serializers.CharField()
    method = serializers.CharField()
    target_rate = serializers.FloatField(
        help_text=f"The pooled rate of all units, {RATE_UNIT}: the funnel's centre."
    )
    total_count = serializers.IntegerField()
    total_occupied_bed_days = serializers.IntegerField()
    units = FunnelUnitOutput(many=True)
    curve = FunnelCurveOutput(many=True, help_text="The limits to draw, by bed days.")


METHOD_NOTE = (
    "Spiegelhalter (2005) funnel plot for Poisson rates: exact Poisson limits with "
    "interpolation (Stat Med 24:1185-1202, appendix A.1.1), 95% and 99.8% around the pooled rate"
)


class ComparisonApi(APIView):
    """Funnel-plot data for one measure over a period: each ward's (or trust's) rate per 1,000
    occupied bed days against its bed days, with 95% and 99.8% limits around the pooled rate
    of the region (or trust). Submitted returns only, as on the charts."""

    class FilterSerializer(serializers.Serializer):
        scope = serializers.ChoiceField(choices=[("region", "Region"), ("trust", "Trust")],
                                        default="region")  # fmt: skip
        id = serializers.IntegerField(
            min_value=1, max_value=MAX_ID, help_text="Region or trust id."
        )
        measure = serializers.SlugField(help_text="Measure code.")
        unit = serializers.ChoiceField(
            choices=[("ward", "Ward"), ("trust", "Trust")], default="ward",
            help_text="Compare wards, or trusts (region scope only).",
        )  # fmt: skip
        start = serializers.DateField(
            required=False, help_text="First week (a Monday; other days: that week). "
            "Default: 26 weeks before the end.",
        )  # fmt: skip
        end = serializers.DateField(
            required=False, help_text="Last week. Default: the latest complete week."
        )

        def validate(self, attrs):
            today = timezone.localdate()
            try:
                end = attrs.get("end") or latest_complete_week(today)
                end -= datetime.timedelta(days=end.weekday())
                start = attrs.get("start")
                if start is None:
                    start = end - datetime.timedelta(weeks=25)
                start -= datetime.timedelta(days=start.weekday())
            except OverflowError:
                raise serializers.ValidationError({"start": "Out of range."}) from None
            if start > end:
                raise serializers.ValidationError({"start": "The start is after the end."})
            if attrs["scope"] == "trust" and attrs["unit"] == "trust":
                raise serializers.ValidationError(
                    {"unit": "Within a trust the units compared are its wards."}
                )
            return {**attrs, "start": start, "end": end}

    @extend_schema(
        operation_id="comparison_retrieve",
        tags=["charts"],
        parameters=[FilterSerializer],
        responses={200: ComparisonOutput, **error_responses(400, 404)},
    )
    def get(self, request):
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        if q["scope"] == "region":
            scope, _ = get_region_for_user(request.user, q["id"])
            wards = Ward.objects.filter(trust__region=scope)
        else:
            scope, _ = get_trust_for_user(request.user, q["id"])
            wards = Ward.objects.filter(trust=scope)
        measure = _measure(q["measure"])
        units = comparison_data(
            wards=wards.filter(Q(active_to__isnull=True) | Q(active_to__gte=q["start"])),
            unit=q["unit"],
            measure=measure,
            start=q["start"],
            end=q["end"],
        )
        funnel = funnel_points(
            [u["count"] for u in units], [u["bed_days"] for u in units], DEFAULT_PROBS
        )
        max_bed_days = max((u["bed_days"] for u in units), default=0)
        curve = funnel_limits(funnel.target, funnel_curve_exposures(max_bed_days * 1.1))
        data = {
            "scope": q["scope"],
            "id": scope.pk,
            "name": scope.name,
            "measure": measure.code,
            "unit_of_comparison": q["unit"],
            "start": q["start"],
            "end": q["end"],
            "rate_unit": RATE_UNIT,
            "method": METHOD_NOTE,
            "target_rate": funnel.target,
            "total_count": funnel.total_count,
            "total_occupied_bed_days": int(funnel.total_exposure),
            "units": [
                {
                    "id": u["id"],
                    "name": u["name"],
                    "trust": u["trust"],
                    "count": u["count"],
                    "occupied_bed_days": u["bed_days"],
                    "rate": point.rate,
                    "lower_95": point.lower[0.95],
                    "upper_95": point.upper[0.95],
                    "lower_998": point.lower[0.998],
                    "upper_998": point.upper[0.998],
                    "flag": point.flag,
                }  # fmt: skip
                for u, point in zip(units, funnel.points, strict=True)
            ],
            "curve": [
                {
                    "occupied_bed_days": e,
                    "lower_95": curve.lower[0.95][i],
                    "upper_95": curve.upper[0.95][i],
                    "lower_998": curve.lower[0.998][i],
                    "upper_998": curve.upper[0.998][i],
                }  # fmt: skip
                for i, e in enumerate(curve.exposures)
            ],
        }
        return Response(ComparisonOutput(data).data)
