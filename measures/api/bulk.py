"""API v1: up to 10,000 weekly returns at once, all or nothing, under the file import's rules
(`measures.import_plan`, itself the return form's rules from `measures.rules`)."""

import json

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from mhsip.api import NON_FIELD, api_error, error_body
from tokens.throttling import TokenBulkRateThrottle, TokenRateThrottle
from wards.access import manages_any_trust, wards_visible_to

from ..errors import ImportRefused
from ..import_commit import weekly_returns_import_commit
from ..import_plan import returns_import_plan
from ..import_rows import ParsedFile, ParsedRow
from ..rules import LATE_REASON_MESSAGE
from .bulk_schema import BULK_SCHEMA, BulkItemInput, BulkItemsEnvelope
from .common import api_field


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
                counts={**dict.fromkeys(item.get("not_collected") or ()), **item["counts"]},
                expected_version=item.get("version"),
                incident_dates=item.get("incident_dates"),
                not_collected=list(item.get("not_collected") or ()),
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

    @extend_schema(**BULK_SCHEMA)
    def post(self, request):
        if not manages_any_trust(request.user):
            raise PermissionDenied(
                "Bulk upload is for a trust's QI lead (as the file import is): enter returns "
                "one at a time with POST /api/v1/returns/."
            )
        envelope = BulkItemsEnvelope(data=request.data)
        envelope.is_valid(raise_exception=True)
        values = envelope.validated_data
        valid, errors = _valid_items(values["items"])
        rows, unknown = _parsed_rows(request.user, valid)
        errors += unknown
        codes = sorted({code for row in rows for code in [*row.counts, *row.not_collected]})
        parsed = ParsedFile(columns=codes, measure_codes=codes, rows=rows, errors=[],
                            has_bed_days=True)  # fmt: skip
        options = {"reason": values["reason"]}
        try:
            with transaction.atomic():
                if errors:
                    # Plan the rest anyway, so the answer lists every problem at once.
                    raise ImportRefused(
                        returns_import_plan(user=request.user, parsed=parsed, **options)
                    )
                plan = weekly_returns_import_commit(
                    user=request.user, parsed=parsed, source=values["source"],
                    confirm_implausible=values["confirm_implausible"], **options,
                )  # fmt: skip
        except ImportRefused as refused:
            return _bulk_refused(errors + _plan_problems(refused.plan, values))
        totals = plan.totals
        return Response({
            "created": totals["create"],
            "updated": totals["update"],
            "unchanged": totals["unchanged"],
            "items": [
                {"index": r.row, "ward": r.ward.pk, "week_start": r.week_start, "action": r.action}
                for r in sorted(plan.rows, key=lambda r: r.row)
            ],
        })  # fmt: skip


def _valid_items(items) -> tuple[dict[int, dict], list[dict]]:
    """Each item on its own, so valid items still go on to be checked against the database
    and the answer lists every problem of every item at once. One serializer for all items:
    building one per item costs more than validating."""
    valid, errors, checker = {}, [], BulkItemInput()
    for index, raw in enumerate(items):
        try:
            valid[index] = checker.run_validation(raw)
        except serializers.ValidationError as error:
            errors += _item_errors({index: serializers.as_serializer_error(error)})
    return valid, errors


CONFIRM_HINT = " Send confirm_implausible: true to save it."


def _plan_problems(plan, values) -> list[dict]:
    problems = [_bad(e.row, api_field(e.column), e.message) for e in plan.errors]
    if plan.needs_reason:
        problems += [_bad(row, "reason", LATE_REASON_MESSAGE + " Send `reason` (one for the "
                          "request).") for row in plan.late_rows]  # fmt: skip
    if not values["confirm_implausible"]:
        problems += [
            _bad(w.row, api_field(w.column), w.message + CONFIRM_HINT)
            for w in plan.warnings
        ]
    return problems
