"""API v1: the measure catalogue, programmes, weekly returns (one at a time and in bulk) and
change ideas. Writes go through the same services as the web pages, with the same rules."""

import json

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
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
from rest_framework.exceptions import ParseError, PermissionDenied, ValidationError
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from mhsip.api import (
    MAX_ID,
    NON_FIELD,
    ErrorSerializer,
    IdFilter,
    api_error,
    django_errors,
    error_body,
    error_responses,
)
from mhsip.api_views import ListView
from mhsip.freshness import charts_stale
from mhsip.text import clean_free_text
from tokens.throttling import TokenBulkRateThrottle, TokenRateThrottle
from wards.access import (
    get_editable_ward_for_user,
    manages_any_trust,
    wards_visible_to,
)

from .change_ideas import change_idea_create
from .importing import MAX_COUNT, ParsedFile, ParsedRow
from .models import MONDAY_MESSAGE, ChangeIdea, Measure, Programme, WeeklyCount, WeeklyReturn
from .services import (
    ConcurrentEditError,
    ImportRefused,
    late_edit_needs_reason,
    weekly_return_record,
    weekly_returns_import_commit,
)

MAX_BEDS = 32_767  # PositiveSmallIntegerField
MAX_BED_DAYS = MAX_BEDS * 7
BULK_MAX_ITEMS = 10_000
TAGS_RETURNS = ["returns"]


# --- catalogue and programmes -------------------------------------------------------------


class MeasureOutput(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Measure
        fields = [
            "id", "code", "name", "domain", "kind", "improvement", "unit", "definition",
            "includes", "excludes", "mhsds_codes", "parent", "display_order", "is_active",
        ]  # fmt: skip


class MeasureListApi(ListView):
    """The measure catalogue with each measure's operational definition (everyone may read)."""

    OutputSerializer = MeasureOutput

    def get_queryset(self):
        return Measure.objects.select_related("parent").order_by("display_order", "name")

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
        measure = (
            None
            if "\x00" in code
            else Measure.objects.select_related("parent").filter(code=code).first()
        )
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
    from .models import Enrolment

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

# Service error keys that name a field of the return; any other key is a measure code.
RETURN_FIELDS = {"ward", "week_start", "beds", "occupied_bed_days", "status", "reason", NON_FIELD}
CountsSchema = serializers.DictField(
    child=serializers.IntegerField(min_value=0),
    help_text="Measure code → count. A measure not listed has no count that week (missing, "
    "which is never the same as 0).",
)


class CountsField(serializers.DictField):
    child = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, allow_null=True)
    default_error_messages = {"not_a_dict": "Send counts as an object: measure code → count."}


