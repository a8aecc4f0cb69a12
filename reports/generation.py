"""Making a board pack: the pack task's one call (content, chart images in one browser,
PowerPoint, PDF, progress written as it goes), and the purge of old files."""

import datetime
import logging

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from . import content as pack_contents
from . import printing, slides
from .content import PackError
from .images import ChartImages, ImageError
from .models import BoardPack

logger = logging.getLogger(__name__)


def _progress(pack_id: int, percent: int, step: str) -> None:
    BoardPack.objects.filter(pk=pack_id).update(progress=percent, step=step[:120])


def _previous(pack: BoardPack) -> BoardPack | None:
    scope = {"trust_id": pack.trust_id} if pack.trust_id else {"region_id": pack.region_id}
    return (
        BoardPack.objects.filter(**scope, created_at__lt=pack.created_at,
                                 status__in=[BoardPack.Status.READY, BoardPack.Status.EXPIRED])
        .exclude(pk=pack.pk).order_by("-created_at").first()
    )  # fmt: skip


def _images(pack_id: int, content) -> dict:
    figures = [(p.measure.code, p.figure) for p in content.pages if p.figure]
    images = {}
    _progress(pack_id, 10, "Starting the chart renderer")
    with ChartImages() as renderer:
        for i, (code, figure) in enumerate(figures, start=1):
            _progress(pack_id, 10 + 70 * (i - 1) // max(1, len(figures)),
                      f"Drawing chart {i} of {len(figures)}")  # fmt: skip
            images[code] = renderer.png(figure)
    return images


def _fail(pack: BoardPack, message: str) -> BoardPack:
    pack.status, pack.message, pack.finished_at = BoardPack.Status.FAILED, message, timezone.now()
    pack.step = "Stopped"
    pack.save(update_fields=["status", "message", "finished_at", "step"])
    return pack


def board_pack_generate(*, pack_id: int) -> BoardPack | None:
    """Make a queued pack's files. Idempotent: a pack already made (or purged) is left alone.
    Every foreseeable failure ends as a failed pack with its reason, never a crashed task."""
    pack = BoardPack.objects.select_related("trust", "region").filter(pk=pack_id).first()
    if pack is None or pack.status not in (BoardPack.Status.QUEUED, BoardPack.Status.RUNNING):
        return pack
    pack.status, pack.progress, pack.step = BoardPack.Status.RUNNING, 2, "Reading the charts"
    pack.save(update_fields=["status", "progress", "step"])
    previous = _previous(pack)
    try:
        content = pack_contents.pack_content(
            pack_contents.scope_of(pack), pack.month,
            previous.signals if previous else None, previous.created_at if previous else None,
        )  # fmt: skip
        images = _images(pack.pk, content)
        _progress(pack.pk, 82, "Writing the PowerPoint file")
        pptx = slides.pack_pptx(content, images)
        _progress(pack.pk, 90, "Printing the PDF")
        pdf = printing.pack_pdf(content, images)
    except PackError as error:
        return _fail(pack, str(error))
    except (ImageError, printing.PrintError) as error:
        logger.warning("Board pack %s failed: %s", pack.pk, error)
        return _fail(pack, f"{error} Try again; if it fails again, tell your admin.")
    except DatabaseError:
        raise  # the task retries it with backoff; the pack stays running meanwhile
    except Exception:
        logger.exception("Board pack %s failed", pack.pk)
        return _fail(pack, "An unexpected error stopped the pack; it is logged for the admins.")
    now = timezone.now()
    pack.pptx, pack.pdf, pack.signals = pptx, pdf, content.signals
    pack.pages = content.page_count
    pack.status, pack.progress, pack.step = BoardPack.Status.READY, 100, "Done"
    pack.finished_at = now
    pack.expires_at = now + datetime.timedelta(days=settings.REPORTS_PACK_KEEP_DAYS)
    pack.save()
    return pack


def board_packs_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of packs past their keeping time (the row and its signals stay)."""
    return BoardPack.objects.filter(
        status=BoardPack.Status.READY, expires_at__lte=now or timezone.now()
    ).update(pptx=None, pdf=None, status=BoardPack.Status.EXPIRED, step="Files deleted")


def packs_waiting(*, older_than: datetime.timedelta) -> list[int]:
    """Packs queued this long ago and never started: their enqueue was lost (Redis down when
    they were asked for); the hourly purge queues them again."""
    return list(
        BoardPack.objects.filter(
            status=BoardPack.Status.QUEUED, created_at__lt=timezone.now() - older_than
        ).values_list("pk", flat=True)
    )
