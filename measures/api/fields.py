"""The fields of a return the returns and bulk endpoints share: counts and the days of
incidents, with their OpenAPI shapes. Their ranges and rules are `measures.rules`, checked by
the services with the form's messages; these only read the JSON."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import rules

CountsSchema = serializers.DictField(
    child=serializers.IntegerField(min_value=0),
    help_text="Measure code → count. A measure not listed has no count that week (missing, "
    "which is never the same as 0).",
)


class CountsField(serializers.DictField):
    # Ranges are rules (measures.rules), checked by the service with the form's messages.
    child = serializers.IntegerField(allow_null=True)
    default_error_messages = {"not_a_dict": "Send counts as an object: measure code → count."}


IncidentDatesSchema = serializers.DictField(
    child=serializers.ListField(child=serializers.DateField()),
    help_text="Measure code → the day of each incident (YYYY-MM-DD, a day only), sorted. A "
    "measure not listed has no dated incidents; its dates are complete when there are as "
    "many as its count.",
)


@extend_schema_field(IncidentDatesSchema)
class IncidentDatesField(serializers.Field):
    """Measure code -> list of days. Each code's problems come as one `incident_dates.<code>`
    error, as the rules' own (`measures.rules.incident_dates_errors`) do."""

    default_error_messages = {
        # DRF formats these messages: braces are doubled.
        "not_a_dict": "Send incident_dates as an object: measure code → list of days, like "
        '{{"seclusion": ["2025-03-03"]}}.',
    }
    day = serializers.DateField()

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_a_dict")
        days, errors = {}, {}
        for code, values in data.items():
            if not isinstance(values, list) or len(values) > rules.MAX_COUNT:
                errors[code] = ['Send a list of days, like ["2025-03-03", "2025-03-05"].']
                continue
            parsed, bad = [], []
            for value in values:
                try:
                    parsed.append(self.day.run_validation(value))
                except serializers.ValidationError as error:
                    bad.append(f"{str(value)[:40]!r}: {error.detail[0]}")
            if bad:
                errors[code] = [" ".join(bad[:5])]
            else:
                days[str(code)] = parsed
        if errors:
            raise serializers.ValidationError(errors)
        return days

    def to_representation(self, value):
        return {code: [day.isoformat() for day in days] for code, days in value.items()}


def not_collected_field(**kwargs):
    """The measures not collected this week: no count (missing), but an answer, so a
    submitted return may leave them out (`rules.answer_errors`). Files write NC instead."""
    return serializers.ListField(
        child=serializers.CharField(max_length=40), max_length=200, required=False,
        help_text="Codes of the measures the ward did not collect this week (kept as missing, "
        "never 0). A submitted return gives every measure of the ward's programmes a count or "
        "lists it here. Codes not named keep theirs unless given a count.",
        **kwargs,
    )  # fmt: skip
