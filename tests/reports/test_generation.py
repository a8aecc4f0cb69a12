"""Making a pack: with Chromium for real (slow: kaleido images, print-to-PDF, read back with
python-pptx and poppler), and every failure with fakes."""

import datetime
import io
import subprocess

import pytest
from django.utils import timezone
from pptx import Presentation

from reports import generation, printing
from reports.images import ImageError
from reports.models import BoardPack
from tests.reports.conftest import MONTH

pytestmark = pytest.mark.django_db
REAL_HTML_TO_PDF = printing.html_to_pdf


def _missing_chromium(html, chromium=None):
    return REAL_HTML_TO_PDF(html, "/nonexistent/chromium")


def queued(user, trust, month=MONTH):
    return BoardPack.objects.create(trust=trust, month=month, requested_by=user)


def slide_texts(data: bytes) -> list[str]:
    deck = Presentation(io.BytesIO(data))
    texts = []
    for slide in deck.slides:
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
        texts.append("\n".join(parts))
    return texts


def test_it_makes_both_files_and_keeps_them_for_seven_days(charted, trust, qi_lead, no_chromium):
    pack = generation.board_pack_generate(pack_id=queued(qi_lead, trust).pk)
    assert pack.status == BoardPack.Status.READY and pack.progress == 100
    assert bytes(pack.pdf).startswith(b"%PDF")
    texts = slide_texts(bytes(pack.pptx))
    # 22 measures: the matrix takes two pages of 12 rows, then a page per measure.
    assert len(texts) == pack.pages == 2 + len(pack.signals)
    assert "Variation / assurance" in texts[0] and "Physical restraint" in texts[0]
    assert texts[1].startswith(f"{trust.name}: board pack, March 2024 (continued)")
    assert any(t.startswith("Physical restraint") for t in texts[1:])
    assert pack.expires_at - pack.finished_at == datetime.timedelta(days=7)
    assert no_chromium.drawn >= 1


def test_it_leaves_a_pack_already_made_alone(charted, trust, qi_lead, no_chromium):
    pack = generation.board_pack_generate(pack_id=queued(qi_lead, trust).pk)
    made = pack.finished_at
    again = generation.board_pack_generate(pack_id=pack.pk)
    assert again.finished_at == made


def test_it_fails_a_month_with_no_data_with_a_reason(charted, trust, qi_lead, no_chromium):
    pack = generation.board_pack_generate(
        pack_id=queued(qi_lead, trust, datetime.date(2019, 5, 1)).pk
    )
    assert pack.status == BoardPack.Status.FAILED
    assert "No returns were submitted" in pack.message and "May 2019" in pack.message


def test_it_fails_cleanly_when_chromium_cannot_draw(charted, trust, qi_lead, monkeypatch):
    class Broken:
        def __init__(self, *a, **k):
            pass

        def __enter__(self):
            raise ImageError("Chromium could not draw the chart: it crashed.")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(generation, "ChartImages", Broken)
    pack = generation.board_pack_generate(pack_id=queued(qi_lead, trust).pk)
    assert pack.status == BoardPack.Status.FAILED
    assert pack.message.startswith("Chromium could not draw the chart: it crashed. Try again")


def test_it_fails_cleanly_when_the_pdf_cannot_be_printed(
    charted, trust, qi_lead, no_chromium, monkeypatch
):
    monkeypatch.setattr(printing, "html_to_pdf", _missing_chromium)
    pack = generation.board_pack_generate(pack_id=queued(qi_lead, trust).pk)
    assert pack.status == BoardPack.Status.FAILED
    assert "Chromium was not found at /nonexistent/chromium" in pack.message
    assert pack.pptx is None


def test_it_purges_files_after_their_time_but_keeps_the_signals(
    charted, trust, qi_lead, no_chromium
):
    pack = generation.board_pack_generate(pack_id=queued(qi_lead, trust).pk)
    assert generation.board_packs_purge(now=timezone.now()) == 0
    assert generation.board_packs_purge(now=pack.expires_at) == 1
    pack.refresh_from_db()
    assert pack.status == BoardPack.Status.EXPIRED and pack.pptx is None and pack.pdf is None
    assert pack.signals


