"""API v1 change ideas: their PDSA cycles and targeted measures, scoped like the pages."""

import datetime

import pytest
from django.utils import timezone

from measures.models import ChangeIdea, PdsaCycle
from tests.factories import PdsaCycleFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(weeks=6)
IDEAS = "/api/v1/change-ideas/"


def new_idea(ward, **values):
    return {"ward": ward.pk, "title": "Safewards", "started_on": START.isoformat(),
            "driver_area": "Safewards", "measures": ["physical_restraint", "prone_restraint"],
            "cycle": {"plan": "Calm-down box", "prediction": "Fewer restraints",
                      "owner_role": "Charge nurse"}} | values  # fmt: skip


def test_it_creates_an_idea_with_its_first_cycle_and_measures(api, staff, ward):
    response = api(staff).post(IDEAS, new_idea(ward), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["measures"] == ["physical_restraint", "prone_restraint"]
    assert body["stage"] == "plan"
    [cycle] = body["cycles"]
    assert (cycle["number"], cycle["starts_on"], cycle["owner_role"], cycle["stage"]) == (
        1, START.isoformat(), "Charge nurse", "plan")
    assert PdsaCycle.objects.get().history.get().history_user == staff


def test_it_names_every_broken_rule_with_the_cycles_fields_nested(api, staff, ward):
    body = new_idea(ward, measures=[], started_on="2014-06-02",
                    cycle={"plan": "", "prediction": "Patient 943 476 5919 calmer"})
    response = api(staff).post(IDEAS, body, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"measures", "started_on", "cycle.plan",
                                              "cycle.prediction"}  # fmt: skip
    assert not ChangeIdea.objects.exists()


def test_it_scopes_reads_and_writes(api, staff, facilitator, outsider, ward):
    idea = PdsaCycleFactory(idea__ward=ward).idea
    assert api(outsider).get(f"{IDEAS}{idea.pk}/").status_code == 404
    assert api(outsider).get(f"{IDEAS}{idea.pk}/cycles/").status_code == 404
    assert api(facilitator).get(f"{IDEAS}{idea.pk}/cycles/1/").status_code == 200
    assert api(facilitator).patch(f"{IDEAS}{idea.pk}/", {"title": "x"},
                                  format="json").status_code == 403  # fmt: skip
    assert api(facilitator).patch(f"{IDEAS}{idea.pk}/cycles/1/", {"do": "x"},
                                  format="json").status_code == 403  # fmt: skip
    assert api(outsider).patch(f"{IDEAS}{idea.pk}/cycles/1/", {"do": "x"},
                               format="json").status_code == 404  # fmt: skip
    assert api(facilitator).post(IDEAS, new_idea(ward), format="json").status_code == 403
    assert api(staff).get(f"{IDEAS}{idea.pk}/cycles/2/").status_code == 404


def test_it_changes_the_targets_and_filters_by_measure_stage_and_driver(api, staff, ward):
    idea = PdsaCycleFactory(idea__ward=ward, idea__driver_area="Safewards").idea
    PdsaCycleFactory(idea__ward=ward, idea__driver_area="Huddles", do="Tried")
    client = api(staff)
    response = client.patch(f"{IDEAS}{idea.pk}/", {"measures": ["seclusion"]}, format="json")
    assert response.status_code == 200 and response.json()["measures"] == ["seclusion"]

    def ids(**query):
        return [i["id"] for i in client.get(IDEAS, query).json()["results"]]

    assert ids(measure="seclusion") == [idea.pk]
    assert ids(stage="plan") == [idea.pk]
    assert len(ids(stage="do")) == 1 and idea.pk not in ids(stage="do")
    assert ids(driver_area="safewards") == [idea.pk]
    assert len(ids()) == 2


def test_it_records_the_stages_closes_and_starts_the_next_cycle(api, staff, ward):
    idea = PdsaCycleFactory(idea__ward=ward, idea__started_on=START).idea
    client = api(staff)
    url = f"{IDEAS}{idea.pk}/cycles/1/"
    early = client.patch(url, {"do": "Tried", "outcome": "adopt"}, format="json")
    assert early.status_code == 400
    assert set(early.json()["errors"]) == {"outcome"}
    assert PdsaCycle.objects.get().do == ""  # nothing saved half-way
    closed = client.patch(url, {"do": "Tried", "study": "Fell", "act": "Keep",
                                "outcome": "adapt", "ends_on": TODAY.isoformat()},
                          format="json")  # fmt: skip
    assert closed.status_code == 200 and closed.json()["stage"] == "closed"
    response = client.post(f"{IDEAS}{idea.pk}/cycles/", {
        "plan": "Every shift", "prediction": "Halves", "starts_on": TODAY.isoformat()},
        format="json")  # fmt: skip
    assert response.status_code == 201 and response.json()["number"] == 2
    again = client.post(f"{IDEAS}{idea.pk}/cycles/", {
        "plan": "x", "prediction": "x", "starts_on": TODAY.isoformat()}, format="json")
    assert again.status_code == 400
    assert "Cycle 2 is still open" in again.json()["errors"]["non_field_errors"][0]
    assert [c["number"] for c in client.get(f"{IDEAS}{idea.pk}/cycles/").json()] == [1, 2]
