"""API v1: weekly returns, one at a time. Writes go through the same service as the web form
(`measures.services`), with the same rules (`measures.rules`) and the same permissions."""

import django_filters
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from mhsip.api import IdFilter, ProgrammeDateTimeFilter, error_responses
from mhsip.api_views import ListView
from wards.access import can_manage_ward, get_editable_ward_for_user, wards_visible_to

from .. import rules
from ..deletion import weekly_return_delete
from ..errors import ConcurrentEditError, ReturnRefused
from ..models import Measure, WeeklyCount, WeeklyReturn, WeeklyValue
from ..services import weekly_return_record
from .common import (
    ETAG,
    IF_MATCH,
    concurrent_as_api_error,
    editable_ward_in_body,
    expected_version,
    free_text,
    refused_as_api_error,
    with_etag,
)
from .fields import (
    CountsSchema,
    IncidentDatesSchema,
    ValuesSchema,
    values_of,
)
from .return_inputs import ReturnCreateInput, ReturnUpdateInput

TAGS_RETURNS = ["returns"]
class ReturnOutput(serializers.ModelSerializer):
    trust = serializers.IntegerField(source="ward.trust_id")
    week_end = serializers.DateField(help_text="The Sunday the week ends on.")
    counts = serializers.SerializerMethodField()
    incident_dates = serializers.SerializerMethodField()
    values = serializers.SerializerMethodField()

    class Meta:
        model = WeeklyReturn
        fields = [
            "id", "ward", "trust", "week_start", "week_end", "beds", "occupied_bed_days",
            "status", "version", "counts", "incident_dates", "not_collected", "values",
            "submitted_at", "created_at",
            "updated_at",
        ]  # fmt: skip

    @extend_schema_field(CountsSchema)
    def get_counts(self, weekly_return) -> dict:
        codes = self.context.get("measure_codes") or dict(Measure.objects.values_list("id", "code"))
        only = self.context.get("only_measure")
        return {
            codes[c.measure_id]: c.count
            for c in sorted(weekly_return.counts.all(), key=lambda c: codes[c.measure_id])
            if only is None or c.measure_id == only
        }

    @extend_schema_field(ValuesSchema)
    def get_values(self, weekly_return) -> dict:
        codes = self.context.get("measure_codes") or dict(Measure.objects.values_list("id", "code"))
        return values_of(weekly_return.values.all(), codes, self.context.get("only_measure"))

    @extend_schema_field(IncidentDatesSchema)
    def get_incident_dates(self, weekly_return) -> dict:
        codes = self.context.get("measure_codes") or dict(Measure.objects.values_list("id", "code"))
        only = self.context.get("only_measure")
        return {
            codes[c.measure_id]: sorted(d.occurred_on.isoformat() for d in c.dates.all())
            for c in sorted(weekly_return.counts.all(), key=lambda c: codes[c.measure_id])
            if (only is None or c.measure_id == only) and c.dates.all()
        }


RETURN_EXAMPLE = {
    "id": 5012, "ward": 12, "trust": 3, "week_start": "2025-03-03", "week_end": "2025-03-09",
    "beds": 20, "occupied_bed_days": 133, "status": "submitted", "version": 2,
    "counts": {"physical_restraint": 4, "prone_restraint": 1, "seclusion": 0},
    "incident_dates": {"prone_restraint": ["2025-03-05"]},
    "values": {"restraint_debrief_72h": {"numerator": 3, "denominator": 4}},
    "submitted_at": "2025-03-10T09:12:44Z", "created_at": "2025-03-10T09:02:10Z",
    "updated_at": "2025-03-10T09:12:44Z",
}  # fmt: skip


def _visible_return(user, return_id: int) -> WeeklyReturn:
    weekly_return = (
        WeeklyReturn.objects.filter(pk=return_id, ward__in=wards_visible_to(user))
        .select_related("ward")
        .prefetch_related("counts__dates", "values")
        .first()
    )
    if weekly_return is None:
        raise Http404("No such return.")
    return weekly_return


