import datetime
import struct
import zlib

import pytest

from measures.models import Enrolment, Measure, Programme, WeeklyReturn
from spc import recompute
from tests.factories import WeeklyCountFactory, WeeklyReturnFactory

FIRST = datetime.date(2024, 1, 1)
MONTH = datetime.date(2024, 3, 1)  # inside the 30 weeks charted below
TODAY = datetime.date(2024, 8, 1)  # charts end at w/c 22 Jul 2024, the 30th week


def tiny_png() -> bytes:
    """A valid 1×1 PNG, for tests that need an image but not Chromium."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def chart(wards, counts, weeks=30, code="physical_restraint"):
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    measure = Measure.objects.get(code=code)
    for ward, count in zip(wards, counts, strict=True):
        Enrolment.objects.get_or_create(
            programme=programme, ward=ward, defaults={"joined_on": FIRST}
        )
        for i in range(weeks):
            week = FIRST + datetime.timedelta(weeks=i)
            weekly_return = WeeklyReturn.objects.filter(ward=ward, week_start=week).first()
            weekly_return = weekly_return or WeeklyReturnFactory(
                ward=ward,
                week_start=week,
                status=WeeklyReturn.Status.SUBMITTED,
                occupied_bed_days=80,
            )
            value = count(i) if callable(count) else count
            WeeklyCountFactory(weekly_return=weekly_return, measure=measure, count=value)
    recompute.charts_recompute(ward_ids=[w.pk for w in wards], today=TODAY)


@pytest.fixture
def charted(ward, other_ward):
    """Two wards of the trust with 30 weeks of restraint from January 2024, and Oak Ward's
    restraint falling sharply from week 20 (a special cause)."""
    chart([ward, other_ward], [lambda i: 6 if i < 20 else 0, 1])
    return ward


class FakeImages:
    """Stands in for reports.images.ChartImages where Chromium is not the point."""

    drawn = 0

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def png(self, figure, *args):
        FakeImages.drawn += 1
        return tiny_png()


@pytest.fixture
def no_chromium(monkeypatch):
    """Pack generation with fake images and a fake PDF printer (no Chromium)."""
    from reports import generation, printing  # noqa: PLC0415 - test-only patching

    monkeypatch.setattr(generation, "ChartImages", FakeImages)
    monkeypatch.setattr(printing, "html_to_pdf", lambda html, chromium=None: b"%PDF-1.4 fake")
    return FakeImages
