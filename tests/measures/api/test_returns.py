"""Weekly returns through the API: the same rules, services and permissions as the form."""

import datetime

import pytest

from measures.models import WeeklyCount, WeeklyReturn
from tests.api_clients import LAST_WEEK, make_return, weeks_back

pytestmark = pytest.mark.django_db


def new_return(ward, **overrides):
    data = {
        "ward": ward.pk, "week_start": LAST_WEEK.isoformat(), "occupied_bed_days": 80,
        "counts": {"physical_restraint": 3, "seclusion": 0}, "submit": True,
    }  # fmt: skip
    data.update(overrides)
    return data


def test_it_creates_a_return_through_the_service(api, staff, ward):
    response = api(staff).post("/api/v1/returns/", new_return(ward), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["counts"] == {"physical_restraint": 3, "seclusion": 0}
    assert body["status"] == "submitted" and body["version"] == 1
    assert response["ETag"] == '"1"'
    assert response["Location"] == f"/api/v1/returns/{body['id']}/"
    saved = WeeklyReturn.objects.get(pk=body["id"])
    assert saved.submitted_by == staff and saved.history.first().history_user == staff


@pytest.mark.parametrize(
    ("persona", "ward_fixture", "expected"),
    [
        ("staff", "ward", 201),
        ("staff", "other_ward", 404),  # not one of their wards: not revealed
        ("qi_lead", "other_ward", 201),
        ("facilitator", "ward", 403),  # reads the region, changes nothing
        ("outsider", "ward", 404),
        ("admin_user", "outside_ward", 201),
    ],
)
def test_each_role_creates_exactly_where_it_may(request, api, persona, ward_fixture, expected):
    user = request.getfixturevalue(persona)
    ward = request.getfixturevalue(ward_fixture)
    response = api(user).post("/api/v1/returns/", new_return(ward), format="json")
    assert response.status_code == expected, response.content
    assert WeeklyReturn.objects.filter(ward=ward).count() == (1 if expected == 201 else 0)


def test_it_reports_invalid_fields_with_field_and_messages(api, staff, ward):
    data = new_return(ward, occupied_bed_days=-5, counts={"physical_restraint": -1})
    response = api(staff).post("/api/v1/returns/", data, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"occupied_bed_days", "counts.physical_restraint"}


def test_it_applies_the_services_rules(api, staff, ward):
    tuesday = (LAST_WEEK + datetime.timedelta(days=1)).isoformat()
    client = api(staff)
    response = client.post("/api/v1/returns/", new_return(ward, week_start=tuesday), format="json")
    assert response.json()["errors"] == {"week_start": ["The week must start on a Monday."]}
    response = client.post(
        "/api/v1/returns/",
        new_return(ward, counts={"physical_restraint": 1, "prone_restraint": 2}),
        format="json",
    )
    assert list(response.json()["errors"]) == ["counts.prone_restraint"]
    response = client.post("/api/v1/returns/", new_return(ward, counts={"nope": 1}), format="json")
    assert list(response.json()["errors"]) == ["counts.nope"]


def test_it_asks_to_confirm_implausible_counts(api, staff, ward):
    client = api(staff)
    data = new_return(ward, counts={"physical_restraint": 400})
    response = client.post("/api/v1/returns/", data, format="json")
    assert response.status_code == 400
    assert "counts.physical_restraint" in response.json()["errors"]
    data["confirm_implausible"] = True
    assert client.post("/api/v1/returns/", data, format="json").status_code == 201


def test_it_refuses_a_second_return_for_the_same_week_with_409(api, staff, ward):
    existing = make_return(ward)
    response = api(staff).post("/api/v1/returns/", new_return(ward), format="json")
    assert response.status_code == 409
    assert f"/api/v1/returns/{existing.pk}/" in response.json()["detail"]


def test_it_updates_with_if_match_and_refuses_a_stale_version(api, staff, ward):
    weekly_return = make_return(ward)
    client = api(staff)
    url = f"/api/v1/returns/{weekly_return.pk}/"
    etag = client.get(url)["ETag"]
    change = {"counts": {"physical_restraint": 5}}
    response = client.patch(url, change, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    assert response.json()["counts"]["physical_restraint"] == 5
    assert response["ETag"] == '"2"'
    # A second writer that read version 1 gets 412 and nothing is overwritten.
    response = client.patch(url, {"counts": {"physical_restraint": 1}}, format="json",
                            HTTP_IF_MATCH=etag)  # fmt: skip
    assert response.status_code == 412
    assert WeeklyCount.objects.get(weekly_return=weekly_return).count == 5


def test_it_accepts_the_version_in_the_body_and_needs_one(api, staff, ward):
    weekly_return = make_return(ward)
    client = api(staff)
    url = f"/api/v1/returns/{weekly_return.pk}/"
    response = client.patch(url, {"occupied_bed_days": 100}, format="json")
    assert response.status_code == 428
    response = client.put(url, {"occupied_bed_days": 100, "version": 1}, format="json")
    assert response.status_code == 200
    assert response.json()["occupied_bed_days"] == 100
    response = client.put(url, {"occupied_bed_days": 90, "version": 1}, format="json")
    assert response.status_code == 412


def test_a_null_count_removes_it_missing_not_zero(api, staff, ward):
    weekly_return = make_return(ward, counts={"physical_restraint": 2, "seclusion": 1})
    response = api(staff).patch(
        f"/api/v1/returns/{weekly_return.pk}/",
        {"counts": {"seclusion": None}, "version": 1},
        format="json",
    )
    assert response.json()["counts"] == {"physical_restraint": 2}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("staff", 204), ("qi_lead", 204), ("facilitator", 403), ("outsider", 404)],
)
def test_each_role_deletes_exactly_where_it_may(request, api, ward, persona, expected):
    weekly_return = make_return(ward, status="draft")
    user = request.getfixturevalue(persona)
    response = api(user).delete(f"/api/v1/returns/{weekly_return.pk}/", HTTP_IF_MATCH='"1"')
    assert response.status_code == expected
    assert WeeklyReturn.objects.filter(pk=weekly_return.pk).exists() == (expected != 204)