def _record(*, creating: bool, **kwargs) -> WeeklyReturn:
    """The service, its errors as the API's answers."""
    try:
        return weekly_return_record(**kwargs)
    except ReturnRefused as error:
        raise refused_as_api_error(error) from None
    except ConcurrentEditError as error:
        raise concurrent_as_api_error(error, creating=creating) from None


class ReturnFilter(django_filters.FilterSet):
    ward = IdFilter(field_name="ward_id", help_text="Ward id.")
    trust = IdFilter(field_name="ward__trust_id", help_text="Trust id.")
    region = IdFilter(field_name="ward__trust__region_id", help_text="Region id.")
    measure = django_filters.CharFilter(
        method="filter_measure",
        help_text="A measure code: only returns with a count (or figure) of it, showing only that.",
    )
    week_start = django_filters.DateFromToRangeFilter(
        help_text="week_start_after / week_start_before: weeks starting in this range "
        "(inclusive, YYYY-MM-DD)."
    )
    status = django_filters.ChoiceFilter(choices=WeeklyReturn.Status.choices)
    updated_since = ProgrammeDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Changed at or after (ISO 8601)."
    )

    class Meta:
        model = WeeklyReturn
        fields = ["ward", "trust", "region", "measure", "week_start", "status", "updated_since"]

    def filter_measure(self, queryset, name, value):
        measure = Measure.objects.filter(code=value).first()
        if measure is None:
            raise ValidationError({"measure": [f"Unknown measure code {value!r}."]})
        return queryset.filter(
            Exists(WeeklyCount.objects.filter(weekly_return=OuterRef("pk"), measure=measure))
            | Exists(WeeklyValue.objects.filter(weekly_return=OuterRef("pk"), measure=measure))
        )


