"""What the returns, bulk and change-idea endpoints share: the one mapping from the returns
layer's errors to the API's error body, the one If-Match / ETag helper, free-text fields, and
the check of a ward named in a body."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError

from mhsip.api import MAX_ID, NON_FIELD, api_error
from mhsip.text import clean_free_text
from wards.access import get_editable_ward_for_user

from .. import rules
from ..errors import ConcurrentEditError, ReturnRefused
from ..models import Measure

# Error keys that name a field of the return; any other key is a measure code (`counts.x`).
RETURN_FIELDS = {
    "ward", "week_start", "beds", "occupied_bed_days", "status", "reason", "version",
    "trust_ods", "ward_code", "ward_name", NON_FIELD,
}  # fmt: skip


def api_field(key: str, value_codes=None) -> str:
    """The API's name for a rule's field: measure codes are nested under `counts` (`values`
    for proportions, durations and scores: `values.<code>`, `values.<code>.numerator`; a
    file column `<code>_numerator` likewise), the days of a measure's incidents are
    `incident_dates.<code>` (as the rules name them)."""
    if not key or key == "__all__":
        return NON_FIELD
    if key in RETURN_FIELDS or key.startswith(rules.DATES_FIELD + "."):
        return key
    codes = value_measure_codes() if value_codes is None else value_codes
    for part in ("numerator", "denominator"):
        if key.endswith(f"_{part}") and key.removesuffix(f"_{part}") in codes:
            return f"values.{key.removesuffix(f'_{part}')}.{part}"
    if key.split(".")[0] in codes:
        return f"values.{key}"
    return f"counts.{key}"


def value_measure_codes() -> set[str]:
    return set(Measure.objects.filter(value_type__in=rules.VALUE_TYPES)
               .values_list("code", flat=True))  # fmt: skip


def refused_as_api_error(error: ReturnRefused) -> ValidationError:
    """A 400 naming every broken rule, measure codes as `counts.<code>` (or `values.…`)."""
    codes = value_measure_codes()
    return ValidationError({api_field(key, codes): [message]
                            for key, message in error.errors.items()})  # fmt: skip


def concurrent_as_api_error(error: ConcurrentEditError, *, creating: bool):
    """Creating a week someone else has just created is a 409 (update it instead); updating
    one that changed since it was read is a 412."""
    existing = error.weekly_return
    if creating:
        return api_error(
            status.HTTP_409_CONFLICT,
            "conflict",
            f"This ward has a return for this week already (id {existing.pk}, version "
            f"{existing.version}): update it with PUT or PATCH /api/v1/returns/{existing.pk}/.",
        )
    return api_error(
        status.HTTP_412_PRECONDITION_FAILED,
        "precondition_failed",
        f"This return was changed since you read it (it is now version {existing.version}): "
        "read it again and resend your change.",
    )


def etag(weekly_return) -> str:
    return f'"{weekly_return.version}"'


def with_etag(response, weekly_return):
    response["ETag"] = etag(weekly_return)
    return response


def expected_version(request, body_version: int | None, *, required: bool) -> int | None:
    """The version the client read, from If-Match (the ETag) or `version` in the body. The
    comparison with the saved version is the service's, under the row lock. An update or
    delete that names no version is a 428; `If-Match: *` names none (it would overwrite any
    version), so it is refused the same way."""
    header = request.headers.get("If-Match")
    versions = None
    if header is not None:
        tags = [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")]
        versions = {int(t) for t in tags if t.isdigit() and len(t) < 10}
        if len(versions) > 1:
            raise ValidationError({"If-Match": ["Send one ETag: the version you read."]})
    if body_version is not None:
        if versions and body_version not in versions:
            raise ValidationError({"version": ["`version` and If-Match name different versions."]})
        return body_version
    if versions:
        return versions.pop()
    if required:
        raise api_error(
            status.HTTP_428_PRECONDITION_REQUIRED,
            "precondition_required",
            "Say which version of the return you read: send If-Match with its ETag, or "
            "`version` in the body (If-Match: * would overwrite any version).",
        )
    return None


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='The ETag of the return as you read it, e.g. "3". Updates and deletes need it '
    "(or `version` in the body; `*` is not accepted); a stale one is refused with 412.",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='The return\'s version as an entity tag, e.g. "3": send it back in If-Match.',
)


def free_text(value: str) -> str:
    """Free text of a request: NUL removed, NHS numbers refused (a field error)."""
    try:
        return clean_free_text(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None


def editable_ward_in_body(request) -> None:
    """The body's ward when it names one the user may not change: 404 / 403 come before any
    complaint about the other fields, as on the web pages."""
    ward_id = request.data.get("ward") if isinstance(request.data, dict) else None
    if isinstance(ward_id, int) and not isinstance(ward_id, bool) and 1 <= ward_id <= MAX_ID:
        get_editable_ward_for_user(request.user, ward_id)
