"""API v1: the funnel-plot comparison of the wards or trusts of a region (or the wards of a
trust), from the same selector as the region page (spc.selectors.funnel_units)."""

import datetime

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from mhsip.api import MAX_ID, error_responses
from mhsip.weeks import latest_complete_week, validate_programme_date
from wards.access import get_region_for_user, get_trust_for_user

from ..funnel import DEFAULT_PROBS, funnel_curve_exposures, funnel_limits, funnel_points
from ..selectors import funnel_units
from .charts import RATE_UNIT, measure_or_404


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
            required=False, validators=[validate_programme_date],
            help_text="First week (a Monday; other days: that week). "
            "Default: 26 weeks before the end.",
        )  # fmt: skip
        end = serializers.DateField(
            required=False, validators=[validate_programme_date],
            help_text="Last week. Default: the latest complete week.",
        )  # fmt: skip

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
        else:
            scope, _ = get_trust_for_user(request.user, q["id"])
        measure = measure_or_404(q["measure"])
        units = funnel_units(scope, measure, q["start"], q["end"], q["unit"])
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