class ReturnListApi(ListView):
    """Weekly returns of the wards you can see; create one for a ward you can edit."""

    OutputSerializer = ReturnOutput
    filterset_class = ReturnFilter

    def get_queryset(self):
        return (
            WeeklyReturn.objects.filter(ward__in=wards_visible_to(self.request.user))
            .select_related("ward")
            .prefetch_related("counts__dates", "values")
            .order_by("ward_id", "week_start")
        )

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "measure_codes": dict(Measure.objects.values_list("id", "code")),
            "only_measure": Measure.objects.filter(
                code=self.request.query_params.get("measure") or None
            )
            .values_list("pk", flat=True)
            .first(),
        }

    @extend_schema(
        operation_id="returns_list",
        tags=TAGS_RETURNS,
        responses={200: ReturnOutput(many=True), **error_responses(400, 404)},
        examples=[OpenApiExample("A return", value=RETURN_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        return self.list_response(request)

    @extend_schema(
        operation_id="returns_create",
        tags=TAGS_RETURNS,
        parameters=[ETAG],
        request=ReturnCreateInput,
        responses={
            201: OpenApiResponse(ReturnOutput, description="Created."),
            **error_responses(400, 403, 404, 409),
        },
        examples=[
            OpenApiExample(
                "A submitted week",
                value={
                    "ward": 12,
                    "week_start": "2025-03-03",
                    "occupied_bed_days": 133,
                    "counts": {"physical_restraint": 4, "seclusion": 0},
                    "incident_dates": {"physical_restraint": ["2025-03-04", "2025-03-06"]},
                    "submit": True,
                },  # fmt: skip
                request_only=True,
            ),
            OpenApiExample(
                "Created", value=RETURN_EXAMPLE, response_only=True, status_codes=["201"]
            ),
        ],
    )
    def post(self, request):
        editable_ward_in_body(request)
        data = ReturnCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        ward = get_editable_ward_for_user(request.user, values["ward"])
        # The answer is read in the write's transaction, under its row lock: it (and its ETag)
        # describe this write, never a later one by someone else.
        with transaction.atomic():
            weekly_return = _record(
                creating=True,
                ward=ward,
                week_start=values["week_start"],
                user=request.user,
                counts=values["counts"],
                occupied_bed_days=values["occupied_bed_days"],
                beds=values.get("beds"),
                submit=values["submit"],
                expected_version=0,  # the caller saw no return for this week
                reason=values["reason"],
                confirm_implausible=values["confirm_implausible"],
                incident_dates=values["incident_dates"],
                not_collected=values.get("not_collected"),
                values=values["values"],
            )
            weekly_return = _visible_return(request.user, weekly_return.pk)
        response = Response(
            ReturnOutput(weekly_return).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/returns/{weekly_return.pk}/"},
        )
        return with_etag(response, weekly_return)


class ReturnDetailApi(APIView):
    """One weekly return. Updates need the version you read (If-Match or `version`): if it
    changed since, the update is refused with 412 rather than overwriting someone's edit."""

    @extend_schema(
        operation_id="returns_retrieve",
        tags=TAGS_RETURNS,
        parameters=[ETAG],
        responses={200: ReturnOutput, **error_responses(404)},
        examples=[OpenApiExample("A return", value=RETURN_EXAMPLE, response_only=True)],
    )
    def get(self, request, return_id: int):
        weekly_return = _visible_return(request.user, return_id)
        return with_etag(Response(ReturnOutput(weekly_return).data), weekly_return)

    def _update(self, request, return_id: int, *, partial: bool):
        weekly_return = _visible_return(request.user, return_id)
        ward = get_editable_ward_for_user(request.user, weekly_return.ward_id)
        data = ReturnUpdateInput(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        expected = expected_version(request, values.get("version"), required=True)
        bed_days = values.get("occupied_bed_days", weekly_return.occupied_bed_days)
        # Read back under the write's row lock (see post): the answer is this write.
        with transaction.atomic():
            _record(
                creating=False,
                ward=ward,
                week_start=weekly_return.week_start,
                user=request.user,
                counts=values.get("counts", {}),
                occupied_bed_days=bed_days,
                beds=values.get("beds"),
                submit=values.get("submit", False),
                expected_version=expected,
                reason=values.get("reason", ""),
                confirm_implausible=values.get("confirm_implausible", False),
                incident_dates=values.get("incident_dates", {}),
                not_collected=values.get("not_collected"),
                values=values.get("values", {}),
            )
            weekly_return = _visible_return(request.user, return_id)
        return with_etag(Response(ReturnOutput(weekly_return).data), weekly_return)

    UPDATE_SCHEMA = {
        "tags": TAGS_RETURNS,
        "parameters": [IF_MATCH, ETAG],
        "responses": {200: ReturnOutput, **error_responses(400, 403, 404, 412, 428)},
        "examples": [
            OpenApiExample(
                "Correct a count",
                value={"version": 2, "counts": {"physical_restraint": 5}, "occupied_bed_days": 133},
                request_only=True,
            )
        ],
    }

    @extend_schema(operation_id="returns_update", request=ReturnUpdateInput, **UPDATE_SCHEMA)
    def put(self, request, return_id: int):
        return self._update(request, return_id, partial=False)

    @extend_schema(operation_id="returns_partial_update", request=ReturnUpdateInput,
                   **UPDATE_SCHEMA)  # fmt: skip
    def patch(self, request, return_id: int):
        return self._update(request, return_id, partial=True)

    @extend_schema(
        operation_id="returns_destroy",
        tags=TAGS_RETURNS,
        parameters=[
            IF_MATCH,
            OpenApiParameter(
                "reason",
                OpenApiTypes.STR,
                description="Why it is deleted (kept in history); always needed.",
            ),
        ],
        responses={204: None, **error_responses(400, 403, 404, 412, 428)},
    )
    def delete(self, request, return_id: int):
        """Delete a return restorably (the audit page restores it for 90 days): for the
        trust's QI lead and admins, with a reason."""
        weekly_return = _visible_return(request.user, return_id)
        if not can_manage_ward(request.user, weekly_return.ward):
            raise PermissionDenied(rules.DELETE_ROLE_MESSAGE)
        expected = expected_version(request, None, required=True)
        try:
            reason = free_text(request.query_params.get("reason", ""))[:100]
        except serializers.ValidationError as error:
            raise ValidationError({"reason": error.detail}) from None
        try:
            weekly_return_delete(weekly_return=weekly_return, user=request.user,
                                 expected_version=expected, reason=reason)  # fmt: skip
        except ReturnRefused as error:
            raise refused_as_api_error(error) from None
        except ConcurrentEditError as error:
            raise concurrent_as_api_error(error, creating=False) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