class ReturnOutput(serializers.ModelSerializer):
    trust = serializers.IntegerField(source="ward.trust_id")
    week_end = serializers.DateField(help_text="The Sunday the week ends on.")
    counts = serializers.SerializerMethodField()

    class Meta:
        model = WeeklyReturn
        fields = [
            "id", "ward", "trust", "week_start", "week_end", "beds", "occupied_bed_days",
            "status", "version", "counts", "submitted_at", "created_at", "updated_at",
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


RETURN_EXAMPLE = {
    "id": 5012, "ward": 12, "trust": 3, "week_start": "2025-03-03", "week_end": "2025-03-09",
    "beds": 20, "occupied_bed_days": 133, "status": "submitted", "version": 2,
    "counts": {"physical_restraint": 4, "prone_restraint": 1, "seclusion": 0},
    "submitted_at": "2025-03-10T09:12:44Z", "created_at": "2025-03-10T09:02:10Z",
    "updated_at": "2025-03-10T09:12:44Z",
}  # fmt: skip


def _etag(weekly_return: WeeklyReturn) -> str:
    return f'"{weekly_return.version}"'


def _with_etag(response: Response, weekly_return: WeeklyReturn) -> Response:
    response["ETag"] = _etag(weekly_return)
    return response


def _if_match_versions(request) -> list[int | str] | None:
    """The versions named by If-Match ("*" matches any); None when the header is absent."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    versions = []
    for tag in header.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        if tag == "*":
            versions.append("*")
        elif tag.isdigit() and len(tag) < 10:
            versions.append(int(tag))
    return versions


def _check_precondition(request, weekly_return, body_version, *, required: bool) -> int | None:
    """The version the caller read, from If-Match or the body; 412 if it is not the saved one,
    428 if an update names none."""
    versions = _if_match_versions(request)
    if versions is None and body_version is None:
        if required:
            raise api_error(
                status.HTTP_428_PRECONDITION_REQUIRED,
                "precondition_required",
                "Say which version of the return you read: send If-Match with its ETag, "
                "or `version` in the body.",
            )
        return None
    wanted = [body_version] if versions is None else versions
    if body_version is not None and versions is not None:
        wanted = [v for v in versions if v == "*" or v == body_version]
    if "*" in wanted:
        return None if body_version is None else body_version
    if weekly_return.version not in wanted:
        raise api_error(
            status.HTTP_412_PRECONDITION_FAILED,
            "precondition_failed",
            f"This return was changed since you read it (it is now version "
            f"{weekly_return.version}): read it again and resend your change.",
        )
    return weekly_return.version


def _service_errors(error: DjangoValidationError) -> ValidationError:
    """A service's ValidationError as a 400: measure codes become `counts.<code>`."""
    errors = {
        (field if field in RETURN_FIELDS else f"counts.{field}"): messages
        for field, messages in django_errors(error).items()
    }
    return ValidationError(errors)


def _record(**kwargs) -> WeeklyReturn:
    try:
        return weekly_return_record(**kwargs)
    except DjangoValidationError as error:
        raise _service_errors(error) from None


def _visible_return(user, return_id: int) -> WeeklyReturn:
    weekly_return = (
        WeeklyReturn.objects.filter(pk=return_id, ward__in=wards_visible_to(user))
        .select_related("ward")
        .prefetch_related("counts")
        .first()
    )
    if weekly_return is None:
        raise Http404("No such return.")
    return weekly_return


def _editable_ward_in_body(request):
    """The body's ward when it names one the user may not change: 404 / 403 come before any
    complaint about the other fields, as on the web pages."""
    ward_id = request.data.get("ward") if isinstance(request.data, dict) else None
    if isinstance(ward_id, int) and not isinstance(ward_id, bool) and 1 <= ward_id <= MAX_ID:
        get_editable_ward_for_user(request.user, ward_id)


def _reason(value: str) -> str:
    try:
        return clean_free_text(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None


class ReturnFilter(django_filters.FilterSet):
    ward = IdFilter(field_name="ward_id", help_text="Ward id.")
    trust = IdFilter(field_name="ward__trust_id", help_text="Trust id.")
    region = IdFilter(field_name="ward__trust__region_id", help_text="Region id.")
    measure = django_filters.CharFilter(
        method="filter_measure",
        help_text="A measure code: only returns with a count of it, showing only that count.",
    )
    week_start = django_filters.DateFromToRangeFilter(
        help_text="week_start_after / week_start_before: weeks starting in this range "
        "(inclusive, YYYY-MM-DD)."
    )
    status = django_filters.ChoiceFilter(choices=WeeklyReturn.Status.choices)
    updated_since = django_filters.IsoDateTimeFilter(
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
        )


class ReturnCreateInput(serializers.Serializer):
    ward = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    week_start = serializers.DateField(help_text="The Monday the week starts on.")
    beds = serializers.IntegerField(
        min_value=1, max_value=MAX_BEDS, required=False, allow_null=True,
        help_text="Beds open that week; omitted: the ward's beds.",
    )  # fmt: skip
    occupied_bed_days = serializers.IntegerField(
        min_value=0, max_value=MAX_BED_DAYS, allow_null=True,
        help_text="At most beds × 7; null until known (needed to submit).",
    )  # fmt: skip
    counts = CountsField(
        required=False,
        default=dict,
        help_text=(
            "Measure code → count; null removes a saved count (missing, never zero). Codes not "
            "named keep their saved value."
        ),
    )
    submit = serializers.BooleanField(
        default=False, help_text="Submit the return (charts use submitted returns only)."
    )
    reason = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="",
        help_text="Why a submitted return is changed more than 4 weeks after its week ended "
        "(kept in its history).",
    )  # fmt: skip
    confirm_implausible = serializers.BooleanField(
        default=False, help_text="Save counts far above the ward's usual bound (after checking)."
    )

    def validate_reason(self, value):
        return _reason(value)


class ReturnUpdateInput(ReturnCreateInput):
    ward = None
    week_start = None
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False,
        help_text="The version you read (instead of If-Match).",
    )  # fmt: skip


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='The ETag of the return as you read it, e.g. "3". Updates need it (or '
    "`version` in the body); a stale one is refused with 412.",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='The return\'s version as an entity tag, e.g. "3": send it back in If-Match.',
)


