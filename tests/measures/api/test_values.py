"""Proportions, durations and scores through the API (one return and bulk): each type read
and written with the form's rules, every bad figure named by its field."""

import pytest

from measures.models import WeeklyValue
from tests.api_clients import LAST_WEEK, weeks_back

pytestmark = pytest.mark.django_db

FIGURES = {"restraint_debrief_72h": {"numerator": 3, "denominator": 4},
           "sexual_safety_feel_safe": {"numerator": 9, "denominator": 10},
           "seclusion_hours": 12.5, "staff_feel_safe_score": 7}  # fmt: skip


def new_return(ward, **overrides):
    data = {"ward": ward.pk, "week_start": LAST_WEEK.isoformat(), "occupied_bed_days": 80,
            "counts": {"seclusion": 1}, "values": FIGURES, "submit": True}  # fmt: skip
    data.update(overrides)
    return data


def test_it_creates_reads_and_filters_each_type(api, staff, ward):
    client = api(staff)
    response = client.post("/api/v1/returns/", new_return(ward), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["values"] == {**FIGURES, "seclusion_hours": 12.5, "staff_feel_safe_score": 7.0}
    assert WeeklyValue.objects.count() == 4
    listed = client.get("/api/v1/returns/", {"measure": "seclusion_hours"}).json()
    assert [r["values"] for r in listed["results"]] == [{"seclusion_hours": 12.5}]


def test_it_changes_and_removes_a_figure(api, staff, ward):
    client = api(staff)
    body = client.post("/api/v1/returns/", new_return(ward), format="json").json()
    response = client.patch(f"/api/v1/returns/{body['id']}/", {
        "version": 1, "values": {"seclusion_hours": None,
                                 "restraint_debrief_72h": {"numerator": 4, "denominator": 4}},
    }, format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    values = response.json()["values"]
    assert "seclusion_hours" not in values
    assert values["restraint_debrief_72h"] == {"numerator": 4, "denominator": 4}


def test_it_names_every_bad_figure_by_its_field(api, staff, ward):
    data = new_return(ward, counts={"restrictive_practice_total": 2}, values={
        "restraint_debrief_72h": {"numerator": 5, "denominator": 4},
        "sexual_safety_feel_safe": {"numerator": 2},
        "seclusion_hours": 99_999, "staff_feel_safe_score": 11})  # fmt: skip
    response = api(staff).post("/api/v1/returns/", data, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {
        "counts.restrictive_practice_total", "values.restraint_debrief_72h",
        "values.sexual_safety_feel_safe.denominator", "values.seclusion_hours",
        "values.staff_feel_safe_score"}  # fmt: skip
    assert "never entered" in errors["counts.restrictive_practice_total"][0]
    assert not WeeklyValue.objects.exists()


def test_it_refuses_a_figure_that_is_not_a_number(api, staff, ward):
    data = new_return(ward, values={"seclusion_hours": "lots"})
    response = api(staff).post("/api/v1/returns/", data, format="json")
    assert response.status_code == 400
    assert "values" in str(response.json()["errors"])


def test_bulk_writes_each_type_and_names_bad_items(api, qi_lead, ward):
    item = {"ward": ward.pk, "week_start": weeks_back(1).isoformat(), "occupied_bed_days": 120,
            "status": "submitted", "counts": {"seclusion": 1}, "values": FIGURES}  # fmt: skip
    client = api(qi_lead)
    response = client.post("/api/v1/returns/bulk/", {"items": [item]}, format="json")
    assert response.status_code == 200, response.content
    assert WeeklyValue.objects.count() == 4
    again = client.post("/api/v1/returns/bulk/", {"items": [item]}, format="json").json()
    assert again["unchanged"] == 1
    bad = {**item, "week_start": weeks_back(2).isoformat(),
           "values": {"restraint_debrief_72h": {"numerator": 5, "denominator": 4},
                      "seclusion_hours": -1}}  # fmt: skip
    response = client.post("/api/v1/returns/bulk/", {"items": [bad]}, format="json")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["items"]}
    # As in a file, a rule of the whole proportion is reported on its numerator.
    assert fields == {"values.restraint_debrief_72h.numerator", "values.seclusion_hours"}


def test_the_catalogue_says_each_measures_value_type_and_a_composites_parts(api, staff):
    client = api(staff)
    total = client.get("/api/v1/measures/restrictive_practice_total/").json()
    assert total["value_type"] == "composite"
    assert sorted(total["parts"]) == ["physical_restraint", "rapid_tranquillisation", "seclusion"]
    debrief = client.get("/api/v1/measures/restraint_debrief_72h/").json()
    assert (debrief["value_type"], debrief["denominator_label"]) == (
        "proportion", "restraint episodes in the week")  # fmt: skip
    score = client.get("/api/v1/measures/staff_feel_safe_score/").json()
    assert (score["value_type"], score["score_min"], score["score_max"]) == ("score", 0, 10)
    hours = client.get("/api/v1/measures/seclusion_hours/").json()
    assert (hours["value_type"], hours["duration_unit"]) == ("duration", "hours")
    listed = client.get("/api/v1/measures/").json()["results"]
    assert listed[0]["code"] == "restrictive_practice_total"  # composites first
