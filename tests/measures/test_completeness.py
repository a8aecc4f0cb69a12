import datetime
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from measures import completeness
from measures.completeness import completeness_weeks, first_due_week, ward_weeks
from measures.models import Enrolment, Programme, WeeklyReturn
from measures.services import weekly_return_record
from mhsip.weeks import monday_of
from tests.factories import WardFactory, WeeklyReturnFactory, answered

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
WEEKS = completeness_weeks(TODAY)


def enrol(ward, joined_on):
    Enrolment.objects.create(
        programme=Programme.objects.first(), ward=ward, joined_on=monday_of(joined_on)
    )


def test_it_gives_the_last_26_complete_weeks():
    assert len(WEEKS) == 26
    assert WEEKS[-1] == monday_of(TODAY) - datetime.timedelta(weeks=1)
    assert all(week.isoweekday() == 1 for week in WEEKS)


def test_it_starts_due_weeks_at_the_later_of_joining_and_the_first_full_open_week(ward):
    ward.active_from = datetime.date(2024, 1, 3)  # a Wednesday
    assert first_due_week(ward, datetime.date(2023, 6, 5)) == datetime.date(2024, 1, 8)
    assert first_due_week(ward, datetime.date(2024, 3, 4)) == datetime.date(2024, 3, 4)
    assert first_due_week(ward, None) is None


def test_it_grids_submitted_draft_missing_and_not_due(ward, staff):
    enrol(ward, WEEKS[10])
    weekly_return_record(
        ward=ward, week_start=WEEKS[12], user=staff, counts=answered(ward), occupied_bed_days=100,
        submit=True,
    )
    weekly_return_record(
        ward=ward, week_start=WEEKS[13], user=staff, counts={}, occupied_bed_days=None
    )
    (row,) = ward_weeks([ward], today=TODAY, since=WEEKS[0])
    statuses = [w.status for w in row.weeks]
    assert statuses[:10] == ["not_due"] * 10
    assert statuses[10:14] == ["not_started", "not_started", "submitted", "draft"]
    assert row.due == 16
    assert row.submitted == 1
    assert row.percent_complete == 6


def test_it_stops_due_weeks_when_a_ward_closes(ward):
    enrol(ward, WEEKS[0])
    ward.active_to = WEEKS[4] + datetime.timedelta(days=2)
    (row,) = ward_weeks([ward], today=TODAY, since=WEEKS[0])
    assert row.due == 5
    assert row.this_week is None


def test_it_shows_the_trust_grid_to_its_qi_lead(client, qi_lead, ward, other_ward, staff):
    enrol(ward, WEEKS[0])
    weekly_return_record(
        ward=ward, week_start=WEEKS[-1], user=staff, counts=answered(ward), occupied_bed_days=100,
        submit=True,
    )
    client.force_login(qi_lead)
    response = client.get(reverse("measures:trust-completeness", args=[ward.trust_id]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Oak Ward" in content and "Elm Ward" in content
    assert "4%" in content  # 1 of 26
    assert content.count("mhsip-cell--submitted") == 2  # the key and the one week
    # Every due week's cell opens that ward-week's form; weeks not due link nowhere.
    entry = reverse("measures:weekly-entry", args=[ward.pk, WEEKS[-1]])
    assert f'<a href="{entry}" title="w/c' in content
    assert f"Oak Ward, w/c {WEEKS[-1].day} {WEEKS[-1]:%b %Y}: " in content
    elm_first = reverse("measures:weekly-entry", args=[other_ward.pk, WEEKS[0]])
    assert elm_first not in content  # Elm Ward joined no programme: nothing is due


def test_it_shows_the_region_grid_to_its_facilitator(client, facilitator, ward, region):
    WardFactory(trust__region=region, name="Birch Ward")
    client.force_login(facilitator)
    response = client.get(reverse("measures:region-completeness", args=[region.pk]))
    assert response.status_code == 200
    assert [group for group, _ in response.context["groups"]] == sorted(
        t.name for t in region.trusts.all()
    )
    assert (
        client.get(reverse("measures:trust-completeness", args=[ward.trust_id])).status_code == 200
    )


def test_it_hides_completeness_outside_the_users_scope(
    client, staff, qi_lead, outsider, ward, region, outside_ward
):
    client.force_login(staff)  # ward staff see their wards, not trust pages
    assert (
        client.get(reverse("measures:trust-completeness", args=[ward.trust_id])).status_code == 404
    )
    client.force_login(qi_lead)
    assert client.get(reverse("measures:region-completeness", args=[region.pk])).status_code == 404
    other = outside_ward.trust_id
    assert client.get(reverse("measures:trust-completeness", args=[other])).status_code == 404
    assert WeeklyReturn.objects.count() == 0


def test_it_sums_the_same_shares_as_the_week_grid(ward, other_ward, staff):
    """submitted_share_by_trust agrees with adding up ward_weeks, on wards with gaps."""


    programme = Programme.objects.first()
    Enrolment.objects.create(programme=programme, ward=ward, joined_on=dt.date(2024, 1, 1))
    Enrolment.objects.create(programme=programme, ward=other_ward, joined_on=dt.date(2024, 2, 5))
    for i in (0, 1, 3, 6, 9):
        WeeklyReturnFactory(
            ward=ward, week_start=dt.date(2024, 1, 1) + dt.timedelta(weeks=i),
            status=WeeklyReturn.Status.SUBMITTED, occupied_bed_days=70,
        )  # fmt: skip
    WeeklyReturnFactory(
        ward=other_ward, week_start=dt.date(2024, 2, 12), occupied_bed_days=70,
        status=WeeklyReturn.Status.SUBMITTED,
    )  # fmt: skip
    first, today = dt.date(2024, 1, 8), dt.date(2024, 3, 13)
    grid = completeness.ward_weeks([ward, other_ward], today=today, since=first)
    due = sum(w.due for w in grid)
    submitted = sum(w.submitted for w in grid)
    last = completeness.latest_complete_week(today)
    shares = completeness.submitted_share_by_trust([ward, other_ward], first=first, last=last)
    assert shares == {ward.trust_id: round(100 * submitted / due)}