def test_a_delete_keeps_history_and_an_old_submitted_week_needs_a_reason(api, qi_lead, ward):
    weekly_return = make_return(ward, weeks_back(8))
    client = api(qi_lead)
    url = f"/api/v1/returns/{weekly_return.pk}/"
    assert client.delete(url).status_code == 428  # a delete names the version it read
    assert client.delete(url, HTTP_IF_MATCH="*").status_code == 428  # "any version" is not one
    assert client.delete(url, HTTP_IF_MATCH='"1"').status_code == 400  # a late week: a reason
    assert client.delete(url, HTTP_IF_MATCH='"7"').status_code == 412
    assert client.delete(url + "?reason=Entered+twice", HTTP_IF_MATCH='"1"').status_code == 204
    deleted = WeeklyReturn.history.filter(id=weekly_return.pk, history_type="-").get()
    assert deleted.history_user == qi_lead
    assert deleted.history_change_reason == "Entered twice"
    assert WeeklyCount.history.filter(weekly_return_id=weekly_return.pk, history_type="-").exists()


def test_it_lists_with_filters(api, qi_lead, ward, other_ward, outside_ward):
    make_return(ward, weeks_back(0), counts={"physical_restraint": 1})
    make_return(ward, weeks_back(1), counts={"seclusion": 2})
    make_return(other_ward, weeks_back(0))
    make_return(outside_ward, weeks_back(0))
    client = api(qi_lead)

    def listed(query=""):
        response = client.get("/api/v1/returns/" + query)
        assert response.status_code == 200, response.content
        return [(r["ward"], r["week_start"], r["counts"]) for r in response.json()["results"]]

    assert len(listed()) == 3  # not the outside ward's
    assert {w for w, _, _ in listed(f"?ward={ward.pk}")} == {ward.pk}
    assert listed(f"?ward={ward.pk}&measure=seclusion") == [
        (ward.pk, weeks_back(1).isoformat(), {"seclusion": 2})
    ]
    assert len(listed(f"?week_start_after={weeks_back(0).isoformat()}")) == 2
    assert listed(f"?trust={outside_ward.trust_id}") == []
    response = client.get("/api/v1/returns/?measure=nope")
    assert response.status_code == 400 and "measure" in response.json()["errors"]


