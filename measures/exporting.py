"""Export of weekly returns in the import format (so an export can be edited and re-imported):
one row per ward-week, and one row per dated incident (the `incidents` sheet or CSV)."""

import csv
import io

import openpyxl
from django.db.models import QuerySet
from django.http import HttpResponse

from mhsip.text import spreadsheet_safe
from wards.models import Ward

from .importing import INCIDENT_COLUMNS, template_columns
from .models import IncidentDate, Measure, WeeklyCount, WeeklyReturn
from .rules import NOT_COLLECTED

__all__ = [
    "csv_response", "incidents_export_rows", "returns_export_rows", "template_columns",
    "xlsx_response",
]  # fmt: skip

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def returns_export_rows(*, wards: QuerySet[Ward]) -> list[list]:
    """The header and one row per return of the wards; a missing count is a blank cell, one
    not collected that week is `rules.NOT_COLLECTED` (both re-import as they were)."""
    columns = template_columns()
    codes = columns[7:]
    returns = list(
        WeeklyReturn.objects.filter(ward__in=wards)
        .select_related("ward__trust")
        .order_by("ward__trust__ods_code", "ward__name", "week_start")
    )
    counts = {}
    for return_id, code, count in WeeklyCount.objects.filter(
        weekly_return__ward__in=wards
    ).values_list("weekly_return_id", "measure__code", "count"):
        counts.setdefault(return_id, {})[code] = count
    rows = [columns]
    for r in returns:
        saved = counts.get(r.pk, {}) | dict.fromkeys(r.not_collected or (), NOT_COLLECTED)
        rows.append(
            [
                r.ward.trust.ods_code, r.ward.name, r.ward.code, r.week_start, r.beds,
                r.occupied_bed_days, r.status, *[saved.get(code) for code in codes],
            ]
        )  # fmt: skip
    return rows


def incidents_export_rows(*, wards: QuerySet[Ward]) -> list[list]:
    """The header and one row per dated incident of the wards, for the counts whose dates are
    complete (as many as the count): imported back, an incident file makes each count the
    number of its rows, so a count with some days missing is left out (it would shrink)."""
    rows = (
        IncidentDate.objects.filter(count__weekly_return__ward__in=wards)
        .order_by("count__weekly_return__ward__trust__ods_code", "count__weekly_return__ward__name",
                  "count__weekly_return__week_start", "count__measure__display_order",
                  "occurred_on", "pk")  # fmt: skip
        .values_list("count_id", "count__count", "count__weekly_return__ward__trust__ods_code",
                     "count__weekly_return__ward__name", "count__weekly_return__ward__code",
                     "count__measure__code", "occurred_on")  # fmt: skip
    )
    by_count = {}
    for count_id, count, *row in rows:
        by_count.setdefault(count_id, (count, []))[1].append(row)
    return [INCIDENT_COLUMNS] + [
        row for count, dated in by_count.values() if len(dated) == count for row in dated
    ]


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return spreadsheet_safe(value) if isinstance(value, str) else str(value)


def csv_response(rows, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    # The BOM makes Excel read the file as UTF-8; the importer skips it.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(rows, filename: str, wards: QuerySet[Ward] | None = None,
                  incidents: list[list] | None = None) -> HttpResponse:  # fmt: skip
    """A workbook of `rows` (the returns sheet; None: none) and `incidents` (the incidents
    sheet), then the measures and, given `wards`, the wards."""
    workbook = openpyxl.Workbook(write_only=True)
    for name, table in (("returns", rows), ("incidents", incidents)):
        if table is None:
            continue
        sheet = workbook.create_sheet(name)
        # openpyxl writes a string starting with = as a formula: every text cell is made safe.
        for row in table:
            sheet.append([spreadsheet_safe(v) for v in row])
    measures = workbook.create_sheet("measures")
    measures.append(["code", "name", "unit", "definition", "includes", "excludes", "parent"])
    for m in Measure.objects.filter(is_active=True, local__isnull=True).select_related("parent"):
        measures.append(
            [spreadsheet_safe(v) for v in (m.code, m.name, m.unit, m.definition, m.includes,
                                           m.excludes, m.parent.code if m.parent else "")]
        )  # fmt: skip
    if wards is not None:
        sheet_wards = workbook.create_sheet("wards")
        sheet_wards.append(["trust_ods", "ward_name", "ward_code", "beds"])
        for ward in wards.select_related("trust").order_by("trust__ods_code", "name"):
            sheet_wards.append(
                [spreadsheet_safe(v) for v in (ward.trust.ods_code, ward.name, ward.code)]
                + [ward.beds]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
