import datetime
import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.test import override_settings

from measures import demo
from measures.models import (
    ChangeIdea,
    IncidentDate,
    Measure,
    PdsaCycle,
    WeeklyCount,
    WeeklyReturn,
    WeeklyValue,
)
from spc.inputs import ward_series
from spc.models import Scope, StoredChart
from wards.models import Membership, Region, Trust, Ward

# One process of a parallel run (pytest-xdist) runs them all: the module's seed is made once.
pytestmark = [pytest.mark.slow, pytest.mark.django_db, pytest.mark.xdist_group("demo-seed")]

UNTIL = datetime.date(2021, 10, 25)


def seed():
    call_command("seed_demo", until=UNTIL, stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _debug_on(settings):
    settings.DEBUG = True  # pytest-django turns it off; seed_demo refuses to run without it


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo seeded once for the module (a seed takes ~10 s): each test runs in a savepoint
    inside this transaction, so what a test changes (a second seed) is undone after it, and
    the whole seed is rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(DEBUG=True):
        seed()
        yield
        transaction.set_rollback(True)


def test_it_refuses_to_load_published_passwords_when_debug_is_off(settings):
    settings.DEBUG = False
    before = Ward.objects.count()
    with pytest.raises(CommandError, match="Refusing to load demo users"):
        seed()
    assert Ward.objects.count() == before


def test_it_builds_the_demo_organisations_and_users(seeded):
    assert (Region.objects.count(), Trust.objects.count(), Ward.objects.count()) == (3, 9, 45)
    assert len(set(Ward.objects.values_list("ward_type", flat=True))) == 9
    roles = set(Membership.objects.values_list("user__username", "role"))
    assert {("qi.lead", "qi_lead"), ("facilitator", "facilitator"), ("admin", "admin")} <= roles
    assert ("ward.staff", "ward_staff") in roles


def test_it_is_idempotent(seeded):
    def snapshot():
        return [model.objects.count() for model in (
            Ward, Membership, WeeklyReturn, WeeklyCount, IncidentDate, WeeklyValue, ChangeIdea,
            PdsaCycle,
        )]  # fmt: skip

    before = snapshot()
    assert all(before), before
    seed()
    assert snapshot() == before


def test_it_keeps_demo_returns_valid(seeded):
    for weekly_return in WeeklyReturn.objects.select_related("ward")[:300]:
        weekly_return.full_clean()
    prone = dict(
        WeeklyCount.objects.filter(measure__code="prone_restraint").values_list(
            "weekly_return_id", "count"
        )
    )
    restraint = dict(
        WeeklyCount.objects.filter(measure__code="physical_restraint").values_list(
            "weekly_return_id", "count"
        )
    )
    assert all(count <= restraint[rid] for rid, count in prone.items() if rid in restraint)
    assert WeeklyReturn.objects.filter(week_start__gt=UNTIL).count() == 0


def test_it_gives_picu_far_more_restraint_than_rehabilitation(seeded):

    def rate(ward_type):
        counts = WeeklyCount.objects.filter(
            weekly_return__ward__ward_type=ward_type, measure__code="physical_restraint"
        ).aggregate(total=Sum("count"))["total"]
        bed_days = WeeklyReturn.objects.filter(ward__ward_type=ward_type).aggregate(
            total=Sum("occupied_bed_days")
        )["total"]
        return 1000 * counts / bed_days

    assert rate("picu") > 5 * rate("rehabilitation")


def test_it_generates_the_same_weeks_every_time_and_a_real_reduction():
    wards = demo.demo_wards()
    improver = next(w for w in wards if w.improves_from)
    until = datetime.date(2025, 12, 29)
    first, second = demo.demo_weeks(improver, until), demo.demo_weeks(improver, until)
    assert first == second

    def restraint_rate(weeks):
        counts = sum(w.counts.get("physical_restraint", 0) for w in weeks)
        return 1000 * counts / sum(w.occupied_bed_days for w in weeks)

    before = [w for w in first if w.week_start < improver.improves_from]
    after = [w for w in first if w.week_start >= improver.improves_from]
    assert restraint_rate(after) < 0.8 * restraint_rate(before)
    assert np.isclose(
        restraint_rate(after) / restraint_rate(before), improver.improvement_factor, atol=0.2
    )


def test_half_the_wards_date_the_incidents_of_their_rare_measures(seeded):
    dated = {w.code: w.dated_measures for w in demo.demo_wards() if w.dated_measures}
    assert len(dated) == 23
    counts = WeeklyCount.objects.filter(count__gt=0).annotate(days=Count("dates"))
    for count in counts.select_related("weekly_return__ward", "measure"):
        ward = count.weekly_return.ward
        if count.measure.code in dated.get(ward.code, ()):
            assert count.days == count.count, "complete: a day for every incident"
        else:
            assert count.days == 0
    for day in IncidentDate.objects.select_related("count__weekly_return__ward")[:500]:
        weekly_return = day.count.weekly_return
        assert weekly_return.week_start <= day.occurred_on <= weekly_return.week_end
        assert day.occurred_on >= weekly_return.ward.active_from
    before = IncidentDate.objects.count()
    assert before > 0
    dated_counts = WeeklyCount.objects.filter(dates__isnull=False).distinct()
    IncidentDate.objects.filter(count__in=list(dated_counts.values_list("pk", flat=True)[:20]))\
        .delete()  # fmt: skip
    seed()
    assert IncidentDate.objects.count() == before  # a data set without them gets them back


def test_it_seeds_each_value_type_and_the_composite_on_a_few_wards(seeded):
    by_code = dict(WeeklyValue.objects.values("measure__code").annotate(n=Count("pk"))
                   .values_list("measure__code", "n"))  # fmt: skip
    assert set(by_code) == {"restraint_debrief_72h", "seclusion_hours",
                            "sexual_safety_feel_safe", "staff_feel_safe_score",
                            "rz1_pbs_plan"}  # fmt: skip
    wards = set(WeeklyValue.objects.exclude(measure__code="rz1_pbs_plan")
                .values_list("weekly_return__ward_id", flat=True))  # fmt: skip
    assert 5 <= len(wards) <= 30  # a few wards of each trust
    for row in WeeklyValue.objects.select_related("weekly_return")[:200]:
        row.full_clean()
    total = Measure.objects.get(code="restrictive_practice_total")
    ward = Ward.objects.get(pk=min(wards))
    series = ward_series([ward], [total.pk], UNTIL)[ward.pk, total.pk]
    assert np.nansum(series.counts) > 0


def test_it_adds_change_ideas_with_pdsa_cycles_on_restraint(seeded):
    outcomes = set(PdsaCycle.objects.values_list("outcome", flat=True))
    assert {"adopt", "adapt", "abandon", ""} <= outcomes  # one cycle still running
    assert set(ChangeIdea.objects.values_list("measures__code", flat=True)) <= {
        "physical_restraint", "prone_restraint", "rapid_tranquillisation"}
    staff_ward = Membership.objects.filter(user__username="ward.staff").first().ward
    assert staff_ward.change_ideas.count() >= 2
    for cycle in PdsaCycle.objects.select_related("idea"):
        cycle.full_clean()


def test_it_seeds_a_local_measure_with_its_target_wards_and_a_p_chart(seeded):
    pbs = Measure.objects.get(code="rz1_pbs_plan")
    local = pbs.local
    assert (local.trust.ods_code, local.target_kind, local.target_percent) == (
        "RZ1", "increase", 50)
    wards = set(local.wards.all())
    assert len(wards) == 3 and {w.trust.ods_code for w in wards} == {"RZ1"}
    staff_wards = {m.ward for m in Membership.objects.filter(user__username="ward.staff")}
    assert staff_wards <= wards, "the demo's ward staff see it in their form"
    values = WeeklyValue.objects.filter(measure=pbs)
    assert set(values.values_list("weekly_return__ward", flat=True)) == {w.pk for w in wards}
    for row in values[:300]:
        assert 0 <= row.numerator <= row.denominator <= row.weekly_return.ward.beds + 1
    share = values.aggregate(n=Sum("numerator"), d=Sum("denominator"))
    assert 0.3 < share["n"] / share["d"] < 0.7
    charts = StoredChart.objects.filter(measure=pbs)
    assert set(charts.values_list("scope", flat=True)) == {Scope.WARD, Scope.TRUST}