class ReturnListApi(ListView):
    """Weekly returns of the wards you can see; create one for a ward you can edit."""

    OutputSerializer = ReturnOutput
    filterset_class = ReturnFilter

    def get_queryset(self):
        return (
            WeeklyReturn.objects.filter(ward__in=wards_visible_to(self.request.user))
            .select_related("ward")
            .prefetch_related("counts")
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
        _editable_ward_in_body(request)
        data = ReturnCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        ward = get_editable_ward_for_user(request.user, values["ward"])
        # The answer is read in the write's transaction, under its row lock: it (and its ETag)
        # describe this write, never a later one by someone else.
        try:
            with transaction.atomic():
                weekly_return = _record(
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
                )
                weekly_return = _visible_return(request.user, weekly_return.pk)
        except ConcurrentEditError as error:
            existing = error.weekly_return
            raise api_error(
                status.HTTP_409_CONFLICT,
                "conflict",
                f"This ward has a return for this week already (id {existing.pk}, version "
                f"{existing.version}): update it with PUT or PATCH /api/v1/returns/{existing.pk}/.",
            ) from None
        response = Response(
            ReturnOutput(weekly_return).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/returns/{weekly_return.pk}/"},
        )
        return _with_etag(response, weekly_return)


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
        return _with_etag(Response(ReturnOutput(weekly_return).data), weekly_return)

    def _update(self, request, return_id: int, *, partial: bool):
        weekly_return = _visible_return(request.user, return_id)
        ward = get_editable_ward_for_user(request.user, weekly_return.ward_id)
        data = ReturnUpdateInput(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        expected = _check_precondition(request, weekly_return, values.get("version"), required=True)
        bed_days = values.get("occupied_bed_days", weekly_return.occupied_bed_days)
        try:
            # Read back under the write's row lock (see post): the answer is this write.
            with transaction.atomic():
                _record(
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
                )
                weekly_return = _visible_return(request.user, return_id)
        except ConcurrentEditError as error:
            raise api_error(
                status.HTTP_412_PRECONDITION_FAILED, "precondition_failed", str(error)
            ) from None
        return _with_etag(Response(ReturnOutput(weekly_return).data), weekly_return)

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
                description="Why it is deleted (kept in history); needed for a submitted "
                "return whose week ended more than 4 weeks ago.",
            ),
        ],
        responses={204: None, **error_responses(400, 403, 404, 412)},
    )
    def delete(self, request, return_id: int):
        weekly_return = _visible_return(request.user, return_id)
        get_editable_ward_for_user(request.user, weekly_return.ward_id)
        _check_precondition(request, weekly_return, None, required=False)
        try:
            reason = _reason(request.query_params.get("reason", ""))[:100]
        except serializers.ValidationError as error:
            raise ValidationError({"reason": error.detail}) from None
        weekly_return_delete(weekly_return=weekly_return, user=request.user, reason=reason)
        return Response(status=status.HTTP_204_NO_CONTENT)


@transaction.atomic
def weekly_return_delete(*, weekly_return: WeeklyReturn, user, reason: str = "") -> None:
    """Delete a return and its counts; history keeps both (who, when, why)."""
    if late_edit_needs_reason(weekly_return) and not reason:
        raise ValidationError(
            {
                "reason": [
                    "This return was submitted and its week ended more than 4 weeks ago: "
                    "say why you are deleting it."
                ]
            }
        )
    ward_id = weekly_return.ward_id
    if reason:
        weekly_return._change_reason = reason
    weekly_return.delete()
    charts_stale(ward_ids=[ward_id])


