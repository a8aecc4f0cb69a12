"""What a client sends to create or change one weekly return (api/returns.py): the fields,
their bounds and help texts (the OpenAPI schema is made from these)."""

from rest_framework import serializers

from mhsip.api import MAX_ID

from .. import rules
from .common import free_text
from .fields import CountsField, IncidentDatesField, ValuesField, ValuesSchema, not_collected_field


class ReturnCreateInput(serializers.Serializer):
    ward = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    week_start = serializers.DateField(help_text="The Monday the week starts on.")
    beds = serializers.IntegerField(
        required=False, allow_null=True,
        help_text=f"Beds open that week (1 to {rules.MAX_BEDS}); omitted: the saved return's, "
        "else the ward's.",
    )  # fmt: skip
    occupied_bed_days = serializers.IntegerField(
        allow_null=True, help_text="At most beds × 7; null until known (needed to submit).",
    )  # fmt: skip
    counts = CountsField(
        required=False,
        default=dict,
        help_text=(
            f"Measure code → count (0 to {rules.MAX_COUNT:,}); null removes a saved count "
            "(missing, never zero). Codes not named keep their saved value."
        ),
    )
    incident_dates = IncidentDatesField(
        required=False,
        default=dict,
        help_text="Measure code → the day of each incident (YYYY-MM-DD), at most its count; "
        "optional (dates let the chart show days between incidents for rare events). [] "
        "removes a measure's days; codes not named keep theirs, which must still fit a changed "
        "count (else the change is refused).",
    )
    not_collected = not_collected_field()
    values = ValuesField(required=False, default=dict, help_text=ValuesSchema.help_text
                         + " null removes a saved figure; codes not named keep theirs.")
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
        return free_text(value)


class ReturnUpdateInput(ReturnCreateInput):
    ward = None
    week_start = None
    version = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False,
        help_text="The version you read (instead of If-Match).",
    )  # fmt: skip
