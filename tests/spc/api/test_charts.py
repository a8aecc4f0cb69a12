"""Stored charts and the funnel comparison, scoped like the dashboards."""

import pytest

from measures.models import Enrolment, Programme
from spc import recompute
from spc.models import StoredChart
from tests.api_clients import make_return, weeks_back
from tests.factories import PdsaCycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def charted(ward, other_ward):
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    for w in (ward, other_ward):
        Enrolment.objects.create(programme=programme, ward=w, joined_on=weeks_back(25))
        for n in range(25, -1, -1):
            make_return(w, weeks_back(n), counts={"physical_restraint": (n + w.pk) % 4})
    recompute.charts_recompute_all()


def chart(client, scope, scope_id, measure="physical_restraint"):
    return client.get(f"/api/v1/charts/?scope={scope}&id={scope_id}&measure={measure}")


def test_it_returns_points_summary_and_unit(api, staff, ward, charted):
    response = chart(api(staff), "ward", ward.pk)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok" and body["stale"] is False
    assert body["unit"] == "per 1,000 occupied bed days"
    assert len(body["points"]) == 26
    point = body["points"][-1]
    assert point["week_start"] == weeks_back(0).isoformat()
    assert point["count"] == (0 + ward.pk) % 4 and point["occupied_bed_days"] == 120
    assert point["value"] == pytest.approx(point["count"] / 120 * 1000, abs=1e-4)  # 4 places
    assert point["date"] == point["week_start"]
    assert body["view"] == "chosen" and body["period"] == "week" and body["reason"]
    assert {"variation_icon", "baseline_centre"} <= set(body["summary"])


def test_it_says_when_a_chart_is_stale(api, staff, ward, charted):
    client = api(staff)
    make_return(ward, weeks_back(30))  # a data change marks the charts stale...
    StoredChart.objects.filter(scope="ward", scope_id=ward.pk).update(dirty_version=99)
    assert chart(client, "ward", ward.pk).json()["stale"] is True


@pytest.mark.parametrize(
    ("persona", "scope", "expected"),
    [
        ("staff", "ward", 200), ("staff", "trust", 404), ("qi_lead", "trust", 200),
        ("qi_lead", "region", 404), ("facilitator", "region", 200), ("outsider", "ward", 404),
        ("outsider", "national", 200),
    ],
)  # fmt: skip
def test_each_role_reads_the_charts_of_its_scope(request, api, ward, charted, persona, scope,
                                                 expected):  # fmt: skip
    scope_id = {"ward": ward.pk, "trust": ward.trust_id, "region": ward.trust.region_id,
                "national": 0}[scope]  # fmt: skip
    response = chart(api(request.getfixturevalue(persona)), scope, scope_id)
    assert response.status_code == expected


def test_a_chart_not_computed_yet_is_pending(api, staff, ward):
    body = chart(api(staff), "ward", ward.pk).json()
    assert body["status"] == "pending" and body["points"] == []
    assert chart(api(staff), "ward", ward.pk, "nope").status_code == 404


def test_the_comparison_gives_funnel_data_for_the_region(api, facilitator, ward, other_ward,
                                                         charted):  # fmt: skip
    response = api(facilitator).get(
        f"/api/v1/comparison/?scope=region&id={ward.trust.region_id}&measure=physical_restraint"
        f"&start={weeks_back(9).isoformat()}&end={weeks_back(0).isoformat()}"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rate_unit"] == "per 1,000 occupied bed days"
    assert "Spiegelhalter" in body["method"]
    assert {u["id"] for u in body["units"]} == {ward.pk, other_ward.pk}
    total = sum(u["count"] for u in body["units"])
    bed_days = sum(u["occupied_bed_days"] for u in body["units"])
    assert bed_days == 10 * 120 + 10 * 72  # 20 and 12 beds, 6 days a week occupied
    assert body["target_rate"] == pytest.approx(total / bed_days * 1000)
    for unit in body["units"]:
        assert unit["lower_998"] <= unit["lower_95"] <= body["target_rate"] <= unit["upper_95"]
    assert len(body["curve"]) > 10


def test_the_comparison_is_scoped(api, qi_lead, outsider, ward, charted):
    region = ward.trust.region_id
    url = "/api/v1/comparison/?measure=physical_restraint&scope={}&id={}"
    assert api(qi_lead).get(url.format("region", region)).status_code == 404
    assert api(qi_lead).get(url.format("trust", ward.trust_id)).status_code == 200
    assert api(outsider).get(url.format("trust", ward.trust_id)).status_code == 404


def test_change_ideas_are_scoped_and_refuse_nhs_numbers(api, staff, facilitator, outsider, ward):
    PdsaCycleFactory(idea__ward=ward, idea__title="Huddles", idea__started_on=weeks_back(3))
    assert len(api(outsider).get("/api/v1/change-ideas/").json()["results"]) == 0
    assert len(api(facilitator).get("/api/v1/change-ideas/").json()["results"]) == 1
    idea = {"ward": ward.pk, "title": "Safewards", "started_on": weeks_back(1).isoformat(),
            "notes": "Patient 943 476 5919 was calmer", "measures": ["physical_restraint"],
            "cycle": {"plan": "Calm-down box", "prediction": "Fewer restraints"}}  # fmt: skip
    response = api(staff).post("/api/v1/change-ideas/", idea, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["notes"]
    assert api(facilitator).post("/api/v1/change-ideas/", idea, format="json").status_code == 403
    idea["notes"] = "Calm-down methods on the ward"
    response = api(staff).post("/api/v1/change-ideas/", idea, format="json")
    assert response.status_code == 201
    assert api(outsider).get(f"/api/v1/change-ideas/{response.json()['id']}/").status_code == 404


def test_the_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/returns/bulk/" in paths and "/api/v1/comparison/" in paths
    for operations in paths.values():
        for operation in operations.values():
            assert {"401", "429"} <= set(operation["responses"]), operation["operationId"]
    for url in ("/api/docs/", "/api/docs/redoc/"):
        page = client.get(url).content.decode()
        assert "/static/drf_spectacular_sidecar/" in page
        assert "cdn" not in page.lower() and "unpkg" not in page.lower()
