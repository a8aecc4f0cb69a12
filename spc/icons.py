"""Making Data Count summary icons, drawn here as small SVGs in the MDC visual language: a ring
in the signal's colour, a run of dots and H/L for high/low (variation), P/F/? (assurance)."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .presentation import ASSURANCE_LABELS, COLOURS, VARIATION_LABELS

GREY, BLUE, ORANGE, PURPLE = (
    COLOURS["common_cause"],
    COLOURS["special_cause_improvement"],
    COLOURS["special_cause_concern"],
    COLOURS["special_cause_neutral"],
)


def _svg(label: str, body: str, ring: str, size: int) -> SafeString:
    return mark_safe(  # noqa: S308 - built only from constants and an escaped label
        f'<svg class="mhsip-icon" viewBox="0 0 40 40" width="{size}" height="{size}" '
        f'role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>'
        f'<circle cx="20" cy="20" r="17" fill="#fff" stroke="{ring}" stroke-width="3"/>'
        f"{body}</svg>"
    )


def _dots(points, colours) -> str:
    line = " ".join(f"{x},{y}" for x, y in points)
    dots = "".join(
        f'<circle cx="{x}" cy="{y}" r="2.2" fill="{c}"/>'
        for (x, y), c in zip(points, colours, strict=True)
    )
    return f'<polyline points="{line}" fill="none" stroke="{GREY}" stroke-width="1.5"/>{dots}'


def _letter(text: str, colour: str, y: int) -> str:
    return (
        f'<text x="20" y="{y}" text-anchor="middle" font-size="11" font-weight="bold" '
        f'font-family="Arial, sans-serif" fill="{colour}">{text}</text>'
    )


def variation_svg(icon: str | None, size: int = 40) -> SafeString:
    if not icon:
        return _svg("No variation icon yet", "", "#d8dde0", size)
    label = VARIATION_LABELS.get(icon, icon)
    if icon == "common_cause":
        points = [(8, 22), (13, 17), (18, 24), (23, 16), (28, 23), (33, 19)]
        return _svg(label, _dots(points, [GREY] * 6), GREY, size)
    kind, side = icon.split("_", 1)
    colour = {"improvement": BLUE, "concern": ORANGE}.get(kind, PURPLE)
    if side == "high":
        points = [(8, 31), (14, 30), (20, 27), (26, 25), (32, 23)]
        letter = _letter("H", colour, 16)
    else:
        points = [(8, 9), (14, 10), (20, 13), (26, 15), (32, 17)]
        letter = _letter("L", colour, 32)
    return _svg(label, _dots(points, [GREY, GREY, colour, colour, colour]) + letter, colour, size)


def assurance_svg(icon: str | None, size: int = 40) -> SafeString:
    if not icon:
        return _svg("No target, so no assurance icon", "", "#d8dde0", size)
    label = ASSURANCE_LABELS.get(icon, icon)
    colour, letter = {
        "consistent_pass": (BLUE, "P"),
        "consistent_fail": (ORANGE, "F"),
        "hit_and_miss": (GREY, "?"),
    }.get(icon, (GREY, "?"))
    body = (
        f'<line x1="7" y1="27" x2="33" y2="27" stroke="{COLOURS["target"]}" stroke-width="1.5" '
        f'stroke-dasharray="3 2"/>' + _letter(letter, colour, 22)
    )
    return _svg(label, body, colour, size)
