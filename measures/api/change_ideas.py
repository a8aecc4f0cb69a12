"""API v1: change ideas of the wards you can see, the measures they target and their PDSA
cycles (the cycles' own endpoints are in pdsa_cycles.py). The same services as the pages."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from mhsip.api import NON_FIELD, IdFilter, error_responses
from mhsip.api_views import ListView
from wards.access import get_editable_ward_for_user, wards_visible_to

from .. import pdsa_rules
from ..change_ideas import change_idea_create, change_idea_update
from ..models import ChangeIdea, PdsaCycle
from ..selectors_pdsa import change_idea_for_user, change_ideas_of
from .common import editable_ward_in_body

# Far above every rule's limit (pdsa_rules.MAX_TEXT): the rules give the message, this only
# bounds what a request can make the server read.
MAX_BODY_TEXT = 20_000


def text(**kwargs):
    return serializers.CharField(max_length=MAX_BODY_TEXT, allow_blank=True, trim_whitespace=False,
                                 **kwargs)  # fmt: skip


class CycleOutput(serializers.ModelSerializer):
    stage = serializers.ChoiceField(choices=list(pdsa_rules.STAGE_LABELS.items()),
                                    read_only=True,
                                    help_text="Derived: the furthest stage filled in.")

    class Meta:
        model = PdsaCycle
        fields = ["number", "stage", "owner_role", "starts_on", "ends_on", "plan", "prediction",
                  "do", "study", "act", "outcome", "created_at", "updated_at"]  # fmt: skip


class ChangeIdeaOutput(serializers.ModelSerializer):
    measures = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True,
                                            help_text="Codes of the measures it targets.")
    stage = serializers.ChoiceField(choices=list(pdsa_rules.STAGE_LABELS.items()),
                                    read_only=True, help_text="Its latest cycle's stage.")
    cycles = CycleOutput(many=True, read_only=True)

    class Meta:
        model = ChangeIdea
        fields = ["id", "ward", "title", "started_on", "driver_area", "notes", "measures",
                  "stage", "cycles", "created_at"]  # fmt: skip


class StageFilter(django_filters.ChoiceFilter):
    """The latest cycle's stage, derived from its text (not a column): filtered over the
    scoped list, as the pages do."""

    def filter(self, queryset, value):
        if not value:
            return queryset
        ideas = queryset.prefetch_related("cycles")
        return queryset.filter(pk__in=[i.pk for i in ideas if i.stage == value])


class ChangeIdeaFilter(django_filters.FilterSet):
    ward = IdFilter(field_name="ward_id", help_text="Ward id.")
    trust = IdFilter(field_name="ward__trust_id", help_text="Trust id.")
    started_on = django_filters.DateFromToRangeFilter(
        help_text="started_on_after / started_on_before (inclusive, YYYY-MM-DD)."
    )
    measure = django_filters.CharFilter(field_name="measures__code",
                                        help_text="Ideas targeting this measure (its code).")
    driver_area = django_filters.CharFilter(lookup_expr="iexact",
                                            help_text="Driver diagram area (any case).")
    stage = StageFilter(choices=list(pdsa_rules.STAGE_LABELS.items()),
                        help_text="The stage of the idea's latest cycle.")

    class Meta:
        model = ChangeIdea
        fields = ["ward", "trust", "started_on", "measure", "driver_area", "stage"]


def refused(error: DjangoValidationError, *, cycle_fields=()) -> ValidationError:
    """A service's refusal as a 400, the first cycle's fields nested under `cycle`."""
    errors = {}
    for key, messages in error.message_dict.items():
        name = NON_FIELD if key == "__all__" else f"cycle.{key}" if key in cycle_fields else key
        errors[name] = messages
    return ValidationError(errors)


class FirstCycleInput(serializers.Serializer):
    plan = text(help_text="What will change, and why.")
    prediction = text(help_text="What you predict will happen.")
    starts_on = serializers.DateField(required=False, allow_null=True, default=None,
                                      help_text="Blank: the idea's start.")
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    owner_role = text(required=False, default="", help_text="A role, never a name.")


class ChangeIdeaListApi(ListView):
    """Change ideas (with their PDSA cycles) of the wards you can see; record one, with its
    first cycle's plan and the measures it targets, for a ward you can edit. Free text is
    about the change, never a patient: NHS numbers are refused."""

    OutputSerializer = ChangeIdeaOutput
    filterset_class = ChangeIdeaFilter

    class InputSerializer(serializers.Serializer):
        ward = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
        title = text()
        started_on = serializers.DateField()
        driver_area = text(required=False, default="")
        notes = text(required=False, default="")
        measures = serializers.ListField(child=serializers.CharField(max_length=40),
                                         max_length=100, allow_empty=True,
                                         help_text="Codes of the measures it aims to improve.")
        cycle = FirstCycleInput(help_text="The first PDSA cycle: its plan and prediction.")

    def get_queryset(self):
        return change_ideas_of(wards_visible_to(self.request.user)).order_by(
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
                    "ward": 12, "title": "Safewards calm-down methods",
                    "started_on": "2025-02-03", "driver_area": "Safewards",
                    "measures": ["physical_restraint", "prone_restraint"],
                    "cycle": {"plan": "Calm-down box on the late shift: most restraints "
                              "start there.", "prediction": "Fewer restraints in 4 weeks.",
                              "owner_role": "Charge nurse"},
                },  # fmt: skip
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
        cycle = values.pop("cycle")
        try:
            idea = change_idea_create(ward=ward, user=request.user, **values, **cycle)
        except DjangoValidationError as error:
            raise refused(error, cycle_fields=FirstCycleInput().fields) from None
        return Response(ChangeIdeaOutput(change_ideas_of([ward]).get(pk=idea.pk)).data,
                        status=status.HTTP_201_CREATED)  # fmt: skip


class ChangeIdeaDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        title = text(required=False)
        started_on = serializers.DateField(required=False)
        driver_area = text(required=False)
        notes = text(required=False)
        measures = serializers.ListField(child=serializers.CharField(max_length=40),
                                         max_length=100, required=False,
                                         help_text="Codes of the measures it aims to improve.")

    @extend_schema(
        operation_id="change_ideas_retrieve",
        tags=["change ideas"],
        responses={200: ChangeIdeaOutput, **error_responses(404)},
    )
    def get(self, request, idea_id: int):
        idea, _ = change_idea_for_user(request.user, idea_id)
        return Response(ChangeIdeaOutput(change_ideas_of([idea.ward]).get(pk=idea.pk)).data)

    @extend_schema(
        operation_id="change_ideas_partial_update",
        tags=["change ideas"],
        request=InputSerializer,
        responses={200: ChangeIdeaOutput, **error_responses(400, 403, 404)},
    )
    def patch(self, request, idea_id: int):
        """Change the idea's title, start, driver area, notes or the measures it targets
        (each change kept in its history)."""
        idea, _ = change_idea_for_user(request.user, idea_id, write=True)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            change_idea_update(idea=idea, user=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise refused(error) from None
        return Response(ChangeIdeaOutput(change_ideas_of([idea.ward]).get(pk=idea.pk)).data)
