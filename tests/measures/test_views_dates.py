"""The days of incidents on the weekly return form (measures/forms.py, views.py, the template):
one optional date box per incident, the rules of rules.py in the same round, typed days kept."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from measures import rules
from measures.forms import MAX_DATE_FIELDS
from measures.models import IncidentDate, WeeklyReturn
from measures.selectors import measures_by_code
from measures.services import weekly_return_record
from mhsip.weeks import monday_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
WEEK = monday_of(TODAY) - datetime.timedelta(weeks=1)
MON, WED, SUN = WEEK, WEEK + datetime.timedelta(days=2), WEEK + datetime.timedelta(days=6)


def url(ward):
    return reverse("measures:weekly-entry", kwargs={"ward_id": ward.pk, "week_start": WEEK})


def post(client, ward, version="0", **fields):
    return client.post(url(ward), {"version": version, "beds": "20", "occupied_bed_days": "130",
                                   "draft": "", **fields})  # fmt: skip


def days(code="seclusion"):
    return sorted(IncidentDate.objects.filter(count__measure__code=code)
                  .values_list("occurred_on", flat=True))  # fmt: skip


def test_it_says_what_dates_are_for_and_offers_boxes_for_the_saved_count(client, staff, ward):
    client.force_login(staff)
    page = client.get(url(ward)).content.decode()
    assert "Dates let the chart show days between incidents for rare events" in page
    assert "After you save a count of 1 to 10, a date box for each incident appears" in page
    assert 'name="d_seclusion_0"' not in page  # no count yet: no box (JS adds them as you type)
    weekly_return_record(ward=ward, week_start=WEEK, user=staff, occupied_bed_days=130,
                         counts={"seclusion": 2, "self_harm": 0},
                         incident_dates={"seclusion": [WED]})  # fmt: skip
    form = client.get(url(ward)).context["form"]
    assert form.date_fields["seclusion"] == ["d_seclusion_0", "d_seclusion_1"]
    assert form["d_seclusion_0"].value() == WED.isoformat()
    assert form["d_seclusion_1"].value() in (None, "")
    assert form.date_fields["self_harm"] == [] and form.date_fields["awol"] == []
    page = client.get(url(ward)).content.decode()
    first, last = WEEK.isoformat(), min(SUN, TODAY).isoformat()
    assert f'type="date" min="{first}" max="{last}" value="{WED.isoformat()}"' in page


def test_it_saves_the_days_typed(client, staff, ward):
    client.force_login(staff)
    response = post(client, ward, m_seclusion="2", d_seclusion_0=SUN.isoformat(),
                    d_seclusion_1=MON.strftime("%d/%m/%Y"))  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    assert days() == [MON, SUN]
    # A box cleared removes its day; the count stays.
    response = post(client, ward, version="1", m_seclusion="2", d_seclusion_0=SUN.isoformat(),
                    d_seclusion_1="")  # fmt: skip
    assert response.status_code == 302 and days() == [SUN]


def test_every_error_comes_in_one_round_and_typed_days_survive(client, staff, ward):
    client.force_login(staff)
    outside = SUN + datetime.timedelta(days=1)
    response = post(client, ward, occupied_bed_days="999", m_seclusion="2",
                    d_seclusion_0=MON.isoformat(), d_seclusion_1=outside.isoformat(),
                    d_seclusion_2=WED.isoformat(), m_self_harm="1",
                    d_self_harm_0="31/02/2025")  # fmt: skip
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"occupied_bed_days", "d_seclusion_1", "d_self_harm_0"}
    (message,) = form.errors["d_seclusion_1"]  # the box whose day is outside the week
    expected = rules.return_errors(
        ward=ward, week_start=WEEK, today=TODAY, beds=20, occupied_bed_days=None,
        status=rules.DRAFT, counts={"seclusion": 2, "self_harm": 1}, measures=measures_by_code(),
        saved=None, incident_dates={"seclusion": [MON, outside, WED]},
    )["incident_dates.seclusion"]  # the rules' own message (tested once, in test_rules.py)
    assert message == expected
    assert "is not in this week" in message and "3 dates for a count of 2" in message
    assert form.errors["d_self_harm_0"] == [
        "Incident 1 of self-harm incidents: enter a real day, like 3/3/2025"
    ]
    page = response.content.decode()
    assert 'href="#id_d_seclusion_1"' in page  # the error summary links to the box
    for value in (MON, outside, WED):
        assert f'value="{value.isoformat()}"' in page
    assert 'value="31/02/2025"' in page
    assert not WeeklyReturn.objects.exists()


def test_a_failed_save_without_javascript_offers_a_box_per_incident_typed(client, staff, ward):
    client.force_login(staff)
    response = post(client, ward, occupied_bed_days="-1", m_seclusion="3")
    assert response.context["form"].date_fields["seclusion"] == [
        "d_seclusion_0", "d_seclusion_1", "d_seclusion_2"
    ]


def test_a_count_beyond_the_boxes_offered_says_why(client, staff, ward):
    client.force_login(staff)
    response = post(client, ward, occupied_bed_days="-1", m_seclusion=str(MAX_DATE_FIELDS + 1))
    assert response.context["form"].date_fields["seclusion"] == []
    assert "Date boxes are offered for up to 10 incidents a week" in response.content.decode()
    page = response.content.decode()
    assert 'data-dates-over>' in page  # shown (not hidden) for this measure


def test_days_saved_by_import_are_all_shown_even_above_the_boxes_offered(client, staff, ward):
    many = [MON] * (MAX_DATE_FIELDS + 2)
    weekly_return_record(ward=ward, week_start=WEEK, user=staff, occupied_bed_days=130,
                         counts={"seclusion": len(many)},
                         incident_dates={"seclusion": many})  # fmt: skip
    client.force_login(staff)
    form = client.get(url(ward)).context["form"]
    assert len(form.date_fields["seclusion"]) == len(many)


def test_the_history_lists_date_changes_like_count_changes(client, staff, qi_lead, ward):
    weekly_return_record(ward=ward, week_start=WEEK, user=staff, occupied_bed_days=130,
                         counts={"seclusion": 2}, incident_dates={"seclusion": [MON]})  # fmt: skip
    weekly_return_record(ward=ward, week_start=WEEK, user=qi_lead, occupied_bed_days=130,
                         counts={"seclusion": 2},
                         incident_dates={"seclusion": [MON, WED]})  # fmt: skip
    client.force_login(staff)
    history = client.get(url(ward)).context["history"]
    dated = [(c.what, c.old, c.new) for c in history if c.what.endswith("dates")]
    fmt = "%-d %b"
    assert dated == [
        ("Seclusion dates", MON.strftime(fmt), f"{MON.strftime(fmt)}, {WED.strftime(fmt)}"),
        ("Seclusion dates", "none", MON.strftime(fmt)),
    ]


def test_the_read_only_view_lists_the_days(client, facilitator, staff, ward):
    weekly_return_record(ward=ward, week_start=WEEK, user=staff, occupied_bed_days=130,
                         counts={"seclusion": 1}, incident_dates={"seclusion": [WED]})  # fmt: skip
    client.force_login(facilitator)
    page = client.get(url(ward)).content.decode()
    assert WED.strftime("%a %-d %b") in page and 'type="date"' not in page
