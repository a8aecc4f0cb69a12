"""API v1: the PDSA cycles of a change idea: list, start the next, record its stages and
close it with its outcome (PATCH). Through the idea's ward: 404 out of scope, 403 read-only."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from mhsip.api import error_responses

from .. import pdsa_rules
from ..change_ideas import pdsa_cycle_add, pdsa_cycle_update
from ..selectors_pdsa import change_idea_for_user, cycle_for_user
from .change_ideas import CycleOutput, refused, text


class PdsaCycleListApi(APIView):
    class CycleCreateInputSerializer(serializers.Serializer):
        plan = text(help_text="What will change, and why.")
        prediction = text(help_text="What you predict will happen.")
        starts_on = serializers.DateField()
        ends_on = serializers.DateField(required=False, allow_null=True, default=None)
        owner_role = text(required=False, default="", help_text="A role, never a name.")

    @extend_schema(
        operation_id="pdsa_cycles_list",
        tags=["change ideas"],
        responses={200: CycleOutput(many=True), **error_responses(404)},
    )
    def get(self, request, idea_id: int):
        idea, _ = change_idea_for_user(request.user, idea_id)
        return Response(CycleOutput(idea.cycles.order_by("number"), many=True).data)

    @extend_schema(
        operation_id="pdsa_cycles_create",
        tags=["change ideas"],
        request=CycleCreateInputSerializer,
        responses={201: CycleOutput, **error_responses(400, 403, 404)},
    )
    def post(self, request, idea_id: int):
        """Start the idea's next cycle (once the last one is closed)."""
        idea, _ = change_idea_for_user(request.user, idea_id, write=True)
        data = self.CycleCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            cycle = pdsa_cycle_add(idea=idea, user=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise refused(error) from None
        return Response(CycleOutput(cycle).data, status=status.HTTP_201_CREATED)


class PdsaCycleDetailApi(APIView):
    class CycleUpdateInputSerializer(serializers.Serializer):
        owner_role = text(required=False)
        starts_on = serializers.DateField(required=False)
        ends_on = serializers.DateField(required=False, allow_null=True)
        plan = text(required=False)
        prediction = text(required=False)
        do = text(required=False, help_text="What happened.")
        study = text(required=False, help_text="What the data showed.")
        act = text(required=False, help_text="What happens next.")
        outcome = serializers.ChoiceField(
            choices=[("", "not yet"), *pdsa_rules.OUTCOME_LABELS.items()], required=False,
            help_text="adopt, adapt or abandon: closes the cycle (needs Act and ends_on).",
        )  # fmt: skip

    @extend_schema(
        operation_id="pdsa_cycles_retrieve",
        tags=["change ideas"],
        responses={200: CycleOutput, **error_responses(404)},
    )
    def get(self, request, idea_id: int, number: int):
        return Response(CycleOutput(cycle_for_user(request.user, idea_id, number)).data)

    @extend_schema(
        operation_id="pdsa_cycles_partial_update",
        tags=["change ideas"],
        request=CycleUpdateInputSerializer,
        responses={200: CycleOutput, **error_responses(400, 403, 404)},
    )
    def patch(self, request, idea_id: int, number: int):
        """Record Do, Study and Act as the cycle goes, or close it with its outcome."""
        cycle = cycle_for_user(request.user, idea_id, number, write=True)
        data = self.CycleUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            cycle = pdsa_cycle_update(cycle=cycle, user=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise refused(error) from None
        return Response(CycleOutput(cycle).data)
