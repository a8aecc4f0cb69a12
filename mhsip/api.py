"""What every API endpoint shares: pagination, one error body, and their OpenAPI documentation.

Every error has the same body: an HTTP `status`, a machine-readable `code`, a sentence in
`detail` and, for invalid input, `errors` mapping each field (dotted for nested fields, e.g.
`counts.physical_restraint`) to its messages."""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler

from .weeks import validate_programme_date

NON_FIELD = "non_field_errors"


class Pagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field.sub": ["message", ...]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = NON_FIELD if key in (NON_FIELD, "__all__") else str(key)
            for field, messages in flatten_errors(value, f"{prefix}{name}.").items():
                flat.setdefault(field, []).extend(messages)
    elif isinstance(detail, list) and any(isinstance(v, dict | list) for v in detail):
        for index, value in enumerate(detail):
            for field, messages in flatten_errors(value, f"{prefix}{index}.").items():
                flat.setdefault(field, []).extend(messages)
    else:
        values = detail if isinstance(detail, list) else [detail]
        flat[prefix.rstrip(".") or NON_FIELD] = [str(v) for v in values]
    return flat


def django_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if field == "__all__" else field): list(messages)
            for field, messages in error.message_dict.items()
        }
    return {NON_FIELD: list(error.messages)}


def error_body(status_code: int, code: str, detail: str, errors: dict | None = None) -> dict:
    return {"status": status_code, "code": code, "detail": detail, "errors": errors or {}}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_errors(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a 500: Django's handler logs it and answers
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        detail = "The request has invalid fields: see errors."
        if set(errors) == {NON_FIELD} and len(errors[NON_FIELD]) == 1:
            detail = errors[NON_FIELD][0]
        code = "invalid"
    else:
        detail = str(getattr(exc, "detail", "")) or response.status_text
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        code = codes if isinstance(codes, str) else "error"
        errors = {}
    response.data = error_body(response.status_code, code, detail, errors)
    return response


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status code.")
    code = serializers.CharField(help_text="Machine-readable: invalid, not_found, ….")
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name (dotted when nested) → messages; empty unless input was invalid.",
    )


ERROR_EXAMPLES = {
    400: ("invalid", "The request has invalid fields: see errors.",
          {"occupied_bed_days": ["Occupied bed days cannot be more than the beds open × 7."]}),
    401: ("not_authenticated", "Authentication credentials were not provided.", {}),
    403: ("permission_denied", "You can view this ward's data but not change it.", {}),
    404: ("not_found", "No such ward.", {}),
    409: ("conflict", "A return for this ward and week exists already: update it instead.", {}),
    412: ("precondition_failed",
          "This return was changed by someone else since you read it (now version 4).", {}),
    413: ("too_large", "The body is larger than 25 MB: send fewer items per request.", {}),
    428: ("precondition_required",
          "Send If-Match with the ETag of the return you read, or its version.", {}),
    429: ("throttled", "Request was throttled. Expected available in 30 seconds.", {}),
}  # fmt: skip

ERROR_DESCRIPTIONS = {
    400: "Invalid input: `errors` names each field and why.",
    401: "No credentials, or an invalid or revoked token.",
    403: "You may see this but not change it (or the token is read-only).",
    404: "No such object, or one outside your memberships.",
    409: "Conflicts with an existing object.",
    412: "If-Match / version does not match: someone changed it since you read it.",
    413: "The request body is too large.",
    428: "An update must say which version it read (If-Match or version).",
    429: "Too many requests from this token: wait for the Retry-After seconds.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenAPI responses, with an example each, for these error statuses (401 and 429 always)."""
    responses = {}
    for code in sorted({401, 429, *codes}):
        name, detail, errors = ERROR_EXAMPLES[code]
        responses[code] = OpenApiResponse(
            response=ErrorSerializer,
            description=ERROR_DESCRIPTIONS[code],
            examples=[
                OpenApiExample(
                    name,
                    value=error_body(code, name, detail, errors),
                    response_only=True,
                    status_codes=[str(code)],
                )
            ],
        )
    return responses


def paginated(serializer_class, name: str):
    """The schema of a page of results."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(help_text="Results on all pages."),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


class _Coded(exceptions.APIException):
    pass


def api_error(status_code: int, code: str, detail: str):
    """An APIException with this status and code, for statuses DRF has no class for."""
    exc = _Coded(detail=detail, code=code)
    exc.status_code = status_code
    return exc


# Ids beyond a 32-bit integer cannot name a row, and SQLite raises OverflowError on values
# beyond 64 bits: such ids are answered as not found (path) or invalid (query), never a 500.
MAX_ID = 2**31 - 1


class IdConverter:
    """`<id:ward_id>`: an object id in the path. Anything that is not an id in range becomes 0,
    which names nothing, so the answer is the API's JSON 404 rather than a page not found."""

    regex = r"[^/]+"

    def to_python(self, value):
        try:
            number = int(value)
        except ValueError:
            return 0
        return number if 1 <= number <= MAX_ID else 0

    def to_url(self, value):
        return str(value)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An object id in a query string: a whole number in range, else a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def _programme_moment(value) -> None:
    # A moment's date in the programme's range: also keeps the conversion to UTC in range
    # (9999-12-31T23:59-01:00 is beyond the last moment Python can hold).
    if value is not None:
        validate_programme_date(value.date())


class ProgrammeDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 moment in a query string, in the programme's range (mhsip.weeks), else 400."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [_programme_moment])
        super().__init__(*args, **kwargs)
