"""Asking for a board pack: checked, saved, and queued once the request commits."""

import datetime
import logging

from django.db import transaction

from wards.models import Trust

from . import content as pack_contents
from .models import BoardPack
from .tasks import board_pack_generate_task

logger = logging.getLogger(__name__)


@transaction.atomic
def board_pack_request(*, scope, month: datetime.date, user) -> BoardPack:
    """A queued pack of a trust or region for `month`, made by a task once this commits;
    content.PackError (nothing saved) when the month has no returns or there are no charts."""
    month = month.replace(day=1)
    pack_contents.pack_check(scope, month)
    field = "trust" if isinstance(scope, Trust) else "region"
    pack = BoardPack(**{field: scope}, month=month, requested_by=user, step="Waiting for a worker")
    pack.full_clean()
    pack.save()
    transaction.on_commit(lambda: _enqueue(pack.pk))
    return pack


def _enqueue(pack_id: int) -> None:
    try:
        board_pack_generate_task.delay(pack_id)
    except Exception:  # a down broker must not fail the request: the page says it is waiting
        logger.exception("Could not queue board pack %s", pack_id)
