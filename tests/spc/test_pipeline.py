"""Stored charts: recompute, aggregation, staleness, coalescing and faults (eager Celery)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import transaction

from measures.models import Enrolment, Measure, Programme, WeeklyReturn
from measures.services import weekly_return_record
from spc import services
from spc.models import ChartResult, Scope
from tests.factories import WardFactory, WeeklyCountFactory, WeeklyReturnFactory

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2024, 1, 1)
TODAY = datetime.date(2024, 7, 3)  # latest complete week: w/c 24 June 2024 (26 weeks)


def weeks(n, start=FIRST):
    return [start + datetime.timedelta(weeks=i) for i in range(n)]


def fill(ward, n=26, count=2, bed_days=120, skip=(), status=WeeklyReturn.Status.SUBMITTED):
    restraint = Measure.objects.get(code="physical_restraint")
    for i, week in enumerate(weeks(n)):
        if i in skip:
            continue
        weekly_return = WeeklyReturnFactory(
            ward=ward, week_start=week, occupied_bed_days=bed_days, status=status
        )
        WeeklyCountFactory(weekly_return=weekly_return, measure=restraint, count=count)


def result(scope, scope_id, code="physical_restraint"):
    return ChartResult.objects.get(scope=scope, scope_id=scope_id, measure__code=code)


@pytest.fixture
def enrolled(ward, other_ward):
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    for w in (ward, other_ward):
        Enrolment.objects.create(programme=programme, ward=w, joined_on=FIRST)
    return programme


def test_it_stores_ward_trust_region_and_national_charts(ward, enrolled):
    fill(ward)
    summary = services.charts_refresh(ward_ids=[ward.pk], today=TODAY)
    measures = Measure.objects.filter(is_active=True).count()
    assert summary.failed == 0
    assert ChartResult.objects.filter(scope=Scope.WARD).count() == measures
    for scope, scope_id in [
        (Scope.TRUST, ward.trust_id),
        (Scope.REGION, ward.trust.region_id),
        (Scope.NATIONAL, 0),
    ]:
        stored = result(scope, scope_id)
        assert stored.payload["status"] == "ok"
        assert not stored.is_stale
    ward_chart = result(Scope.WARD, ward.pk).payload
    assert ward_chart["engine"]["chart"] == "u"
    assert len(ward_chart["engine"]["points"]["date"]) == 26
    assert ward_chart["engine"]["summary"]["baseline_centre"] == pytest.approx(2 / 120 * 1000)
    assert [t["value"] for t in ward_chart["targets"]] == [pytest.approx(2 / 120 * 1000 / 2)]


def test_it_sums_only_wards_complete_for_the_measure_and_says_how_many(
    ward, other_ward, enrolled
):
    fill(ward, count=2, bed_days=100)
    fill(other_ward, count=4, bed_days=50, skip={3})
    # A draft and a return without the measure's count do not contribute.
    WeeklyReturnFactory(ward=other_ward, week_start=weeks(4)[3], occupied_bed_days=70)
    services.charts_refresh(ward_ids=[ward.pk, other_ward.pk], today=TODAY)
    trust = result(Scope.TRUST, ward.trust_id).payload
    assert trust["contributors"][:5] == [2, 2, 2, 1, 2]
    assert trust["counts"][:5] == [6, 6, 6, 2, 6]
    assert trust["bed_days"][:5] == [150, 150, 150, 100, 150]


def test_it_leaves_drafts_and_missing_counts_off_the_chart(ward, enrolled):
    fill(ward, skip={5})
    draft = WeeklyReturn.objects.get(ward=ward, week_start=weeks(6)[4])
    draft.status = WeeklyReturn.Status.DRAFT
    draft.save()
    services.charts_refresh(ward_ids=[ward.pk], today=TODAY)
    points = result(Scope.WARD, ward.pk).payload["engine"]["points"]
    assert points["missing"][4] is True  # a draft week
    assert points["missing"][5] is True  # no return
    assert points["value"][4] is None and points["value"][5] is None


def test_it_uses_a_run_chart_for_a_ward_with_few_weeks(ward, enrolled):
    fill(ward, n=26, skip=set(range(8, 26)))
    services.charts_refresh(ward_ids=[ward.pk], today=TODAY)
    assert result(Scope.WARD, ward.pk).payload["engine"]["chart"] == "run"


def test_it_marks_a_new_ward_with_no_data_as_insufficient_not_failed(ward, enrolled):
    summary = services.charts_refresh(ward_ids=[ward.pk], today=TODAY)
    assert summary.failed == 0
    assert result(Scope.WARD, ward.pk).payload["status"] == "insufficient"


def test_it_skips_charts_whose_inputs_did_not_change(ward, enrolled):
    fill(ward)
    first = services.charts_refresh(ward_ids=[ward.pk], today=TODAY)
    second = services.charts_refresh(ward_ids=[ward.pk], today=TODAY)
    assert second.computed == 0
    assert second.unchanged == first.computed + first.insufficient


def test_it_recomputes_after_a_save_through_the_service(
    ward, staff, enrolled, django_capture_on_commit_callbacks
):
    fill(ward, n=25)
    services.charts_refresh(ward_ids=[ward.pk], today=TODAY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        weekly_return_record(
            ward=ward,
            week_start=weeks(26)[25],
            user=staff,
            counts={"physical_restraint": 9},
            occupied_bed_days=120,
            submit=True,
        )
    assert len(callbacks) == 1
    stored = result(Scope.WARD, ward.pk)
    assert not stored.is_stale
    # The task charts up to the real latest week; find the saved one on the axis.
    index = stored.payload["engine"]["points"]["date"].index(weeks(26)[25].isoformat())
    assert stored.payload["counts"][index] == 9
    assert not result(Scope.NATIONAL, 0).is_stale


def test_it_marks_charts_stale_in_the_saving_transaction(ward, staff, enrolled, monkeypatch):
    fill(ward, n=25)
    services.charts_refresh(ward_ids=[ward.pk], today=TODAY)
    monkeypatch.setattr("spc.tasks.charts_refresh_task.delay", lambda ids: None)
    weekly_return_record(
        ward=ward, week_start=weeks(26)[25], user=staff, counts={"seclusion": 1},
        occupied_bed_days=120,
    )  # fmt: skip
    assert result(Scope.WARD, ward.pk).is_stale
    assert result(Scope.TRUST, ward.trust_id).is_stale
    assert result(Scope.NATIONAL, 0).is_stale
    assert result(Scope.WARD, ward.pk).stale_since is not None


def test_it_keeps_a_chart_stale_when_data_change_during_its_recompute(ward, enrolled, monkeypatch):
    fill(ward)
    services.charts_refresh(ward_ids=[ward.pk], today=TODAY)
    services.charts_mark_stale(ward_ids=[ward.pk])
    real_series = services.selectors.ward_series

    def series_then_a_save(*args, **kwargs):
        data = real_series(*args, **kwargs)
        services.charts_mark_stale(ward_ids=[ward.pk])  # a save lands after the data read
        return data

    monkeypatch.setattr(services.selectors, "ward_series", series_then_a_save)
    services.ward_charts_recompute(ward_ids=[ward.pk], today=TODAY, force=True)
    assert result(Scope.WARD, ward.pk).is_stale
    monkeypatch.setattr(services.selectors, "ward_series", real_series)
    services.charts_refresh_stale(today=TODAY)
    assert not result(Scope.WARD, ward.pk).is_stale


def test_it_queues_one_refresh_for_a_burst_of_saves(
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
    assert len(callbacks) == 1
    assert queued == [sorted([ward.pk, other_ward.pk])]


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
    services.charts_refresh(ward_ids=[ward.pk], today=TODAY)

    def broker_down(ids):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("spc.tasks.charts_refresh_task.delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        saved = weekly_return_record(
            ward=ward, week_start=weeks(26)[25], user=staff, counts={"physical_restraint": 3},
            occupied_bed_days=120, submit=True,
        )  # fmt: skip
    assert WeeklyReturn.objects.filter(pk=saved.pk).exists()
    assert "Could not queue a chart refresh" in caplog.text
    assert result(Scope.WARD, ward.pk).is_stale
    summary = services.charts_refresh_stale(today=TODAY)  # what beat runs
    assert summary.computed > 0
    assert not result(Scope.WARD, ward.pk).is_stale
    assert result(Scope.WARD, ward.pk).payload["counts"][25] == 3


def test_it_keeps_going_when_one_chart_fails(ward, enrolled, monkeypatch):
    fill(ward)
    real = services.compute_batch

    def one_fails(specs, on_error):
        results = real(specs, on_error=on_error)
        results[0] = {"error": {"type": "InvalidValueError", "message": "broken input"}}
        return results

    monkeypatch.setattr(services, "compute_batch", one_fails)
    summary = services.ward_charts_recompute(ward_ids=[ward.pk], today=TODAY)
    assert summary.failed == 1
    assert summary.computed + summary.insufficient == Measure.objects.count() - 1
    failed = ChartResult.objects.exclude(error="").get()
    assert "InvalidValueError: broken input" in failed.error
    assert failed.error_at is not None


def test_it_recomputes_from_the_command_with_a_summary(ward, other_ward, enrolled):
    fill(ward)
    out, err = io.StringIO(), io.StringIO()
    call_command("recompute_charts", "--all", stdout=out, stderr=err)
    assert "charts computed" in out.getvalue()
    assert "1/1 trusts" in err.getvalue()
    call_command("recompute_charts", "--trust", ward.trust.ods_code.lower(), stdout=out, stderr=err)
    with pytest.raises(Exception, match="No trust with ODS code"):
        call_command("recompute_charts", "--trust", "RQQ", stdout=out, stderr=err)
    with pytest.raises(Exception, match="No ward with id"):
        call_command("recompute_charts", "--ward", "999999", stdout=out, stderr=err)


def test_it_recomputes_a_closed_ward_only_up_to_its_closing(trust, enrolled):
    closed = WardFactory(trust=trust, name="Closed Ward", active_to=datetime.date(2024, 3, 10))
    fill(closed, n=10)
    services.charts_refresh(ward_ids=[closed.pk], today=TODAY)
    dates = result(Scope.WARD, closed.pk).payload["engine"]["points"]["date"]
    assert dates[-1] == "2024-03-04"


def test_it_refreshes_the_old_and_new_trust_when_a_ward_moves(
    ward, other_ward, enrolled, django_capture_on_commit_callbacks
):
    from mhsip.freshness import charts_stale
    from tests.factories import TrustFactory

    fill(ward)
    services.charts_refresh(ward_ids=[ward.pk], today=TODAY)
    old_trust = ward.trust
    ward.trust = TrustFactory(name="New Trust", ods_code="RZZ", region=old_trust.region)
    ward.save()
    with django_capture_on_commit_callbacks(execute=True):
        charts_stale(ward_ids=[ward.pk], moved_from_trust_id=old_trust.pk)
    old = result(Scope.TRUST, old_trust.pk)
    assert not old.is_stale
    assert old.payload["status"] == "insufficient"  # its only data left with the ward
    assert result(Scope.TRUST, ward.trust_id).payload["status"] == "ok"


def test_it_queues_one_refresh_for_an_imported_file(
    ward, other_ward, qi_lead, monkeypatch, django_capture_on_commit_callbacks
):
    from measures.import_commit import weekly_returns_import_commit
    from measures.importing import parse_returns_file

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


def test_it_skips_fresh_aggregates_when_a_burst_queued_many_refreshes(ward, enrolled, monkeypatch):
    fill(ward)
    services.charts_refresh(ward_ids=[ward.pk], today=TODAY)
    scopes = services.selectors.scopes_containing([ward.pk])

    def no_reads(*args, **kwargs):
        raise AssertionError("a fresh scope's data must not be read again")

    monkeypatch.setattr(services.selectors, "aggregate_series", no_reads)
    summary = services.aggregate_charts_recompute(scopes=scopes, today=TODAY, only_stale=True)
    assert summary.computed == 0 and summary.unchanged == 3 * Measure.objects.count()
    services.charts_mark_stale(ward_ids=[ward.pk])
    with pytest.raises(AssertionError, match="must not be read again"):
        services.aggregate_charts_recompute(scopes=scopes, today=TODAY, only_stale=True)


def test_it_only_catches_up_versions_of_unchanged_charts(
    ward, enrolled, django_assert_max_num_queries
):
    fill(ward)
    services.charts_refresh(ward_ids=[ward.pk], today=TODAY)
    services.charts_mark_stale(ward_ids=[ward.pk])
    # Unchanged inputs: no payload is loaded or rewritten, so a handful of queries, not one
    # per chart.
    with django_assert_max_num_queries(16):
        summary = services.ward_charts_recompute(ward_ids=[ward.pk], today=TODAY)
    assert summary.computed == 0
    assert not result(Scope.WARD, ward.pk).is_stale
    assert result(Scope.WARD, ward.pk).payload["status"] == "ok"