# --- the days of incidents ------------------------------------------------------------------
def day(n):
    return (LAST_WEEK + datetime.timedelta(days=n)).isoformat()


def test_it_writes_and_reads_the_days_of_incidents(api, staff, ward):
    data = new_return(ward, counts={"seclusion": 2, "self_harm": 1},
                      incident_dates={"seclusion": [day(3), day(0)]})  # fmt: skip
    response = api(staff).post("/api/v1/returns/", data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["incident_dates"] == {"seclusion": [day(0), day(3)]}
    listed = api(staff).get(f"/api/v1/returns/?ward={ward.pk}").json()["results"][0]
    assert listed["incident_dates"] == {"seclusion": [day(0), day(3)]}
    # PATCH: codes not named keep their days; [] removes them.
    url = f"/api/v1/returns/{body['id']}/"
    patched = api(staff).patch(url, {"version": 1, "incident_dates": {"self_harm": [day(6)]}},
                               format="json")  # fmt: skip
    assert patched.json()["incident_dates"] == {"seclusion": [day(0), day(3)],
                                                "self_harm": [day(6)]}  # fmt: skip
    patched = api(staff).patch(url, {"version": 2, "incident_dates": {"seclusion": []}},
                               format="json")  # fmt: skip
    assert patched.json()["incident_dates"] == {"self_harm": [day(6)]}


def test_its_errors_are_the_rules_as_incident_dates_code(api, staff, ward):
    data = new_return(ward, counts={"seclusion": 1},
                      incident_dates={"seclusion": [day(0), day(7)], "self_harm": ["2025-13-01"],
                                      "awol": ["2025-03-03T10:00"]})  # fmt: skip
    response = api(staff).post("/api/v1/returns/", data, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"incident_dates.self_harm", "incident_dates.awol"}  # format first
    assert "Date has wrong format" in errors["incident_dates.awol"][0]
    del data["incident_dates"]["self_harm"], data["incident_dates"]["awol"]
    errors = api(staff).post("/api/v1/returns/", data, format="json").json()["errors"]
    (message,) = errors["incident_dates.seclusion"]
    assert "is not in this week" in message and "2 dates for a count of 1" in message
    assert not WeeklyReturn.objects.exists()


def test_a_changed_count_whose_days_no_longer_fit_is_refused(api, staff, ward):
    data = new_return(ward, counts={"seclusion": 2}, incident_dates={"seclusion": [day(0), day(1)]})
    body = api(staff).post("/api/v1/returns/", data, format="json").json()
    change = {"version": 1, "counts": {"seclusion": 1}}
    response = api(staff).patch(f"/api/v1/returns/{body['id']}/", change, format="json")
    assert response.status_code == 400
    assert "2 dates for a count of 1" in response.json()["errors"]["incident_dates.seclusion"][0]


def test_it_writes_and_reads_measures_not_collected(api, staff, ward):
    data = new_return(ward, not_collected=["awol"])
    response = api(staff).post("/api/v1/returns/", data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["not_collected"] == ["awol"] and "awol" not in body["counts"]
    both = new_return(ward, week_start=(LAST_WEEK - datetime.timedelta(weeks=1)).isoformat(),
                      counts={"awol": 1}, not_collected=["awol", "no_such"])  # fmt: skip
    response = api(staff).post("/api/v1/returns/", both, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "a count of 1 and 'not collected this week'" in str(errors)
    assert "Unknown measure code 'no_such'" in str(errors)
