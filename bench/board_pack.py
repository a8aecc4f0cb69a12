"""Board pack timing: chart images with ONE kaleido (Chromium) process for the whole pack, as
reports/images.py does, against one process per image; and the whole pack (content, images,
PowerPoint, PDF).

Reads the demo data set's charts (`make run`, or `manage.py seed_demo` into any database):

    .venv/bin/python bench/board_pack.py --trust RZ1 --charts 14
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/board_pack.py

The trust's charts are reused in turn until there are `--charts` of them (the demo trust has
one per active measure). Wall-clock seconds; nothing is written to the database.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mhsip.settings")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from reports import content, printing, slides  # noqa: E402
from reports.images import ChartImages, one_png  # noqa: E402
from wards.models import Trust  # noqa: E402


def timed(label, fn):
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"{label:<44} {seconds:7.1f} s")
    return result, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trust", default="RZ1", help="ODS code of the trust (demo: RZ1)")
    parser.add_argument("--charts", type=int, default=14)
    args = parser.parse_args()
    trust = Trust.objects.get(ods_code=args.trust)
    today = timezone.localdate()
    month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    pack, _ = timed("read the pack's content", lambda: content.pack_content(trust, month))
    figures = [p.figure for p in pack.pages if p.figure]
    if not figures:
        sys.exit(f"{trust.name} has no charts: run `manage.py seed_demo` first")
    figures = [figures[i % len(figures)] for i in range(args.charts)]
    n = len(figures)

    def one_process():
        with ChartImages() as renderer:
            return [renderer.png(f) for f in figures]

    images, shared = timed(f"{n} images, one kaleido process", one_process)
    _, separate = timed(
        f"{n} images, one kaleido process each", lambda: [one_png(f) for f in figures]
    )
    by_code = {p.measure.code: images[i % n] for i, p in enumerate(pack.pages)}
    timed("PowerPoint (python-pptx)", lambda: slides.pack_pptx(pack, by_code))
    timed("PDF (Chromium print-to-PDF)", lambda: printing.pack_pdf(pack, by_code))
    print(f"one process: {shared / n:.2f} s an image; one each: {separate / n:.2f} s an image "
          f"({separate / shared:.1f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
