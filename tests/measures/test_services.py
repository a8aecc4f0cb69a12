import datetime

import pytest
from django.core.exceptions import ValidationError

from measures.errors import ConcurrentEditError
from measures.models import WeeklyReturn
from measures.services import weekly_return_record

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2024, 1, 1)


def record(ward, user, **kwargs):
    defaults = {"week_start": MONDAY, "occupied_bed_days": 130, "counts": {}}
    return weekly_return_record(ward=ward, user=user, **(defaults | kwargs))


def saved_counts(weekly_return):
    return dict(weekly_return.counts.values_list("measure__code", "count"))


def test_it_creates_a_return_with_its_counts(ward, staff):
    weekly_return = record(ward, staff, counts={"physical_restraint": 3, "seclusion": 0})
    assert saved_counts(weekly_return) == {"physical_restraint": 3, "seclusion": 0}
    assert weekly_return.beds == ward.beds
    assert weekly_return.status == WeeklyReturn.Status.DRAFT
    assert weekly_return.version == 1


def test_it_removes_a_blanked_count_rather_than_storing_zero(ward, staff):
    record(ward, staff, counts={"physical_restraint": 3, "seclusion": 2})
    weekly_return = record(ward, staff, counts={"seclusion": None})
    assert saved_counts(weekly_return) == {"physical_restraint": 3}


def test_it_submits_and_stamps_who_and_when(ward, staff):
    weekly_return = record(ward, staff, counts={"self_harm": 1}, submit=True)
    assert weekly_return.status == WeeklyReturn.Status.SUBMITTED
    assert weekly_return.submitted_by == staff
    assert weekly_return.submitted_at is not None


def test_it_refuses_to_submit_without_bed_days(ward, staff):
    with pytest.raises(ValidationError) as error:
        record(ward, staff, occupied_bed_days=None, submit=True)
    assert "occupied_bed_days" in error.value.message_dict


@pytest.mark.parametrize(
    ("counts", "field", "message"),
    [
        ({"seclusion": -1}, "seclusion", "cannot be negative"),
        ({"seclusion": 1.5}, "seclusion", "whole number"),
        ({"seclusion": "3"}, "seclusion", "whole number"),
        ({"seclusion": True}, "seclusion", "whole number"),
        ({"nonsense": 1}, "nonsense", "Unknown measure code"),
        (
            {"physical_restraint": 2, "prone_restraint": 3},
            "prone_restraint",
            "cannot be more than physical restraint (all positions) (2)",
        ),
    ],
)
def test_it_refuses_bad_counts_naming_the_field(ward, staff, counts, field, message):
    with pytest.raises(ValidationError) as error:
        record(ward, staff, counts=counts)
    assert message in error.value.message_dict[field][0]
    assert not WeeklyReturn.objects.exists()


def test_it_checks_a_sub_measure_against_the_saved_parent(ward, staff):
    record(ward, staff, counts={"physical_restraint": 2})
    with pytest.raises(ValidationError):
        record(ward, staff, counts={"prone_restraint": 3})


def test_it_refuses_zero_bed_days_with_incidents(ward, staff):
    with pytest.raises(ValidationError, match="cannot be 0 when incidents are recorded"):
        record(ward, staff, occupied_bed_days=0, counts={"self_harm": 1})
    record(ward, staff, occupied_bed_days=0, counts={"self_harm": 0})


def test_it_refuses_bed_days_above_capacity(ward, staff):
    with pytest.raises(ValidationError) as error:
        record(ward, staff, occupied_bed_days=141)
    assert "occupied_bed_days" in error.value.message_dict


def test_it_refuses_weeks_outside_the_ward_opening(ward, staff):
    with pytest.raises(ValidationError, match="Monday"):
        record(ward, staff, week_start=datetime.date(2024, 1, 2))
    with pytest.raises(ValidationError, match="future"):
        record(ward, staff, week_start=datetime.date(2099, 1, 5))
    ward.active_to = datetime.date(2023, 12, 31)
    ward.save()
    with pytest.raises(ValidationError, match="Oak Ward closed on 31 December 2023"):
        record(ward, staff)


def test_it_refuses_a_save_from_a_stale_version_and_writes_nothing(ward, staff, qi_lead):
    first = record(ward, staff, counts={"seclusion": 1})
    record(ward, qi_lead, counts={"seclusion": 2}, expected_version=first.version)
    with pytest.raises(ConcurrentEditError) as error:
        record(ward, staff, counts={"seclusion": 5}, expected_version=first.version)
    assert "changed by qilead" in str(error.value)
    assert saved_counts(WeeklyReturn.objects.get()) == {"seclusion": 2}


def test_it_keeps_a_history_of_every_change(ward, staff, qi_lead):
    record(ward, staff, counts={"seclusion": 1})
    record(ward, qi_lead, occupied_bed_days=120, counts={"seclusion": 2})
    weekly_return = WeeklyReturn.objects.get()
    assert [h.occupied_bed_days for h in weekly_return.history.all()] == [120, 130]
    count = weekly_return.counts.get()
    assert [h.count for h in count.history.all()] == [2, 1]
