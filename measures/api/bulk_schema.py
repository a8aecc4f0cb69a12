"""The bulk upsert's request and answer shapes (serializers and OpenAPI examples)."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers

from mhsip.api import MAX_ID, ErrorSerializer, error_responses

from .. import rules
from ..models import WeeklyReturn
from .common import free_text
from .fields import CountsField, IncidentDatesField, not_collected_field
from .returns import TAGS_RETURNS

BULK_MAX_ITEMS = 10_000


class BulkItemInput(serializers.Serializer):
    """One ward-week, named by `ward` (id) or by `trust_ods` with `ward_code` or `ward_name`
    (as in the CSV export)."""

    ward = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    trust_ods = serializers.CharField(max_length=10, required=False)
    ward_code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    ward_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    week_start = serializers.DateField(help_text="The Monday the week starts on.")
    beds = serializers.IntegerField(
        required=False, allow_null=True,
        help_text=f"1 to {rules.MAX_BEDS}. Omitted or null: the saved return's beds, else the "
        "ward's.",
    )  # fmt: skip
    occupied_bed_days = serializers.IntegerField(
        allow_null=True, help_text="At most beds × 7. Null: not known yet (only for a draft).",
    )  # fmt: skip
    status = serializers.ChoiceField(
        choices=WeeklyReturn.Status.choices, required=False, allow_null=True,
        help_text="Omitted: the saved status, or submitted for a new return.",
    )  # fmt: skip
    counts = CountsField(required=False, default=dict)
    incident_dates = IncidentDatesField(
        required=False, allow_null=True, default=None,
        help_text="Measure code → the day of each incident (YYYY-MM-DD), at most its count. [] "
        "removes a measure's days; codes not named keep theirs.",
    )  # fmt: skip
    not_collected = not_collected_field()
    version = serializers.IntegerField(
        min_value=0, max_value=MAX_ID, required=False, allow_null=True,
        help_text="The version of the ward-week you read (0: none yet). Given, the item is "
        "refused if the return changed since; omitted, the item overwrites what is saved (an "
        "upsert, as the file import).",
    )  # fmt: skip

    def validate_week_start(self, value):
        # The file parser checks this for the importer (a rule of the week: measures.rules).
        if message := rules.monday_error(value):
            raise serializers.ValidationError(message)
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

    reason = serializers.CharField(
        max_length=80, required=False, allow_blank=True, default="",
        help_text="Why submitted weeks that ended more than 4 weeks ago are changed (one reason "
        "for the request, kept in each change's history). Needed when any item changes one.",
    )  # fmt: skip

    def validate_source(self, value):
        return free_text(value) or "API bulk upload"

    def validate_reason(self, value):
        return free_text(value)


class BulkItemsEnvelope(BulkInput):
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




# The bulk upsert's OpenAPI description (extend_schema keywords).
BULK_SCHEMA = {
        "operation_id": "returns_bulk_upsert",
        "tags": TAGS_RETURNS,
        "request": BulkInput,
        "responses": {
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
                                    "reason": "Seclusion cannot be negative.",
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
        "examples": [
            OpenApiExample(
                "Two weeks of one ward",
                value={
                    "items": [
                        {
                            "ward": 12,
                            "week_start": "2025-03-03",
                            "occupied_bed_days": 133,
                            "status": "submitted",
                            "counts": {"physical_restraint": 4, "seclusion": 1},
                            "incident_dates": {"seclusion": ["2025-03-06"]},
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
    }
