"""API v1: the measure catalogue and the programmes (targets, deadlines, enrolled wards)."""

from django.db.models import Prefetch, Q
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from mhsip.api import error_responses
from mhsip.api_views import ListView
from wards.access import wards_visible_to

from ..models import Enrolment, Measure, Programme


class MeasureOutput(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Measure
        fields = [
            "id", "code", "name", "domain", "kind", "improvement", "unit", "definition",
            "includes", "excludes", "mhsds_codes", "parent", "display_order", "is_active",
        ]  # fmt: skip


def measures_visible_to(user):
    """The national catalogue and the local measures of trusts where the user sees a ward."""
    trusts = wards_visible_to(user).values("trust_id")
    return Measure.objects.filter(Q(local__isnull=True) | Q(local__trust__in=trusts))


class MeasureListApi(ListView):
    """The measure catalogue with each measure's operational definition (everyone may read)."""

    OutputSerializer = MeasureOutput

    def get_queryset(self):
        return measures_visible_to(self.request.user).select_related("parent").order_by(
            "display_order", "name"
        )

    @extend_schema(
        operation_id="measures_list",
        tags=["catalogue"],
        responses={200: MeasureOutput(many=True), **error_responses(400, 404)},
    )
    def get(self, request):
        return self.list_response(request)


class MeasureDetailApi(APIView):
    @extend_schema(
        operation_id="measures_retrieve",
        tags=["catalogue"],
        responses={200: MeasureOutput, **error_responses(404)},
    )
    def get(self, request, code: str):
        # A NUL cannot be in a code, and PostgreSQL refuses it in a query: not found.
        visible = measures_visible_to(request.user).select_related("parent")
        measure = None if "\x00" in code else visible.filter(code=code).first()
        if measure is None:
            raise Http404("No such measure.")
        return Response(MeasureOutput(measure).data)


class EnrolmentOutput(serializers.Serializer):
    ward = serializers.IntegerField(source="ward_id")
    joined_on = serializers.DateField()


class ProgrammeOutput(serializers.ModelSerializer):
    measures = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    enrolments = serializers.SerializerMethodField(
        help_text="The wards you can see that are enrolled, and the week each joined."
    )

    class Meta:
        model = Programme
        fields = [
            "id", "name", "description", "reduction_percent", "deadline", "measures",
            "enrolments",
        ]  # fmt: skip

    @extend_schema_field(EnrolmentOutput(many=True))
    def get_enrolments(self, programme) -> list:
        return EnrolmentOutput(programme.visible_enrolments, many=True).data


def _programmes(user):
    visible = Enrolment.objects.filter(ward__in=wards_visible_to(user)).order_by("ward_id")
    return Programme.objects.prefetch_related(
        "measures", Prefetch("enrolments", queryset=visible, to_attr="visible_enrolments")
    ).order_by("deadline", "name")


class ProgrammeListApi(ListView):
    """Programmes (reduction targets and deadlines) with the enrolled wards you can see."""

    OutputSerializer = ProgrammeOutput

    def get_queryset(self):
        return _programmes(self.request.user)

    @extend_schema(
        operation_id="programmes_list",
        tags=["catalogue"],
        responses={200: ProgrammeOutput(many=True), **error_responses(400, 404)},
    )
    def get(self, request):
        return self.list_response(request)


class ProgrammeDetailApi(APIView):
    @extend_schema(
        operation_id="programmes_retrieve",
        tags=["catalogue"],
        responses={200: ProgrammeOutput, **error_responses(404)},
    )
    def get(self, request, programme_id: int):
        programme = _programmes(request.user).filter(pk=programme_id).first()
        if programme is None:
            raise Http404("No such programme.")
        return Response(ProgrammeOutput(programme).data)


# --- weekly returns -----------------------------------------------------------------------
