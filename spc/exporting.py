"""Chart data as CSV and the trust matrix as .xlsx; text cells are made formula-safe."""

import csv

from openpyxl import Workbook
from openpyxl.styles import Font

from mhsip.text import spreadsheet_safe


def chart_csv(stream, payload: dict) -> None:
    points = payload["engine"]["points"]
    counts = payload.get("counts") or [None] * len(points["date"])
    bed_days = payload.get("bed_days") or [None] * len(points["date"])
    writer = csv.writer(stream)
    writer.writerow(
        ["week_start", "count", "occupied_bed_days", "value", "centre", "lower_limit",
         "upper_limit", "phase", "baseline", "classification", "rules", "unit"]
    )  # fmt: skip
    for i, week in enumerate(points["date"]):
        value = points["rate"][i] if payload.get("unit", "").startswith("per") else None
        writer.writerow(
            [
                week, counts[i], bed_days[i], points["value"][i] if value is None else value,
                points["centre"][i], points["lower"][i], points["upper"][i],
                points["phase"][i] + 1, points["baseline"][i], points["classification"][i],
                " ".join(points["rules"][i]), payload.get("unit", ""),
            ]
        )  # fmt: skip


def matrix_xlsx(stream, trust, measures, rows) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Summary"
    title = f"{trust.name} ({trust.ods_code}): latest 12 weeks vs baseline"
    sheet.append([spreadsheet_safe(title)])
    sheet["A1"].font = Font(bold=True)
    header = ["Ward"]
    for m in measures:
        header += [f"{m.name}: latest 12 weeks", f"{m.name}: % change", f"{m.name}: variation",
                   f"{m.name}: assurance"]  # fmt: skip
    sheet.append([spreadsheet_safe(h) for h in header])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        line = [spreadsheet_safe(row.label)]
        for c in row.cells:
            line += [
                None if c.recent_value is None else round(c.recent_value, 3),
                None if c.percent_change is None else round(c.percent_change, 1),
                c.variation_icon or "",
                c.assurance_icon or "",
            ]
        sheet.append(line)
    book.save(stream)
