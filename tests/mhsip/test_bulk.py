"""mhsip/bulk.py: the same results on SQLite and on PostgreSQL (CI's second pass runs this on
PostgreSQL, where large writes take the COPY path: the sizes below cross COPY_MIN_ROWS)."""

import datetime

import pytest
from django.utils import timezone

from measures.models import Measure, ReturnImport, WeeklyCount, WeeklyReturn
from mhsip import bulk
from tests.factories import UserFactory, WardFactory, WeeklyReturnFactory

pytestmark = pytest.mark.django_db

AWKWARD = "tab\there, new\nline, back\\slash, \\N, quote ' \" and é"


@pytest.mark.parametrize("size", [1, bulk.COPY_MIN_ROWS + 5])
def test_update_rows_writes_every_kind_of_value(size):
    user = UserFactory()
    uploads = [ReturnImport.objects.create(user=user, filename=f"f{i}.csv") for i in range(size)]
    when = timezone.now() - datetime.timedelta(days=3)
    for i, upload in enumerate(uploads):
        upload.filename = f"{AWKWARD} {i}"
        upload.parsed = {"text": AWKWARD, "n": i, "nested": [None, True, 1.5]}
        upload.snap_to_monday = i % 2 == 0
        upload.size = i
        upload.created_at = when
    bulk.update_rows(ReturnImport, ["filename", "parsed", "snap_to_monday", "size", "created_at"],
                     uploads)  # fmt: skip
    for i, upload in enumerate(ReturnImport.objects.order_by("pk")):
        assert upload.filename == f"{AWKWARD} {i}"
        assert upload.parsed == {"text": AWKWARD, "n": i, "nested": [None, True, 1.5]}
        assert upload.snap_to_monday is (i % 2 == 0)
        assert (upload.size, upload.created_at) == (i, when)


def test_update_rows_writes_nulls():
    first = datetime.date(2024, 1, 1)
    returns = [WeeklyReturnFactory(week_start=first + datetime.timedelta(weeks=i))
               for i in range(bulk.COPY_MIN_ROWS)]  # fmt: skip
    for weekly_return in returns:
        weekly_return.occupied_bed_days = None
    bulk.update_rows(WeeklyReturn, ["occupied_bed_days"], returns)
    assert set(WeeklyReturn.objects.values_list("occupied_bed_days", flat=True)) == {None}


def stamp(user, reason="Imported from test.csv"):
    return bulk.HistoryStamp(when=timezone.now(), user_id=user.pk, reason=reason)


def test_writes_with_history_record_what_simple_history_would():
    user = UserFactory()
    ward = WardFactory()
    weeks = [datetime.date(2024, 1, 1) + datetime.timedelta(weeks=i) for i in range(60)]
    returns = [WeeklyReturn(ward=ward, week_start=w, beds=20, occupied_bed_days=100, status="draft",
                            version=1, created_at=timezone.now(), updated_at=timezone.now())
               for w in weeks]  # fmt: skip
    fields = ["ward", "week_start", "beds", "occupied_bed_days", "status", "version",
              "created_at", "updated_at"]  # fmt: skip
    ids = bulk.insert_rows_with_history(WeeklyReturn, fields, bulk.prepared_rows(returns, fields),
                                        key=["ward", "week_start"], stamp=stamp(user))  # fmt: skip
    saved = WeeklyReturn.objects.values_list("pk", "ward_id", "week_start")
    assert ids == {(ward_id, week): pk for pk, ward_id, week in saved}
    measure = Measure.objects.get(code="seclusion")
    count_ids = bulk.insert_rows_with_history(
        WeeklyCount, ["weekly_return", "measure", "count"],
        [(pk, measure.pk, 2) for pk in ids.values()], key=["weekly_return", "measure"],
        stamp=stamp(user),
    )  # fmt: skip
    history = WeeklyCount.history.filter(history_type="+")
    assert history.count() == 60
    assert {(h.history_user, h.history_change_reason, h.count) for h in history} == {
        (user, "Imported from test.csv", 2)
    }
    changed = [WeeklyCount(id=pk, count=5) for pk in list(count_ids.values())[:55]]
    bulk.update_rows_with_history(WeeklyCount, ["count"], changed, stamp=stamp(user, "recount"))
    assert WeeklyCount.objects.filter(count=5).count() == 55
    updated = WeeklyCount.history.filter(history_type="~")
    assert sorted(updated.values_list("id", "count")) == sorted((c.id, 5) for c in changed)
    gone = list(count_ids.values())[50:]
    bulk.delete_rows_with_history(WeeklyCount, "id", gone, stamp=stamp(user))
    assert WeeklyCount.objects.count() == 50
    deleted = WeeklyCount.history.filter(history_type="-")
    assert sorted(deleted.values_list("id", "count", "weekly_return_id")) == sorted(
        (pk, 5 if i < 5 else 2, weekly_return_id)
        for i, ((weekly_return_id, _), pk) in enumerate(list(count_ids.items())[50:])
    )
    # simple_history reads them back as it reads its own rows.
    count = WeeklyCount.objects.first()
    assert [h.count for h in count.history.all()] == [5, 2]
