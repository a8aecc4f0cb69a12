"""The pack as PowerPoint (python-pptx): editable text and tables, charts as pictures.

Slide 1 is the icon matrix as a real table (so a QI lead can edit it); PowerPoint has no
SVG icons here, so each icon is its Making Data Count letter code in the icon's colour, with
a key under the table. Then one slide per measure."""

import io

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from spc.presentation import ASSURANCE_LABELS, COLOURS, VARIATION_LABELS

WIDE, TALL = Inches(13.333), Inches(7.5)  # 16:9
NHS_BLUE = RGBColor(0x00, 0x5E, 0xB8)
TEXT = RGBColor(0x21, 0x2B, 0x32)


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def variation_code(icon: str | None) -> tuple[str, str]:
    """(short code, colour) of a variation icon: I/C/N improvement, concern, neither, with
    H or L; CC common cause; – none."""
    if not icon:
        return "–", COLOURS["common_cause"]
    if icon == "common_cause":
        return "CC", "#7f7f7f"
    kind, side = icon.split("_", 1)
    letter = {"improvement": "I", "concern": "C"}.get(kind, "N")
    colour = {
        "improvement": COLOURS["special_cause_improvement"],
        "concern": COLOURS["special_cause_concern"],
    }.get(kind, COLOURS["special_cause_neutral"])
    return f"{letter}{side[0].upper()}", colour


def assurance_code(icon: str | None) -> tuple[str, str]:
    return {
        "consistent_pass": ("P", COLOURS["special_cause_improvement"]),
        "consistent_fail": ("F", COLOURS["special_cause_concern"]),
        "hit_and_miss": ("?", "#7f7f7f"),
    }.get(icon or "", ("–", COLOURS["common_cause"]))


def _text(frame, text, size=12, bold=False, colour=TEXT):
    frame.text = ""
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, colour
    return frame.paragraphs[0]


def _add_run(paragraph, text, colour, size=10, bold=True):
    run = paragraph.add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, _rgb(colour)


def _title(slide, text, sub=""):
    box = slide.shapes.add_textbox(Inches(0.4), Inches(0.2), WIDE - Inches(0.8), Inches(0.6))
    _text(box.text_frame, text, 24, True, NHS_BLUE)
    if sub:
        p = box.text_frame.add_paragraph()
        run = p.add_run()
        run.text = sub
        run.font.size, run.font.color.rgb = Pt(12), TEXT


def _icons_cell(cell, variation, assurance, size=10):
    cell.text = ""
    p = cell.text_frame.paragraphs[0]
    code, colour = variation_code(variation)
    _add_run(p, code, colour, size)
    code, colour = assurance_code(assurance)
    _add_run(p, f" {code}", colour, size)


def _matrix_slide(prs, content, rows: range, columns: range, continued: bool):
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    title = f"{content.title} (continued)" if continued else content.title
    _title(slide, title, f"Summary icons; latest data {content.data_to}")
    names = [content.units[i] for i in columns]
    head = ["Measure", "Latest", "Target", "Variation / assurance", "Coverage", *names]
    lines = [content.lines[i] for i in rows]
    height = Inches(0.3) * (len(lines) + 1)
    left, top = Inches(0.4), Inches(1.15)
    width = WIDE - Inches(0.8)
    table = slide.shapes.add_table(len(lines) + 1, len(head), left, top, width, height).table
    fixed = [Inches(2.3), Inches(1.9), Inches(0.8), Inches(1.2), Inches(1.1)]
    spare = (WIDE - Inches(0.8) - sum(fixed)) // max(1, len(names))
    for i, width in enumerate(fixed + [Emu(spare)] * len(names)):
        table.columns[i].width = width
    for i, label in enumerate(head):
        _text(table.cell(0, i).text_frame, label, 9, True, RGBColor(0xFF, 0xFF, 0xFF))
    for r, line in enumerate(lines, start=1):
        s = line.summary
        for c, value in enumerate([line.measure.name, line.latest, line.target]):
            _text(table.cell(r, c).text_frame, value, 9)
        _icons_cell(table.cell(r, 3), s and s.variation_icon, s and s.assurance_icon)
        _text(table.cell(r, 4).text_frame, line.coverage, 9)
        for c, unit in enumerate([line.units[i] for i in columns], start=5):
            _icons_cell(table.cell(r, c), unit.variation_icon, unit.assurance_icon, 9)
    key = slide.shapes.add_textbox(Inches(0.4), Inches(1.25) + height, WIDE - Inches(0.8),
                                   Inches(0.5))  # fmt: skip
    p = _text(key.text_frame, "Key: ", 9, True)
    for icon in ("improvement_low", "improvement_high", "concern_high", "concern_low",
                 "common_cause"):  # fmt: skip
        code, colour = variation_code(icon)
        _add_run(p, code, colour, 9)
        _add_run(p, f" {VARIATION_LABELS[icon].lower()}; ", "#212b32", 9, False)
    for icon in ASSURANCE_LABELS:
        code, colour = assurance_code(icon)
        _add_run(p, code, colour, 9)
        _add_run(p, f" {ASSURANCE_LABELS[icon].lower()}; ", "#212b32", 9, False)
    _add_run(p, "– none (no chart, run chart or no target).", "#212b32", 9, False)


def _list_box(slide, top, heading, items, left=None, width=None):
    left, width = left or Inches(0.4), width or WIDE - Inches(0.8)
    box = slide.shapes.add_textbox(left, top, width, Inches(1.2))
    box.text_frame.word_wrap = True
    _text(box.text_frame, heading, 12, True, NHS_BLUE)
    for item in items or ["None."]:
        p = box.text_frame.add_paragraph()
        run = p.add_run()
        run.text = f"• {item}"
        run.font.size, run.font.color.rgb = Pt(10), TEXT


def _measure_slide(prs, content, page, image):
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _title(slide, page.measure.name)
    if image:
        slide.shapes.add_picture(io.BytesIO(image), Inches(0.4), Inches(0.9), height=Inches(3.9))
    else:
        box = slide.shapes.add_textbox(Inches(0.4), Inches(1.0), Inches(8), Inches(1))
        _text(box.text_frame, "No chart yet for this measure.", 14)
    text = slide.shapes.add_textbox(Inches(0.4), Inches(4.85), WIDE - Inches(0.8), Inches(0.8))
    text.text_frame.word_wrap = True
    _text(text.text_frame, page.sentence, 12)
    half = (WIDE - Inches(1.0)) // 2
    _list_box(slide, Inches(5.75), f"Change ideas tested in {content.month:%B %Y} (PDSA)",
              [i.text for i in page.ideas], width=half)  # fmt: skip
    since = (
        f"since the last pack ({content.compared_with:%-d %b %Y})"
        if content.compared_with
        else "(first pack: no earlier pack to compare)"
    )
    units = content.unit_label.capitalize()
    _list_box(slide, Inches(5.75), f"{units}s whose signals changed {since}",
              [f"{c.unit}: {c.before} → {c.after}" for c in page.changes],
              left=Inches(0.6) + half, width=half)  # fmt: skip


def pack_pptx(content, images: dict) -> bytes:
    """The .pptx of a pack; `images`: measure code -> PNG bytes (absent: no chart)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDE, TALL
    prs.core_properties.title = content.title
    for n, (rows, columns) in enumerate(content.matrix_pages()):
        _matrix_slide(prs, content, rows, columns, continued=n > 0)
    for page in content.pages:
        _measure_slide(prs, content, page, images.get(page.measure.code))
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
