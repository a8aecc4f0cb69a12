import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from measures import rules
from measures.deletion import weekly_return_delete
from measures.errors import ConcurrentEditError, ReturnRefused
from measures.models import IncidentDate, WeeklyCount, WeeklyReturn
from measures.selectors import measures_by_code
from measures.services import saved_state, weekly_return_record

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


# --- the days of incidents ------------------------------------------------------------------
TUESDAY, FRIDAY = MONDAY + datetime.timedelta(days=1), MONDAY + datetime.timedelta(days=4)


def saved_days(code="seclusion"):
    return list(
        IncidentDate.objects.filter(count__measure__code=code)
        .order_by("occurred_on")
        .values_list("occurred_on", flat=True)
    )


def test_it_writes_the_days_of_incidents_with_their_count(ward, staff):
    record(ward, staff, counts={"seclusion": 2}, incident_dates={"seclusion": [FRIDAY, MONDAY]})
    assert saved_days() == [MONDAY, FRIDAY]
    assert saved_state(WeeklyReturn.objects.get()).dates == {"seclusion": (MONDAY, FRIDAY)}
    # Codes not named keep their days; the count's dates may be fewer than the count.
    record(ward, staff, counts={"seclusion": 3})
    assert saved_days() == [MONDAY, FRIDAY]


def test_it_calls_the_rules_for_the_days(ward, staff):
    """One rule, as rules.py words it (the rules are tested once, in test_rules.py)."""
    with pytest.raises(ReturnRefused) as refused:
        record(ward, staff, counts={"seclusion": 1, "self_harm": -1},
               incident_dates={"seclusion": [MONDAY, FRIDAY]})  # fmt: skip
    expected = rules.return_errors(
        ward=ward, week_start=MONDAY, today=timezone.localdate(), beds=ward.beds,
        occupied_bed_days=130, status=rules.DRAFT, counts={"seclusion": 1, "self_harm": -1},
        measures=measures_by_code(), saved=None, incident_dates={"seclusion": [MONDAY, FRIDAY]},
    )  # fmt: skip
    assert refused.value.errors == expected
    assert set(expected) == {"self_harm", "incident_dates.seclusion"}
    assert not WeeklyReturn.objects.exists() and not IncidentDate.objects.exists()


def test_a_changed_count_whose_days_no_longer_fit_is_refused_not_trimmed(ward, staff):
    record(ward, staff, counts={"seclusion": 2}, incident_dates={"seclusion": [MONDAY, FRIDAY]})
    with pytest.raises(ReturnRefused) as refused:
        record(ward, staff, counts={"seclusion": 1})
    assert "2 dates for a count of 1" in refused.value.errors["incident_dates.seclusion"]
    assert saved_days() == [MONDAY, FRIDAY]
    assert WeeklyCount.objects.get().count == 2
    record(ward, staff, counts={"seclusion": 1}, incident_dates={"seclusion": [FRIDAY]})
    assert saved_days() == [FRIDAY]


def test_it_changes_only_the_days_that_changed_and_keeps_their_history(ward, staff, qi_lead):
    record(ward, staff, counts={"seclusion": 2}, incident_dates={"seclusion": [MONDAY, FRIDAY]})
    kept = IncidentDate.objects.get(occurred_on=MONDAY)
    record(ward, qi_lead, counts={"seclusion": 2}, incident_dates={"seclusion": [MONDAY, TUESDAY]},
           reason="Datix corrected")  # fmt: skip
    assert IncidentDate.objects.get(occurred_on=MONDAY).pk == kept.pk
    history = IncidentDate.history.order_by("history_id")
    assert [(h.occurred_on, h.history_type) for h in history] == [
        (MONDAY, "+"), (FRIDAY, "+"), (FRIDAY, "-"), (TUESDAY, "+"),
    ]  # fmt: skip
    assert {h.history_change_reason for h in history[2:]} == {"Datix corrected"}
    # An empty list removes them; the count stays.
    record(ward, staff, incident_dates={"seclusion": []})
    assert saved_days() == [] and WeeklyCount.objects.get().count == 2


def test_removing_a_count_or_its_return_deletes_its_days_and_history_keeps_them(
    ward, staff, qi_lead
):
    record(ward, staff, counts={"seclusion": 1, "self_harm": 1},
           incident_dates={"seclusion": [MONDAY], "self_harm": [FRIDAY]})  # fmt: skip
    record(ward, staff, counts={"seclusion": None})
    assert saved_days() == [] and saved_days("self_harm") == [FRIDAY]
    weekly_return = WeeklyReturn.objects.get()
    weekly_return_delete(weekly_return=weekly_return, user=qi_lead,
                         expected_version=weekly_return.version,
                         reason="Entered twice")  # fmt: skip
    assert not IncidentDate.objects.exists()
    deleted = IncidentDate.history.filter(history_type="-")
    assert sorted(deleted.values_list("occurred_on", flat=True)) == [MONDAY, FRIDAY]
