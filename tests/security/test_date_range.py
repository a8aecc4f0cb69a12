"""Every date a user gives lies in the programme's range (mhsip/weeks.py: 2015-01-01 to a
year ahead): forms, API, bulk, import and URLs refuse 0001-01-01 and 9999-12-27 with a clear
message (or 404), never a 500 and never a squeezed chart."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from measures.change_ideas import change_idea_create
from measures.models import ChangeIdea, WeeklyReturn
from mhsip.weeks import date_range_error, earliest_date, latest_date
from spc.models import ChartSetting, PhaseBreak

pytestmark = pytest.mark.django_db

FAR_PAST, FAR_FUTURE = "0001-01-01", "9999-12-27"  # both Mondays
OUT_OF_RANGE = [FAR_PAST, FAR_FUTURE, "2014-12-29"]
MESSAGE = "outside the dates this programme can hold"
# A return's week has more specific reasons first (in the future, before the ward opened);
# the range itself refuses a week of a ward whose opening date is out of range.
WEEK_MESSAGES = {FAR_PAST: "opened on", FAR_FUTURE: "is in the future", "2014-12-29": MESSAGE}


@pytest.fixture
def ward(ward):
    ward.active_from = datetime.date(2001, 1, 1)  # entered before the range was a rule
    ward.save()
    return ward


def test_the_range_is_one_setting():
    today = datetime.date(2026, 3, 2)
    assert earliest_date() == datetime.date(2015, 1, 1)
    assert latest_date(today) == datetime.date(2027, 3, 2)
    assert date_range_error(datetime.date(2015, 1, 1), today=today) == ""
    assert date_range_error(datetime.date(2027, 3, 2), today=today) == ""
    message = date_range_error(datetime.date(1, 1, 1), label="Started on", today=today)
    assert message == (
        "Started on 1 January 0001 is outside the dates this programme can hold: give a date "
        "from 1 January 2015 to 2 March 2027."
    )
    with override_settings(MHSIP_EARLIEST_DATE=datetime.date(2010, 1, 1)):
        assert date_range_error(datetime.date(2012, 1, 1), today=today) == ""


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_the_api_refuses_a_return_out_of_range(api, staff, ward, day):
    body = {"ward": ward.pk, "week_start": day, "occupied_bed_days": 100}
    response = api(staff).post("/api/v1/returns/", body, format="json")
    assert response.status_code == 400, response.content
    assert WEEK_MESSAGES[day] in response.json()["errors"]["week_start"][0]
    assert not WeeklyReturn.objects.exists()


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_bulk_refuses_an_item_out_of_range(api, qi_lead, ward, day):
    item = {"ward": ward.pk, "week_start": day, "occupied_bed_days": 100,
            "counts": {"seclusion": 1}, "incident_dates": {"seclusion": [day]}}  # fmt: skip
    response = api(qi_lead).post("/api/v1/returns/bulk/", {"items": [item]}, format="json")
    assert response.status_code == 400, response.content
    assert any(WEEK_MESSAGES[day] in e["reason"] for e in response.json()["items"])
    assert not WeeklyReturn.objects.exists()


@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_the_import_refuses_a_row_out_of_range(client, qi_lead, ward, day):
    client.force_login(qi_lead)
    content = (
        "trust_ods,ward_name,week_start,occupied_bed_days,seclusion\n"
        f"{ward.trust.ods_code},{ward.name},{day},100,1\n"
    ).encode()
    response = client.post(reverse("measures:import"),
                           {"file": SimpleUploadedFile("r.csv", content)}, follow=True)  # fmt: skip
    assert response.status_code == 200
    assert WEEK_MESSAGES[day] in response.content.decode()
    assert not WeeklyReturn.objects.exists()


IDEA_MESSAGE = "cannot be before 1 January 2015"  # measures.pdsa_rules, on mhsip.weeks' range


@pytest.mark.parametrize("day", [FAR_PAST, "2014-12-31"])
def test_a_change_idea_out_of_range_is_refused_everywhere(client, api, staff, ward, day):
    body = {"ward": ward.pk, "title": "Calm boxes", "started_on": day, "measures": [],
            "cycle": {"plan": "Try calm boxes", "prediction": "Fewer restraints"}}  # fmt: skip
    response = api(staff).post("/api/v1/change-ideas/", body, format="json")
    assert response.status_code == 400
    assert IDEA_MESSAGE in response.json()["errors"]["started_on"][0]
    client.force_login(staff)
    response = client.post(reverse("measures:change-idea-new", args=[ward.pk]),
                           {"title": "Calm boxes", "started_on": day, "plan": "Try calm boxes",
                            "prediction": "Fewer restraints"})  # fmt: skip
    assert IDEA_MESSAGE in response.content.decode()
    with pytest.raises(Exception, match=IDEA_MESSAGE):
        change_idea_create(ward=ward, user=staff, title="Calm boxes", measures=[],
                           started_on=datetime.date.fromisoformat(day), plan="Try calm boxes",
                           prediction="Fewer restraints")  # fmt: skip
    assert not ChangeIdea.objects.exists()


def test_the_change_idea_range_follows_the_one_setting(settings):
    from measures import pdsa_rules  # noqa: PLC0415 (the rule under test, next to its setting)

    today = datetime.date(2026, 3, 2)
    settings.MHSIP_EARLIEST_DATE = datetime.date(2010, 1, 1)
    assert pdsa_rules.date_error(datetime.date(2012, 1, 1), label="x", today=today) == ""


def test_chart_settings_and_phase_breaks_refuse_dates_out_of_range(client, qi_lead, ward):
    client.force_login(qi_lead)
    kwargs = {"ward_id": ward.pk, "measure_code": "physical_restraint"}
    response = client.post(reverse("spc:phase-break-add", kwargs=kwargs),
                           {"starts_on": FAR_PAST, "reason": "New policy"})  # fmt: skip
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert not PhaseBreak.objects.exists()
    response = client.post(reverse("spc:chart-settings", kwargs=kwargs),
                           {"chart_type": "auto", "period": "auto", "baseline_start": FAR_PAST,
                            "baseline_weeks": "20", "reason": "x"})  # fmt: skip
    assert response.status_code in (200, 400)
    assert MESSAGE in response.content.decode()
    assert not ChartSetting.objects.filter(baseline_start__isnull=False).exists()


@pytest.mark.parametrize("query", [f"start={FAR_PAST}", f"end={FAR_FUTURE}",
                                   "start=9999-12-31"])  # fmt: skip
def test_the_comparison_api_refuses_dates_out_of_range(api, facilitator, region, query):
    response = api(facilitator).get(
        f"/api/v1/comparison/?scope=region&id={region.pk}&measure=physical_restraint&{query}"
    )
    assert response.status_code == 400, response.content
    assert MESSAGE in str(response.json()["errors"])


@pytest.mark.parametrize("query", ["week_start_after=0001-01-01", "week_start_before=9999-12-31",
                                   "updated_since=9999-12-31T23:59:59-01:00",
                                   "updated_since=0001-01-01T00:00:00%2B01:00"])  # fmt: skip
def test_list_filters_never_500_on_extreme_dates(api, staff, ward, query):
    response = api(staff).get(f"/api/v1/returns/?{query}")
    assert response.status_code in (200, 400), response.content
    response = api(staff).get(f"/api/v1/change-ideas/?{query.replace('week_start', 'started_on')}")
    assert response.status_code in (200, 400), response.content