def test_the_next_pack_compares_with_the_last(charted, trust, qi_lead, no_chromium):
    generation.board_pack_generate(pack_id=queued(qi_lead, trust).pk)
    second = generation.board_pack_generate(pack_id=queued(qi_lead, trust).pk)
    texts = slide_texts(bytes(second.pptx))
    restraint = next(t for t in texts[1:] if t.startswith("Physical restraint"))
    assert "since the last pack" in restraint
    assert "Oak Ward:" not in restraint


@pytest.mark.slow
def test_it_makes_a_pack_with_real_chromium(charted, trust, qi_lead, tmp_path):
    pack = generation.board_pack_generate(pack_id=queued(qi_lead, trust).pk)
    assert pack.status == BoardPack.Status.READY, pack.message
    texts = slide_texts(bytes(pack.pptx))
    assert "Physical restraint" in texts[0]
    deck = Presentation(io.BytesIO(bytes(pack.pptx)))
    pictures = [s for slide in deck.slides for s in slide.shapes if s.shape_type == 13]
    assert pictures, "the chart images are in the slides"
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(bytes(pack.pdf))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(
        next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages:"))
    )
    assert pages == pack.pages == len(texts)
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for heading in (
        "Measure",
        "Latest",
        "Target",
        "Variation",
        "Assurance",
        "Coverage",
        "Oak Ward",
        "Physical restraint",
    ):
        assert heading in first
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(tmp_path / "first"),
        ],
        check=True,
    )
    png = (tmp_path / "first.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5000


def test_the_hourly_purge_requeues_a_pack_whose_enqueue_was_lost(
    charted, trust, qi_lead, no_chromium
):
    from reports.tasks import board_packs_purge_task  # noqa: PLC0415

    pack = queued(qi_lead, trust)
    board_packs_purge_task()
    pack.refresh_from_db()
    assert pack.status == BoardPack.Status.QUEUED  # asked for just now: still on its way
    BoardPack.objects.filter(pk=pack.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    board_packs_purge_task()
    pack.refresh_from_db()
    assert pack.status == BoardPack.Status.READY


def test_a_facilitator_makes_a_region_pack(charted, region, trust, facilitator, no_chromium):
    pack = BoardPack.objects.create(region=region, month=MONTH, requested_by=facilitator)
    pack = generation.board_pack_generate(pack_id=pack.pk)
    assert pack.status == BoardPack.Status.READY
    texts = slide_texts(bytes(pack.pptx))
    assert texts[0].startswith("North PSC: board pack, March 2024") and trust.name in texts[0]
    assert pack.filename == "board-pack-north-2024-03"


def test_a_requester_without_an_address_is_told_on_the_page(client, charted, trust, qi_lead,
                                                           no_chromium):  # fmt: skip
    from reports.tasks import board_pack_generate_task  # noqa: PLC0415

    pack = queued(qi_lead, trust)
    board_pack_generate_task(pack.pk)
    client.force_login(qi_lead)
    page = client.get(f"/board-packs/{pack.pk}/").content.decode()
    assert "Download PDF" in page and "not sent: No email address" in page


def test_a_trust_of_many_wards_continues_its_matrix_on_another_page(charted, trust, qi_lead,
                                                                    no_chromium):  # fmt: skip
    from tests.factories import WardFactory  # noqa: PLC0415

    for i in range(8):
        WardFactory(trust=trust, name=f"Extra Ward {i}")
    pack = generation.board_pack_generate(pack_id=queued(qi_lead, trust).pk)
    texts = slide_texts(bytes(pack.pptx))
    # 10 wards by 22 measures: 8 wards on the first two pages (12 and 10 rows), then the rest.
    assert pack.pages == len(texts) == 4 + len(pack.signals)
    assert "Elm Ward" in texts[0] and "Extra Ward 5" in texts[0] and "Oak Ward" not in texts[0]
    assert "Oak Ward" in texts[2] and "Physical restraint" in texts[2]
