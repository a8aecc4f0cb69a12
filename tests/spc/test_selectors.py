"""Database reads of the chart layer: the funnel plot's units, shared by page and API."""

import datetime

import pytest
from django.utils import timezone

from measures.models import Measure, WeeklyReturn
from mhsip.weeks import latest_complete_week
from spc import dashboards, selectors
from tests.factories import TrustFactory, WardFactory, WeeklyCountFactory, WeeklyReturnFactory
from wards.models import Ward

pytestmark = pytest.mark.django_db

LAST = latest_complete_week(timezone.localdate())
FIRST = LAST - datetime.timedelta(weeks=25)  # the region page's default period, 26 weeks


def week(n):
    return FIRST + datetime.timedelta(weeks=n)


def record(ward, n, count, bed_days=70, status=WeeklyReturn.Status.SUBMITTED):
    weekly_return = WeeklyReturnFactory(
        ward=ward, week_start=week(n), occupied_bed_days=bed_days, status=status
    )
    if count is not None:
        restraint = Measure.objects.get(code="physical_restraint")
        WeeklyCountFactory(weekly_return=weekly_return, measure=restraint, count=count)
    return weekly_return


@pytest.fixture
def region_data(ward, other_ward, region):
    """Wards of two trusts of one region, with every case the funnel must leave out or keep."""
    second = WardFactory(trust=TrustFactory(name="Dales NHS Trust", ods_code="RX5", region=region),
                         name="Ash Ward")  # fmt: skip
    closed = WardFactory(trust=ward.trust, name="Birch Ward", active_to=week(10))
    for n in range(26):
        record(ward, n, 3)
        record(second, n, 1, bed_days=60)
    for n in range(10):
        record(other_ward, n, 2)
        record(closed, n, 4)  # a ward that closed in the period keeps its weeks before
    record(other_ward, 10, 5, bed_days=0)  # no bed days: no rate, left out
    record(other_ward, 11, 5, status=WeeklyReturn.Status.DRAFT)  # a draft: left out
    record(other_ward, 12, None)  # no count for the measure: missing, never a zero
    WardFactory(trust=ward.trust, name="Cedar Ward")  # no returns at all: not a unit
    record(ward, -1, 9)  # before the period
    return {"ward": ward, "other": other_ward, "second": second, "closed": closed}


def test_it_sums_submitted_weeks_with_a_count_and_bed_days_in_the_period(region, region_data):
    restraint = Measure.objects.get(code="physical_restraint")
    units = selectors.funnel_units(region, restraint, FIRST, LAST, "ward")
    assert [(u["name"], u["count"], u["bed_days"]) for u in units] == [
        ("Ash Ward", 26, 26 * 60),
        ("Birch Ward", 40, 10 * 70),
        ("Elm Ward", 20, 10 * 70),
        ("Oak Ward", 78, 26 * 70),
    ]
    assert {u["trust"] for u in units} == {region_data["ward"].trust_id,
                                           region_data["second"].trust_id}  # fmt: skip
    trusts = selectors.funnel_units(region, restraint, FIRST, LAST, "trust")
    assert [(u["name"], u["count"], u["bed_days"]) for u in trusts] == [
        ("Dales NHS Trust", 26, 26 * 60),
        ("Moorside NHS Foundation Trust", 138, 46 * 70),
    ]
    assert all(u["id"] == u["trust"] for u in trusts)
    within_trust = selectors.funnel_units(region_data["ward"].trust, restraint, FIRST, LAST, "ward")
    assert [u["name"] for u in within_trust] == ["Birch Ward", "Elm Ward", "Oak Ward"]
    with pytest.raises(ValueError, match="unit must be"):
        selectors.funnel_units(region, restraint, FIRST, LAST, "wards")


@pytest.mark.parametrize(("page_unit", "api_unit"), [("wards", "ward"), ("trusts", "trust")])
def test_the_region_page_and_the_api_show_the_same_funnel(
    client, facilitator, region, region_data, page_unit, api_unit
):
    client.force_login(facilitator)
    page = client.get(
        f"/regions/{region.pk}/", {"measure": "physical_restraint", "weeks": 26, "unit": page_unit}
    )
    assert page.status_code == 200
    assert (page.context["first"], page.context["last"]) == dashboards.period_weeks(
        timezone.localdate(), 26
    ) == (FIRST, LAST)
    api = client.get("/api/v1/comparison/", {
        "scope": "region", "id": region.pk, "measure": "physical_restraint", "unit": api_unit,
        "start": FIRST.isoformat(), "end": LAST.isoformat(),
    }).json()  # fmt: skip
    shown = [(u["id"], u["name"], u["count"], u["bed_days"]) for u in page.context["funnel_units"]]
    served = [(u["id"], u["name"], u["count"], u["occupied_bed_days"]) for u in api["units"]]
    assert shown == served and len(served) == (4 if api_unit == "ward" else 2)
    assert sum(u[2] for u in shown) == api["total_count"]
    assert sum(u[3] for u in shown) == api["total_occupied_bed_days"]
    # The plotted points are these units, around the same pooled rate.
    points = page.context["funnel"].figure["data"][-1]
    assert points["x"] == [u["occupied_bed_days"] for u in api["units"]]
    assert points["y"] == pytest.approx([u["rate"] for u in api["units"]])
    regional_rate = page.context["funnel"].figure["data"][-2]["y"][0]
    assert regional_rate == pytest.approx(api["target_rate"])


def test_it_compares_peer_groups_of_one_ward_type(client, facilitator, region, region_data):
    restraint = Measure.objects.get(code="physical_restraint")
    region_data["second"].ward_type = Ward.Type.PICU
    region_data["second"].save()
    picu = selectors.funnel_units(region, restraint, FIRST, LAST, "ward", Ward.Type.PICU)
    assert [u["name"] for u in picu] == ["Ash Ward"]
    trusts = selectors.funnel_units(region, restraint, FIRST, LAST, "trust", Ward.Type.PICU)
    assert [(u["name"], u["count"]) for u in trusts] == [("Dales NHS Trust", 26)]
    client.force_login(facilitator)
    page = client.get(f"/regions/{region.pk}/", {"unit": "wards", "type": Ward.Type.PICU,
                                                 "limits": "multiplicative"})  # fmt: skip
    assert [r.name for r in page.context["funnel"].rows] == ["Ash Ward"]
    assert page.context["limits"] == "multiplicative"
    assert "psychiatric intensive care (picu) wards, w/c" in page.content.decode()
    # The trusts' table reads the funnel's period: its rate is that of the same weeks.
    rows = {r.trust.name: r for r in page.context["rows"]}
    assert rows["Dales NHS Trust"].period_rate == pytest.approx(26 / (26 * 60) * 1000)
