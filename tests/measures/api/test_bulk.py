"""Bulk upsert: all or nothing, every bad item reported, idempotent, export round trip."""

import datetime

import pytest

from measures.exporting import returns_export_rows
from measures.models import WeeklyCount, WeeklyReturn
from tests.api_clients import make_return, weeks_back
from wards.models import Ward

pytestmark = pytest.mark.django_db
URL = "/api/v1/returns/bulk/"


def item(ward, n, **overrides):
    data = {
        "ward": ward.pk, "week_start": weeks_back(n).isoformat(), "occupied_bed_days": 120,
        "status": "submitted", "counts": {"physical_restraint": n % 4, "seclusion": 1},
    }  # fmt: skip
    data.update(overrides)
    return data


def snapshot():
    return (
        sorted(WeeklyReturn.objects.values_list("id", "ward_id", "week_start", "version",
                                                "occupied_bed_days", "status")),
        sorted(WeeklyCount.objects.values_list("id", "weekly_return_id", "measure_id", "count")),
        WeeklyReturn.history.count() + WeeklyCount.history.count(),
    )  # fmt: skip


def test_it_creates_and_updates_in_one_go(api, qi_lead, ward, other_ward):
    existing = make_return(ward, weeks_back(1), counts={"physical_restraint": 9})
    items = [item(ward, 0), item(ward, 1), item(other_ward, 0, occupied_bed_days=80)]
    response = api(qi_lead).post(URL, {"items": items, "source": "Datix"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 1, 0)
    assert [i["action"] for i in body["items"]] == ["create", "update", "create"]
    existing.refresh_from_db()
    assert existing.version == 2
    assert (
        WeeklyCount.objects.get(weekly_return=existing, measure__code="physical_restraint").count
        == 1
    )
    assert existing.history.first().history_change_reason == "Imported from Datix"


def test_the_same_items_posted_twice_change_nothing(api, qi_lead, ward):
    client = api(qi_lead)
    items = [item(ward, n) for n in range(6)]
    assert client.post(URL, {"items": items}, format="json").status_code == 200
    before = snapshot()
    response = client.post(URL, {"items": items}, format="json")
    assert response.json()["unchanged"] == 6
    assert snapshot() == before


def test_mixed_items_change_nothing_and_each_bad_one_is_reported(api, qi_lead, ward, outside_ward):
    make_return(ward, weeks_back(2))
    before = snapshot()
    tuesday = weeks_back(3) + datetime.timedelta(days=1)
    items = [
        item(ward, 0),  # fine
        item(ward, 1, counts={"physical_restraint": -1}),  # negative
        item(ward, 2, week_start=tuesday.isoformat()),
        item(outside_ward, 3),  # out of scope: not revealed
        item(ward, 4, occupied_bed_days=10_000),  # > beds × 7
        item(ward, 5, counts={"physical_restraint": 1, "prone_restraint": 3}),  # sub > parent
        item(ward, 0),  # duplicate of item 0
        {"week_start": weeks_back(6).isoformat(), "occupied_bed_days": 1},  # no ward
        {**item(ward, 7), "ward": None, "trust_ods": "RX4", "ward_name": "No such ward"},
    ]
    response = api(qi_lead).post(URL, {"items": items}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_items"
    reported = {(e["index"], e["field"]) for e in body["items"]}
    assert reported == {
        (1, "counts.physical_restraint"), (2, "week_start"), (3, "ward"),
        (4, "occupied_bed_days"), (5, "counts.prone_restraint"), (6, "week_start"),
        (7, "ward"), (8, "ward_name"),
    }  # fmt: skip
    assert all(e["reason"] for e in body["items"])
    assert snapshot() == before


def test_implausible_counts_need_confirming(api, qi_lead, ward):
    client = api(qi_lead)
    items = [item(ward, 0, counts={"physical_restraint": 900})]
    response = client.post(URL, {"items": items}, format="json")
    assert response.status_code == 400
    assert response.json()["items"][0]["field"] == "counts.physical_restraint"
    response = client.post(URL, {"items": items, "confirm_implausible": True}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["staff", "facilitator", "outsider"])
def test_only_those_who_may_import_may_bulk_upload(request, api, ward, persona):
    user = request.getfixturevalue(persona)
    response = api(user).post(URL, {"items": [item(ward, 0)]}, format="json")
    assert response.status_code == 403
    assert not WeeklyReturn.objects.exists()


def test_it_refuses_more_than_10000_items(api, qi_lead, ward):
    items = [item(ward, 0)] * 10_001
    response = api(qi_lead).post(URL, {"items": items}, format="json")
    assert response.status_code == 400
    assert "items" in response.json()["errors"]


def test_a_round_trip_of_api_export_and_bulk_upsert_is_a_no_op(api, qi_lead, ward, other_ward):
    for n in range(5):
        make_return(ward, weeks_back(n), counts={"physical_restraint": n, "seclusion": 1})
        make_return(other_ward, weeks_back(n), bed_days=None if n == 0 else 70,
                    status="draft" if n == 0 else "submitted", counts={})  # fmt: skip
    client = api(qi_lead)
    exported = client.get("/api/v1/returns/?page_size=1000").json()["results"]
    before = snapshot()
    items = [
        {k: r[k] for k in ("ward", "week_start", "beds", "occupied_bed_days", "status", "counts")}
        for r in exported
    ]
    response = client.post(URL, {"items": items}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["unchanged"] == 10
    assert snapshot() == before


def test_a_round_trip_of_the_csv_export_and_bulk_upsert_is_a_no_op(api, qi_lead, ward):
    for n in range(4):
        make_return(ward, weeks_back(n), counts={"physical_restraint": n})
    header, *rows = returns_export_rows(wards=Ward.objects.filter(pk=ward.pk))
    items = []
    for row in rows:
        values = dict(zip(header, row, strict=True))
        items.append({
            "trust_ods": values["trust_ods"], "ward_name": values["ward_name"],
            "ward_code": values["ward_code"], "week_start": values["week_start"].isoformat(),
            "beds": values["beds"], "occupied_bed_days": values["occupied_bed_days"],
            "status": values["status"],
            "counts": {c: values[c] for c in header[7:] if values[c] is not None},
        })  # fmt: skip
    before = snapshot()
    response = api(qi_lead).post(URL, {"items": items}, format="json")
    assert response.json()["unchanged"] == 4, response.content
    assert snapshot() == before


def test_items_carry_the_days_of_incidents_under_the_same_rules(api, qi_lead, ward):
    monday = weeks_back(1)
    days = [(monday + datetime.timedelta(days=n)).isoformat() for n in (0, 2, 9)]
    bad = item(ward, 1, counts={"seclusion": 2}, incident_dates={"seclusion": days})
    response = api(qi_lead).post(URL, {"items": [item(ward, 2), bad]}, format="json")
    assert response.status_code == 400
    (problem,) = response.json()["items"]
    assert (problem["index"], problem["field"]) == (1, "incident_dates.seclusion")
    assert "is not in this week" in problem["reason"]
    assert "3 dates for a count of 2" in problem["reason"]
    assert not WeeklyReturn.objects.exists()
    good = item(ward, 1, counts={"seclusion": 2}, incident_dates={"seclusion": days[:2]})
    assert api(qi_lead).post(URL, {"items": [good]}, format="json").status_code == 200
    weekly_return = WeeklyReturn.objects.get()
    assert [d.isoformat() for d in weekly_return.counts.get().dates.values_list(
        "occurred_on", flat=True).order_by("occurred_on")] == days[:2]  # fmt: skip
    # The same items again change nothing.
    assert api(qi_lead).post(URL, {"items": [good]}, format="json").json()["unchanged"] == 1
    wrong = item(ward, 1, incident_dates={"seclusion": "2025-03-03"})
    response = api(qi_lead).post(URL, {"items": [wrong]}, format="json")
    assert response.json()["items"][0]["field"] == "incident_dates.seclusion"


def test_a_sub_measure_above_its_parent_is_reported_with_a_bed_days_error(api, qi_lead, ward):
    """Every problem of an item in one answer, not the second after the first is fixed."""
    bad = item(ward, 0, occupied_bed_days=-1,
               counts={"physical_restraint": 1, "prone_restraint": 3})  # fmt: skip
    response = api(qi_lead).post(URL, {"items": [bad]}, format="json")
    assert response.status_code == 400
    reported = {(e["index"], e["field"]) for e in response.json()["items"]}
    assert reported == {(0, "occupied_bed_days"), (0, "counts.prone_restraint")}


def test_items_may_list_measures_not_collected(api, qi_lead, ward):
    make_return(ward, weeks_back(1), counts={"awol": 2})
    items = [item(ward, 1, not_collected=["awol"])]
    response = api(qi_lead).post(URL, {"items": items, "reason": "Recount"}, format="json")
    assert response.status_code == 200, response.content
    weekly_return = WeeklyReturn.objects.get(ward=ward, week_start=weeks_back(1))
    assert weekly_return.not_collected == ["awol"]
    assert not WeeklyCount.objects.filter(weekly_return=weekly_return, measure__code="awol")
