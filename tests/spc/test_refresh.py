"""After a data change: charts marked stale in its transaction, a refresh queued on commit
(eager Celery here; tests/spc/test_pipeline_services.py runs a real worker)."""

import pytest
from django.db import transaction

from measures.import_commit import weekly_returns_import_commit
from measures.importing import parse_returns_file
from measures.models import WeeklyReturn
from measures.services import weekly_return_record
from mhsip.freshness import charts_stale
from spc import recompute
from spc.models import Scope, StoredChart
from tests.factories import TrustFactory, answered
from tests.spc.helpers import FIRST, TODAY, fill, result, view, weeks

pytestmark = pytest.mark.django_db


def test_it_recomputes_after_a_save_through_the_service(
    ward, staff, enrolled, django_capture_on_commit_callbacks
):
    fill(ward, n=25)
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        weekly_return_record(
            ward=ward,
            week_start=weeks(26)[25],
            user=staff,
            counts=answered(ward, physical_restraint=9),
            occupied_bed_days=120,
            submit=True,
        )
    assert len(callbacks) == 1
    stored = result(Scope.WARD, ward.pk)
    assert not stored.is_stale
    # The task charts up to the real latest week; find the saved one on the axis.
    chart = view(Scope.WARD, ward.pk)
    assert chart.count[chart.dates.index(weeks(26)[25].isoformat())] == 9
    assert not result(Scope.NATIONAL, 0).is_stale


def test_it_marks_charts_stale_in_the_saving_transaction(ward, staff, enrolled, monkeypatch):
    fill(ward, n=25)
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    monkeypatch.setattr("spc.tasks.charts_refresh_task.delay", lambda ids: None)
    weekly_return_record(
        ward=ward, week_start=weeks(26)[25], user=staff, counts={"seclusion": 1},
        occupied_bed_days=120,
    )  # fmt: skip
    assert result(Scope.WARD, ward.pk).is_stale
    assert result(Scope.TRUST, ward.trust_id).is_stale
    assert result(Scope.NATIONAL, 0).is_stale
    assert result(Scope.WARD, ward.pk).stale_since is not None


def test_it_queues_a_burst_of_saves_only_when_their_transaction_commits(
    ward, other_ward, qi_lead, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr("spc.tasks.charts_refresh_task.delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for week in weeks(10):
            for w in (ward, other_ward):
                weekly_return_record(
                    ward=w, week_start=week, user=qi_lead, counts={"seclusion": 1},
                    occupied_bed_days=60,
                )  # fmt: skip
        assert queued == []  # nothing reaches the broker before the data are committed
    # Each save queues the refresh of its own ward (the tasks are idempotent: a repeat costs
    # an unchanged recompute, never a wrong chart); one call with many wards queues one task.
    assert len(callbacks) == len(queued) == 20
    assert {ids[0] for ids in queued} == {ward.pk, other_ward.pk}
    assert all(len(ids) == 1 for ids in queued)


def test_it_forgets_the_wards_of_a_rolled_back_transaction(
    ward, other_ward, qi_lead, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr("spc.tasks.charts_refresh_task.delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            weekly_return_record(
                ward=ward, week_start=FIRST, user=qi_lead, counts={"seclusion": 1},
                occupied_bed_days=60,
            )  # fmt: skip
            raise RuntimeError("the request failed after the save")
        weekly_return_record(
            ward=other_ward, week_start=FIRST, user=qi_lead, counts={"seclusion": 1},
            occupied_bed_days=60,
        )  # fmt: skip
    assert queued == [[other_ward.pk]]


def test_it_saves_the_return_when_the_broker_is_down(
    ward, staff, enrolled, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    fill(ward, n=25)
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)

    def broker_down(ids):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("spc.tasks.charts_refresh_task.delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        saved = weekly_return_record(
            ward=ward, week_start=weeks(26)[25], user=staff,
            counts=answered(ward, physical_restraint=3), occupied_bed_days=120, submit=True,
        )  # fmt: skip
    assert WeeklyReturn.objects.filter(pk=saved.pk).exists()
    assert "Could not queue a chart refresh" in caplog.text
    assert result(Scope.WARD, ward.pk).is_stale
    summary = recompute.charts_recompute_stale(today=TODAY)  # what beat runs
    assert summary.computed > 0
    assert not result(Scope.WARD, ward.pk).is_stale
    assert view(Scope.WARD, ward.pk).count[25] == 3


def test_it_refreshes_the_old_and_new_trust_when_a_ward_moves(
    ward, other_ward, enrolled, django_capture_on_commit_callbacks
):
    fill(ward)
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    old_trust = ward.trust
    ward.trust = TrustFactory(name="New Trust", ods_code="RZZ", region=old_trust.region)
    ward.save()
    with django_capture_on_commit_callbacks(execute=True):
        charts_stale(ward_ids=[ward.pk], moved_from_trust_id=old_trust.pk)
    old = result(Scope.TRUST, old_trust.pk)
    assert not old.is_stale
    assert old.status == StoredChart.Status.INSUFFICIENT  # its only data left with the ward
    assert result(Scope.TRUST, ward.trust_id).status == StoredChart.Status.OK


def test_it_queues_one_refresh_for_an_imported_file(
    ward, other_ward, qi_lead, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr("spc.tasks.charts_refresh_task.delay", queued.append)
    lines = ["trust_ods,ward_name,week_start,status,beds,occupied_bed_days,seclusion"]
    for w in (ward, other_ward):
        for week in weeks(20):
            lines.append(f"RX4,{w.name},{week},submitted,{w.beds},70,1")
    parsed = parse_returns_file(content="\n".join(lines).encode(), filename="returns.csv")
    with django_capture_on_commit_callbacks(execute=True):
        weekly_returns_import_commit(user=qi_lead, parsed=parsed, source="returns.csv")
    assert queued == [sorted([ward.pk, other_ward.pk])]
