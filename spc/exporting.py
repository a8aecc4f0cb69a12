"""Chart data as CSV and the trust matrix as .xlsx; text cells are made formula-safe."""

import csv

from openpyxl import Workbook
from openpyxl.styles import Font

from mhsip.text import spreadsheet_safe

from .presentation import ASSURANCE_LABELS, VARIATION_LABELS


def chart_csv(stream, view) -> None:
    """One stored view's points (spc.stored.ChartView), as the page draws them."""
    s = view.summary
    writer = csv.writer(stream)
    # A p chart's two columns are its own numerator and denominator (debriefs of restraints),
    # never incidents and bed days; a g or t chart's count is the gap between incidents.
    parts = {"p": ["numerator", "denominator"], "g": ["gap", "occupied_bed_days"],
             "t": ["gap", "occupied_bed_days"]}.get(s.chart, ["count", "occupied_bed_days"])
    writer.writerow(
        ["date", "period", *parts, "value", "centre", "lower_limit",
         "upper_limit", "phase", "baseline", "classification", "rules", "unit", "chart"]
    )  # fmt: skip
    for i, day in enumerate(view.dates):
        row = [
            day, s.period, view.count[i], view.bed_days[i], view.value[i], view.centre[i],
            view.lower[i], view.upper[i], view.phase[i] + 1, view.baseline[i],
            view.classification[i], " ".join(view.rules[i]), s.unit, s.chart,
        ]  # fmt: skip
        # The unit comes from the catalogue (editable in the admin): every cell is made safe.
        writer.writerow([spreadsheet_safe(v) for v in row])


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
                # The icons' names as the page reads them, never codes like concern_high.
                VARIATION_LABELS.get(c.variation_icon, c.variation_icon or ""),
                ASSURANCE_LABELS.get(c.assurance_icon, c.assurance_icon or ""),
            ]
        sheet.append(line)
    book.save(stream)
