"""API v1: a trust's breakdowns by group (equity/pages.py), suppressed for anyone outside
the trust exactly as on the page: a hidden count is null with `suppressed: true`."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from mhsip.api import error_responses
from wards.access import get_trust_for_user, is_inside_trust

from . import pages
from .disproportion import disproportion
from .groups import DIMENSIONS


class GroupOutput(serializers.Serializer):
    group = serializers.CharField()
    reference = serializers.BooleanField()
    suppressed = serializers.BooleanField(help_text="Events (and what is made from them) hidden.")
    events = serializers.IntegerField(allow_null=True)
    occupied_bed_days = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text="Per 1,000 occupied bed days.")
    rate_ratio = serializers.FloatField(allow_null=True)
    ci_lower = serializers.FloatField(allow_null=True, help_text="Exact conditional 95% CI.")
    ci_upper = serializers.FloatField(allow_null=True, help_text="Null: no upper bound.")
    enough_events = serializers.BooleanField(allow_null=True)
    baseline_rate_ratio = serializers.FloatField(allow_null=True)


class BreakdownOutput(serializers.Serializer):
    breakdown = serializers.ChoiceField(choices=list(DIMENSIONS))
    weeks_from = serializers.DateField(allow_null=True)
    weeks_to = serializers.DateField(allow_null=True)
    sentences = serializers.ListField(child=serializers.CharField())
    groups = GroupOutput(many=True)


def _group(row) -> dict:
    ratio = row.ratio
    return {
        "group": row.group, "reference": row.is_reference, "suppressed": row.events is None,
        "events": row.events, "occupied_bed_days": row.bed_days, "rate": row.rate,
        "rate_ratio": ratio.ratio if ratio else None, "ci_lower": ratio.lower if ratio else None,
        "ci_upper": ratio.upper if ratio else None,
        "enough_events": ratio.enough_events if ratio else None,
        "baseline_rate_ratio": row.baseline_ratio,
    }  # fmt: skip


class TrustEquityApi(APIView):
    @extend_schema(
        operation_id="trust_equity", responses={200: BreakdownOutput(many=True),
                                                **error_responses(404)},
        parameters=[OpenApiParameter("measure", str), OpenApiParameter("weeks", int)],
        summary="A trust's restrictive practice by group: rates, rate ratios, exact CIs.",
    )  # fmt: skip
    def get(self, request, trust_id):
        trust, _ = get_trust_for_user(request.user, trust_id)
        choice = pages.choice_from(request.query_params)
        show_small = is_inside_trust(request.user, trust)
        out = []
        for dimension in DIMENSIONS:
            table = disproportion("trust", trust.pk, choice.measure, dimension,
                                  weeks=choice.weeks, show_small_numbers=show_small)  # fmt: skip
            out.append({"breakdown": dimension, "weeks_from": table.start,
                        "weeks_to": table.end, "sentences": table.sentences,
                        "groups": [_group(r) for r in table.rows]})  # fmt: skip
        return Response(BreakdownOutput(out, many=True).data)
