"""API v1: regions, trusts and wards, each scoped by wards.access (others are 404)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from mhsip.api import IdFilter, error_responses
from mhsip.api_views import ListView

from .access import (
    get_region_for_user,
    get_trust_for_user,
    get_ward_for_user,
    regions_visible_to,
    trusts_visible_to,
    wards_editable_by,
    wards_visible_to,
)
from .models import Region, Trust, Ward


class RegionOutput(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "name", "code"]


class TrustOutput(serializers.ModelSerializer):
    region = RegionOutput()

    class Meta:
        model = Trust
        fields = ["id", "name", "ods_code", "region"]


class TrustBrief(serializers.ModelSerializer):
    region_id = serializers.IntegerField()

    class Meta:
        model = Trust
        fields = ["id", "name", "ods_code", "region_id"]


class WardOutput(serializers.ModelSerializer):
    trust = TrustBrief()
    ward_type_label = serializers.CharField(source="get_ward_type_display")
    can_edit = serializers.SerializerMethodField(
        help_text="Whether you may enter and change this ward's returns."
    )

    class Meta:
        model = Ward
        fields = [
            "id", "name", "code", "ward_type", "ward_type_label", "beds", "active_from",
            "active_to", "trust", "can_edit",
        ]  # fmt: skip

    def get_can_edit(self, ward) -> bool:
        editable = self.context.get("editable_ids")
        if editable is None:
            return wards_editable_by(self.context["request"].user).filter(pk=ward.pk).exists()
        return ward.pk in editable


WARD_EXAMPLE = {
    "id": 12, "name": "Oak Ward", "code": "oak", "ward_type": "acute_adult",
    "ward_type_label": "Acute adult", "beds": 20, "active_from": "2019-04-01",
    "active_to": None, "trust": {"id": 3, "name": "Moorside NHS Foundation Trust",
                                 "ods_code": "RX4", "region_id": 1},
    "can_edit": True,
}  # fmt: skip


class RegionListApi(ListView):
    """Regions (Patient Safety Collaboratives) you can see: a facilitator's region, or all
    for an admin."""

    OutputSerializer = RegionOutput

    def get_queryset(self):
        return regions_visible_to(self.request.user).order_by("name")

    @extend_schema(
        operation_id="regions_list",
        tags=["organisations"],
        responses={200: RegionOutput(many=True), **error_responses(400, 404)},
    )
    def get(self, request):
        return self.list_response(request)


class RegionDetailApi(APIView):
    @extend_schema(
        operation_id="regions_retrieve",
        tags=["organisations"],
        responses={200: RegionOutput, **error_responses(404)},
    )
    def get(self, request, region_id: int):
        return Response(RegionOutput(get_region_for_user(request.user, region_id)[0]).data)


class TrustFilter(django_filters.FilterSet):
    region = IdFilter(field_name="region_id", help_text="Region id.")
    ods_code = django_filters.CharFilter(lookup_expr="iexact", help_text="e.g. RX4")

    class Meta:
        model = Trust
        fields = ["region", "ods_code"]


class TrustListApi(ListView):
    """Trusts whose trust-level data you can see (a QI lead's trust, a facilitator's region)."""

    OutputSerializer = TrustOutput
    filterset_class = TrustFilter

    def get_queryset(self):
        return trusts_visible_to(self.request.user).select_related("region").order_by("name")

    @extend_schema(
        operation_id="trusts_list",
        tags=["organisations"],
        responses={200: TrustOutput(many=True), **error_responses(400, 404)},
    )
    def get(self, request):
        return self.list_response(request)


class TrustDetailApi(APIView):
    @extend_schema(
        operation_id="trusts_retrieve",
        tags=["organisations"],
        responses={200: TrustOutput, **error_responses(404)},
    )
    def get(self, request, trust_id: int):
        return Response(TrustOutput(get_trust_for_user(request.user, trust_id)[0]).data)


class WardFilter(django_filters.FilterSet):
    trust = IdFilter(field_name="trust_id", help_text="Trust id.")
    region = IdFilter(field_name="trust__region_id", help_text="Region id.")
    ward_type = django_filters.ChoiceFilter(choices=Ward.Type.choices)
    active = django_filters.BooleanFilter(
        method="filter_active", help_text="true: open today; false: closed."
    )

    class Meta:
        model = Ward
        fields = ["trust", "region", "ward_type", "active"]

    def filter_active(self, queryset, name, value):
        today = timezone.localdate()
        open_today = Q(active_from__lte=today) & (
            Q(active_to__isnull=True) | Q(active_to__gte=today)
        )
        return queryset.filter(open_today) if value else queryset.exclude(open_today)


class WardListApi(ListView):
    """Wards you can see: your own wards (ward staff), your trust's (QI lead), your region's
    (facilitator), or all (admin)."""

    OutputSerializer = WardOutput
    filterset_class = WardFilter

    def get_queryset(self):
        return (
            wards_visible_to(self.request.user)
            .select_related("trust")
            .order_by("trust__name", "name")
        )

    def get_serializer_context(self):
        editable = set(wards_editable_by(self.request.user).values_list("pk", flat=True))
        return {**super().get_serializer_context(), "editable_ids": editable}

    @extend_schema(
        operation_id="wards_list",
        tags=["organisations"],
        responses={200: WardOutput(many=True), **error_responses(400, 404)},
        examples=[OpenApiExample("A ward", value=WARD_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        return self.list_response(request)


class WardDetailApi(APIView):
    @extend_schema(
        operation_id="wards_retrieve",
        tags=["organisations"],
        responses={200: WardOutput, **error_responses(404)},
        examples=[OpenApiExample("A ward", value=WARD_EXAMPLE, response_only=True)],
    )
    def get(self, request, ward_id: int):
        ward, _ = get_ward_for_user(request.user, ward_id)
        return Response(WardOutput(ward, context={"request": request}).data)