# --- bulk upsert --------------------------------------------------------------------------


class BulkItemInput(serializers.Serializer):
    """One ward-week, named by `ward` (id) or by `trust_ods` with `ward_code` or `ward_name`
    (as in the CSV export)."""

    ward = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, allow_null=True
    )
    trust_ods = serializers.CharField(max_length=10, required=False)
    ward_code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    ward_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    week_start = serializers.DateField(help_text="The Monday the week starts on.")
    beds = serializers.IntegerField(
        min_value=1, max_value=MAX_BEDS, required=False, allow_null=True,
        help_text="Omitted or null: the saved return's beds, else the ward's.",
    )  # fmt: skip
    occupied_bed_days = serializers.IntegerField(
        min_value=0, max_value=MAX_BED_DAYS, allow_null=True,
        help_text="Null: not known yet (only for a draft).",
    )  # fmt: skip
    status = serializers.ChoiceField(
        choices=WeeklyReturn.Status.choices, required=False, allow_null=True,
        help_text="Omitted: the saved status, or submitted for a new return.",
    )  # fmt: skip
    counts = CountsField(required=False, default=dict)

    def validate_week_start(self, value):
        # The file parser checks this for the importer; the database would refuse it too.
        if value.isoweekday() != 1:
            raise serializers.ValidationError(MONDAY_MESSAGE)
        return value

    def validate(self, attrs):
        if attrs.get("ward") is None and not (
            attrs.get("trust_ods") and (attrs.get("ward_code") or attrs.get("ward_name"))
        ):
            raise serializers.ValidationError(
                {
                    "ward": [
                        "Name the ward: `ward` (id), or `trust_ods` with `ward_code` or "
                        "`ward_name`."
                    ]
                }  # fmt: skip
            )
        return attrs


class BulkInput(serializers.Serializer):
    items = serializers.ListField(
        child=BulkItemInput(), min_length=1, max_length=BULK_MAX_ITEMS,
        help_text=f"Up to {BULK_MAX_ITEMS:,} ward-weeks; each ward-week at most once.",
    )  # fmt: skip
    confirm_implausible = serializers.BooleanField(
        default=False, help_text="Save counts far above a ward's usual bound (after checking)."
    )
    source = serializers.CharField(
        max_length=60, required=False, default="API bulk upload",
        help_text="Kept in each change's history, e.g. 'Datix nightly push'.",
    )  # fmt: skip

    def validate_source(self, value):
        return _reason(value) or "API bulk upload"


class _BulkEnvelope(BulkInput):
    """BulkInput without validating the items, which the view checks one by one."""

    items = serializers.ListField(min_length=1, max_length=BULK_MAX_ITEMS)


