import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from measures.models import Measure, WeeklyCount, WeeklyReturn
from tests.factories import WeeklyCountFactory, WeeklyReturnFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2024, 1, 1)


def test_it_refuses_a_week_that_does_not_start_on_monday(ward):
    weekly_return = WeeklyReturnFactory.build(ward=ward, week_start=datetime.date(2024, 1, 3))
    with pytest.raises(ValidationError) as error:
        weekly_return.full_clean()
    assert error.value.message_dict["week_start"] == ["The week must start on a Monday."]
    with pytest.raises(IntegrityError, match="return_week_starts_monday"), transaction.atomic():
        weekly_return.save()


def test_it_refuses_bed_days_above_capacity(ward):
    weekly_return = WeeklyReturnFactory.build(ward=ward, beds=20, occupied_bed_days=141)
    with pytest.raises(ValidationError) as error:
        weekly_return.full_clean()
    assert "20 × 7 = 140" in error.value.message_dict["occupied_bed_days"][0]
    with (
        pytest.raises(IntegrityError, match="return_bed_days_within_capacity"),
        transaction.atomic(),
    ):
        weekly_return.save()
    WeeklyReturnFactory(ward=ward, beds=20, occupied_bed_days=140)


def test_it_refuses_a_second_return_for_the_same_ward_and_week(ward):
    WeeklyReturnFactory(ward=ward, week_start=MONDAY)
    duplicate = WeeklyReturnFactory.build(ward=ward, week_start=MONDAY)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "already has a return for this week" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_it_refuses_negative_counts_in_the_database(ward):
    weekly_return = WeeklyReturnFactory(ward=ward)
    measure = Measure.objects.get(code="seclusion")
    with pytest.raises(IntegrityError), transaction.atomic():
        WeeklyCount.objects.create(weekly_return=weekly_return, measure=measure, count=-1)


def test_it_refuses_weeks_in_the_future_and_before_the_ward_opened(ward):
    future = WeeklyReturnFactory.build(ward=ward, week_start=datetime.date(2099, 1, 5))
    with pytest.raises(ValidationError, match="future"):
        future.full_clean()
    early = WeeklyReturnFactory.build(ward=ward, week_start=datetime.date(2010, 1, 4))
    with pytest.raises(ValidationError, match="Oak Ward opened on 1 January 2015"):
        early.full_clean()


def test_it_keeps_missing_counts_apart_from_zeros(ward):
    weekly_return = WeeklyReturnFactory(ward=ward)
    WeeklyCountFactory(
        weekly_return=weekly_return, measure=Measure.objects.get(code="seclusion"), count=0
    )
    counts = dict(weekly_return.counts.values_list("measure__code", "count"))
    assert counts == {"seclusion": 0}
    assert "prone_restraint" not in counts  # missing: no row, never a zero


def test_it_allows_bed_days_to_be_unknown_in_a_draft(ward):
    weekly_return = WeeklyReturnFactory(ward=ward, occupied_bed_days=None)
    assert weekly_return.status == WeeklyReturn.Status.DRAFT
