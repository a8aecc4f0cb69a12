"""Regions, trusts, wards, measures, programmes: each persona sees exactly its scope."""

import pytest

from measures.models import Enrolment, Programme
from tests.api_clients import weeks_back

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def test_it_lists_only_the_wards_each_persona_may_see(
    api, staff, qi_lead, facilitator, admin_user, outsider, ward, other_ward, outside_ward
):
    assert ids(api(staff).get("/api/v1/wards/")) == {ward.pk}
    assert ids(api(qi_lead).get("/api/v1/wards/")) == {ward.pk, other_ward.pk}
    assert ids(api(facilitator).get("/api/v1/wards/")) == {ward.pk, other_ward.pk}
    assert ids(api(outsider).get("/api/v1/wards/")) == {outside_ward.pk}
    assert ids(api(admin_user).get("/api/v1/wards/")) == {ward.pk, other_ward.pk, outside_ward.pk}


def test_it_says_which_wards_the_user_may_edit(api, facilitator, qi_lead, ward):
    [row] = [w for w in api(facilitator).get("/api/v1/wards/").json()["results"]
             if w["id"] == ward.pk]  # fmt: skip
    assert row["can_edit"] is False
    assert api(qi_lead).get(f"/api/v1/wards/{ward.pk}/").json()["can_edit"] is True


@pytest.mark.parametrize(
    "path", ["wards/{ward}", "trusts/{trust}", "regions/{region}"], ids=["ward", "trust", "region"]
)
def test_it_answers_404_for_objects_out_of_scope(api, outsider, ward, path):
    url = "/api/v1/" + path.format(ward=ward.pk, trust=ward.trust_id, region=ward.trust.region_id)
    response = api(outsider).get(url + "/")
    assert response.status_code == 404
    assert response.json() == {
        "status": 404, "code": "not_found", "detail": response.json()["detail"], "errors": {},
    }  # fmt: skip


def test_it_scopes_trusts_and_regions(api, staff, qi_lead, facilitator, ward, outside_ward):
    assert ids(api(staff).get("/api/v1/trusts/")) == set()
    assert ids(api(qi_lead).get("/api/v1/trusts/")) == {ward.trust_id}
    assert ids(api(facilitator).get("/api/v1/regions/")) == {ward.trust.region_id}
    assert api(qi_lead).get(f"/api/v1/regions/{ward.trust.region_id}/").status_code == 404


def test_it_filters_wards_and_rejects_bad_filters(api, admin_user, ward, outside_ward):
    client = api(admin_user)
    assert ids(client.get(f"/api/v1/wards/?trust={ward.trust_id}")) == {ward.pk}
    response = client.get("/api/v1/wards/?trust=99999999999999999999999")
    assert response.status_code == 400
    assert "trust" in response.json()["errors"]


def test_it_shows_the_catalogue_to_everyone(api, outsider):
    client = api(outsider)
    codes = {m["code"] for m in client.get("/api/v1/measures/").json()["results"]}
    assert "physical_restraint" in codes
    measure = client.get("/api/v1/measures/physical_restraint/").json()
    assert measure["definition"]
    assert client.get("/api/v1/measures/nope/").status_code == 404
    assert client.get("/api/v1/measures/a%00b/").status_code == 404  # PostgreSQL refuses NUL


def test_it_lists_only_the_enrolments_the_user_may_see(api, staff, ward, other_ward):
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    for w in (ward, other_ward):
        Enrolment.objects.create(programme=programme, ward=w, joined_on=weeks_back(4))
    data = api(staff).get(f"/api/v1/programmes/{programme.pk}/").json()
    assert [e["ward"] for e in data["enrolments"]] == [ward.pk]
    assert "physical_restraint" in data["measures"]


def test_it_needs_credentials(client, ward):
    response = client.get("/api/v1/wards/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
