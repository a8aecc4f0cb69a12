"""The pack as PDF: an HTML page of the pack (chart images embedded as data URIs, the Making
Data Count icons as inline SVG) printed by headless Chromium's print-to-PDF.

Chromium, not WeasyPrint: it is already on every machine of the project for kaleido and the
browser tests, so the PDF needs no new native libraries (WeasyPrint needs Pango), and it draws
the same SVG icons as the pages. The command line (`--print-to-pdf`), not kaleido's browser:
a plain subprocess with a timeout, its own profile directory and nothing to keep alive."""

import base64
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from spc import icons

TIMEOUT = 120  # seconds: a hung Chromium fails the pack, never the worker


class PrintError(Exception):
    """Chromium could not print the pack."""


def pack_html(content, images: dict) -> str:
    pages = [{"page": page,
              "image": base64.b64encode(images[page.measure.code]).decode()
              if page.measure.code in images else None}
             for page in content.pages]  # fmt: skip
    matrices = [{"units": [content.units[i] for i in columns],
                 "lines": _lines(content, rows, columns)}
                for rows, columns in content.matrix_pages()]  # fmt: skip
    return render_to_string("reports/pack_print.html", {
        "content": content, "pages": pages, "matrices": matrices,
        "first_page": len(matrices) + 1,
    })  # fmt: skip


def _lines(content, rows: range, columns: range) -> list[dict]:
    return [{"line": line,
             "variation": icons.variation_svg(line.summary and line.summary.variation_icon, 26),
             "assurance": icons.assurance_svg(line.summary and line.summary.assurance_icon, 26),
             "units": [(icons.variation_svg(line.units[i].variation_icon, 20),
                        icons.assurance_svg(line.units[i].assurance_icon, 20)) for i in columns]}
            for line in (content.lines[i] for i in rows)]  # fmt: skip


def html_to_pdf(html: str, chromium: str | None = None) -> bytes:
    with tempfile.TemporaryDirectory(prefix="mhsip-pack-") as tmp:
        page, out = Path(tmp, "pack.html"), Path(tmp, "pack.pdf")
        page.write_text(html, encoding="utf-8")
        command = [
            chromium or settings.REPORTS_CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--no-pdf-header-footer", f"--user-data-dir={Path(tmp, 'profile')}",
            # Only the local file: nothing may be fetched while printing.
            "--disable-background-networking", "--no-first-run",
            f"--print-to-pdf={out}", page.as_uri(),
        ]  # fmt: skip
        try:
            run = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
        except FileNotFoundError:
            where = command[0]
            raise PrintError(f"Chromium was not found at {where} (REPORTS_CHROMIUM).") from None
        except subprocess.TimeoutExpired:
            raise PrintError(f"Chromium did not print the pack within {TIMEOUT} s.") from None
        if run.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            tail = run.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
            raise PrintError(
                f"Chromium could not print the pack (exit {run.returncode}): {tail[0]}"
            )
        return out.read_bytes()


def pack_pdf(content, images: dict) -> bytes:
    return html_to_pdf(pack_html(content, images))