class BulkItemError(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in `items`, from 0.")
    field = serializers.CharField(help_text="e.g. week_start, counts.seclusion, ward.")
    reason = serializers.CharField()


class BulkErrorSerializer(ErrorSerializer):
    items = BulkItemError(
        many=True,
        required=False,
        help_text="Every invalid item (nothing was saved); absent when the request as a whole "
        "is invalid (see errors).",
    )


class BulkResultItem(serializers.Serializer):
    index = serializers.IntegerField()
    ward = serializers.IntegerField()
    week_start = serializers.DateField()
    action = serializers.ChoiceField(choices=["create", "update", "unchanged"])


class BulkResult(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    items = BulkResultItem(many=True)


def _item_errors(detail) -> list[dict]:
    """DRF's errors of `items` as [{index, field, reason}]."""
    found = []
    entries = detail.items() if isinstance(detail, dict) else enumerate(detail)
    for index, item in entries:
        if not item:
            continue
        if isinstance(item, dict):
            for field, messages in item.items():
                if isinstance(messages, dict):  # counts: {code: [messages]}
                    for code, inner in messages.items():
                        for message in inner:
                            found.append(_bad(index, f"{field}.{code}", message))
                    continue
                for message in messages:
                    field_name = NON_FIELD if field == "non_field_errors" else field
                    found.append(_bad(index, field_name, message))
        else:
            for message in item:
                found.append(_bad(index, NON_FIELD, message))
    return found


def _bad(index, field, reason) -> dict:
    return {"index": int(index), "field": str(field), "reason": str(reason)}


def _bulk_refused(items: list[dict], detail: str | None = None) -> Response:
    items.sort(key=lambda e: (e["index"], e["field"]))
    body = error_body(
        400,
        "invalid_items",
        detail or f"{len(items)} problem(s) in the items: nothing was saved.",
        {},
    )
    body["items"] = items
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def _parsed_rows(user, items: dict[int, dict]) -> tuple[list[ParsedRow], list[dict]]:
    """The items (by index) as the importer's rows (row = item index), and errors for
    unknown wards."""
    ids = {item["ward"] for item in items.values() if item.get("ward") is not None}
    wards = {w.pk: w for w in wards_visible_to(user).filter(pk__in=ids).select_related("trust")}
    rows, errors = [], []
    for index, item in items.items():
        if item.get("ward") is not None:
            ward = wards.get(item["ward"])
            if ward is None:
                errors.append(_bad(index, "ward", "No such ward."))
                continue
            # The ward's code, else its name, is how the importer matches a row to a ward.
            trust_ods, code, name = ward.trust.ods_code, ward.code, "" if ward.code else ward.name
        else:
            trust_ods = item["trust_ods"].strip().upper()
            code, name = item.get("ward_code", "").strip(), item.get("ward_name", "").strip()
        rows.append(
            ParsedRow(
                row=index,
                trust_ods=trust_ods,
                ward_name=name,
                ward_code=code,
                week_start=item["week_start"],
                beds=item.get("beds"),
                occupied_bed_days=item["occupied_bed_days"],
                status=item.get("status"),
                counts=dict(item["counts"]),
            )
        )
    return rows, errors


# 10,000 items of every measure are ~4 MB of JSON, above Django's 2.5 MB default for request
# bodies (DATA_UPLOAD_MAX_MEMORY_SIZE), which stays in force everywhere else.
BULK_MAX_BYTES = 25 * 1024 * 1024


class BulkJSONParser(BaseParser):
    """JSON, read straight from the request stream up to BULK_MAX_BYTES."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read(BULK_MAX_BYTES + 1) if stream is not None else b""
        if len(raw) > BULK_MAX_BYTES:
            raise api_error(
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                "too_large",
                f"The body is larger than {BULK_MAX_BYTES // (1024 * 1024)} MB: send fewer items "
                "per request.",
            )
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise ParseError(f"JSON parse error - {error}") from None


class ReturnBulkApi(APIView):
    """Create or update up to 10,000 weekly returns at once, all or nothing.

    For a trust's incident system: the same rules as the file import (a QI lead's trust, or
    any trust for an admin). If any item is invalid nothing is saved and every invalid item is
    listed with its index, field and reason. Posting the same items again changes nothing."""

    throttle_classes = [TokenRateThrottle, TokenBulkRateThrottle]
    parser_classes = [BulkJSONParser]

    @extend_schema(
        operation_id="returns_bulk_upsert",
        tags=TAGS_RETURNS,
        request=BulkInput,
        responses={
            200: BulkResult,
            400: OpenApiResponse(
                BulkErrorSerializer,
                description="Invalid items: nothing was saved; `items` lists each problem.",
                examples=[
                    OpenApiExample(
                        "Two bad items",
                        value={
                            "status": 400,
                            "code": "invalid_items",
                            "detail": "2 problem(s) in the items: nothing was saved.",
                            "errors": {},
                            "items": [
                                {
                                    "index": 3,
                                    "field": "week_start",
                                    "reason": "Tuesday 4 March 2025 is not a Monday: weeks start "
                                    "on Monday.",
                                },
                                {
                                    "index": 7,
                                    "field": "counts.seclusion",
                                    "reason": "counts.seclusion: cannot be negative (-1).",
                                },
                            ],
                        },  # fmt: skip
                        response_only=True,
                        status_codes=["400"],
                    )
                ],
            ),
            **error_responses(403, 404, 413),
        },
        examples=[
            OpenApiExample(
                "Two weeks of one ward",
                value={
                    "items": [
                        {
                            "ward": 12,
                            "week_start": "2025-03-03",
                            "occupied_bed_days": 133,
                            "status": "submitted",
                            "counts": {"physical_restraint": 4},
                        },
                        {
                            "trust_ods": "RX4",
                            "ward_code": "oak",
                            "week_start": "2025-03-10",
                            "occupied_bed_days": 128,
                            "counts": {"physical_restraint": 2},
                        },
                    ],
                    "source": "Datix nightly push",
                },  # fmt: skip
                request_only=True,
            ),
            OpenApiExample(
                "Saved",
                value={
                    "created": 1,
                    "updated": 0,
                    "unchanged": 1,
                    "items": [
                        {"index": 0, "ward": 12, "week_start": "2025-03-03", "action": "unchanged"},
                        {"index": 1, "ward": 12, "week_start": "2025-03-10", "action": "create"},
                    ],
                },  # fmt: skip
                response_only=True,
                status_codes=["200"],
            ),
        ],
    )
    def post(self, request):
        if not manages_any_trust(request.user):
            raise PermissionDenied(
                "Bulk upload is for a trust's QI lead (as the file import is): enter returns "
                "one at a time with POST /api/v1/returns/."
            )
        data = _BulkEnvelope(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        # Each item on its own, so valid items still go on to be checked against the
        # database and the answer lists every problem of every item at once.
        # One serializer for all items: building one per item costs more than validating.
        valid, errors, checker = {}, [], BulkItemInput()
        for index, raw in enumerate(values["items"]):
            try:
                valid[index] = checker.run_validation(raw)
            except serializers.ValidationError as error:
                errors += _item_errors({index: serializers.as_serializer_error(error)})
        rows, unknown = _parsed_rows(request.user, valid)
        errors += unknown
        codes = sorted({code for row in rows for code in row.counts})
        parsed = ParsedFile(
            columns=codes, measure_codes=codes, rows=rows, errors=[], has_bed_days=True
        )
        try:
            with transaction.atomic():
                if errors:
                    # Plan the rest anyway, so the answer lists every problem at once.
                    from .importing import returns_import_plan

                    plan = returns_import_plan(user=request.user, parsed=parsed)
                    raise ImportRefused(plan)
                plan = weekly_returns_import_commit(
                    user=request.user,
                    parsed=parsed,
                    source=values["source"],
                    confirm_implausible=values["confirm_implausible"],
                )
                changed = {r.ward.pk for r in plan.rows if r.action != "unchanged"}
                charts_stale(ward_ids=changed)
        except ImportRefused as refused:
            problems = errors + [
                _bad(e.row, _item_field(e.column), e.message) for e in refused.plan.errors
            ]
            if not values["confirm_implausible"]:
                problems += [
                    _bad(
                        w.row,
                        _item_field(w.column),
                        w.message + " Send confirm_implausible: true to save it.",
                    )  # fmt: skip
                    for w in refused.plan.warnings
                ]
            return _bulk_refused(problems)
        totals = plan.totals
        return Response(
            {
                "created": totals["create"],
                "updated": totals["update"],
                "unchanged": totals["unchanged"],
                "items": [
                    {
                        "index": r.row,
                        "ward": r.ward.pk,
                        "week_start": r.week_start,
                        "action": r.action,
                    }  # fmt: skip
                    for r in sorted(plan.rows, key=lambda r: r.row)
                ],
            }
        )


def _item_field(column: str) -> str:
    if not column:
        return NON_FIELD
    if column in RETURN_FIELDS or column in ("trust_ods", "ward_code", "ward_name"):
        return column
    return f"counts.{column}"


# --- change ideas -------------------------------------------------------------------------


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


def _free_text(value: str) -> str:
    try:
        return clean_free_text(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None


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
            value = _free_text(value)
            if not value:
                raise serializers.ValidationError("Name the change idea.")
            return value

        def validate_driver_area(self, value):
            return _free_text(value)

        def validate_notes(self, value):
            return _free_text(value)

        def validate_started_on(self, value):
            from django.utils import timezone

            if value > timezone.localdate():
                raise serializers.ValidationError("A change idea cannot start in the future.")
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
        _editable_ward_in_body(request)
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
