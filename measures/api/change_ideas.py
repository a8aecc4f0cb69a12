"""API v1: change ideas (PDSA cycles) of the wards you can see."""

import django_filters
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from mhsip.api import IdFilter, error_responses
from mhsip.api_views import ListView
from wards.access import get_editable_ward_for_user, wards_visible_to

from ..change_ideas import change_idea_create, started_on_error
from ..models import ChangeIdea
from .common import editable_ward_in_body, free_text


class ChangeIdeaOutput(serializers.ModelSerializer):
    class Meta:
        model = ChangeIdea
        fields = ["id", "ward", "title", "started_on", "driver_area", "stage", "notes",
                  "created_at"]  # fmt: skip


class ChangeIdeaFilter(django_filters.FilterSet):
    ward = IdFilter(field_name="ward_id", help_text="Ward id.")
    trust = IdFilter(field_name="ward__trust_id", help_text="Trust id.")
    started_on = django_filters.DateFromToRangeFilter(
        help_text="started_on_after / started_on_before (inclusive, YYYY-MM-DD)."
    )

    class Meta:
        model = ChangeIdea
        fields = ["ward", "trust", "started_on"]


class ChangeIdeaListApi(ListView):
    """Change ideas (PDSA cycles) of the wards you can see; record one for a ward you can
    edit. Free text is about the change, never a patient: NHS numbers are refused."""

    OutputSerializer = ChangeIdeaOutput
    filterset_class = ChangeIdeaFilter

    class InputSerializer(serializers.Serializer):
        ward = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
        title = serializers.CharField(max_length=120)
        started_on = serializers.DateField()
        driver_area = serializers.CharField(max_length=120, required=False, default="",
                                            allow_blank=True)  # fmt: skip
        stage = serializers.ChoiceField(choices=ChangeIdea.Stage.choices, default="plan")
        notes = serializers.CharField(max_length=5000, required=False, default="",
                                      allow_blank=True)  # fmt: skip

        def validate_title(self, value):
            value = free_text(value)
            if not value:
                raise serializers.ValidationError("Name the change idea.")
            return value

        def validate_driver_area(self, value):
            return free_text(value)

        def validate_notes(self, value):
            return free_text(value)

        def validate_started_on(self, value):
            if message := started_on_error(value):
                raise serializers.ValidationError(message)
            return value

    def get_queryset(self):
        return ChangeIdea.objects.filter(ward__in=wards_visible_to(self.request.user)).order_by(
            "ward_id", "started_on", "pk"
        )

    @extend_schema(
        operation_id="change_ideas_list",
        tags=["change ideas"],
        responses={200: ChangeIdeaOutput(many=True), **error_responses(400, 404)},
    )
    def get(self, request):
        return self.list_response(request)

    @extend_schema(
        operation_id="change_ideas_create",
        tags=["change ideas"],
        request=InputSerializer,
        responses={201: ChangeIdeaOutput, **error_responses(400, 403, 404)},
        examples=[
            OpenApiExample(
                "Safewards",
                value={
                    "ward": 12,
                    "title": "Safewards calm-down methods",
                    "started_on": "2025-02-03",
                    "driver_area": "Safewards",
                    "stage": "do",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        editable_ward_in_body(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        ward = get_editable_ward_for_user(request.user, values.pop("ward"))
        idea = change_idea_create(ward=ward, user=request.user, **values)
        return Response(ChangeIdeaOutput(idea).data, status=status.HTTP_201_CREATED)


class ChangeIdeaDetailApi(APIView):
    @extend_schema(
        operation_id="change_ideas_retrieve",
        tags=["change ideas"],
        responses={200: ChangeIdeaOutput, **error_responses(404)},
    )
    def get(self, request, idea_id: int):
        idea = ChangeIdea.objects.filter(
            pk=idea_id, ward__in=wards_visible_to(request.user)
        ).first()
        if idea is None:
            raise Http404("No such change idea.")
        return Response(ChangeIdeaOutput(idea).data)
