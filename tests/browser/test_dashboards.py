"""Dashboards in real headless Chromium: charts drawn by the locally served plotly.js."""

import datetime

import pytest

from measures.catalogue import sync_catalogue
from measures.models import Enrolment, Measure, Programme, WeeklyReturn
from spc import recompute
from tests.factories import WeeklyCountFactory, WeeklyReturnFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FIRST = datetime.date(2024, 1, 1)


@pytest.fixture
def charted(ward, other_ward):
    """Oak Ward halves its restraint after week 20 (a shift); Elm Ward stays flat."""
    sync_catalogue(Measure, Programme)  # transactional tests flush the migrated catalogue
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    restraint = Measure.objects.get(code="physical_restraint")
    for w, counts in ((ward, [6] * 20 + [2] * 16), (other_ward, [2, 3] * 18)):
        Enrolment.objects.create(programme=programme, ward=w, joined_on=FIRST)
        for i, count in enumerate(counts):
            weekly_return = WeeklyReturnFactory(
                ward=w,
                week_start=FIRST + datetime.timedelta(weeks=i),
                status=WeeklyReturn.Status.SUBMITTED,
                occupied_bed_days=80,
            )
            WeeklyCountFactory(weekly_return=weekly_return, measure=restraint, count=count)
    recompute.charts_recompute(ward_ids=[ward.pk, other_ward.pk])
    return ward


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    # Each persona lands on the page of their job (their wards, trust matrix or region).
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def plot(page, code):
    return page.locator(f"#chart-{code} .js-plotly-plot")


def test_it_draws_the_ward_charts_with_limits_targets_and_rules(
    live_server, page, screenshot, qi_lead, charted
):
    sign_in(page, live_server, "qilead")
    page.goto(f"{live_server.url}/wards/{charted.pk}/")
    page.wait_for_selector("body[data-charts-ready]")
    restraint = plot(page, "physical_restraint")
    assert restraint.locator("svg.main-svg").count() >= 1
    traces = restraint.evaluate("el => el.data.map(t => t.name)")
    assert traces[:4] == ["Per 1,000 OBD", "Centre line", "Upper limit", "Lower limit"]
    assert any("50% reduction target by 31 Mar 2024" in name for name in traces)
    assert len(traces) == 5  # the series, centre, two limits and the enrolled programme's target
    assert restraint.locator("g.trace.scatter").count() == len(traces)
    # Hover the last week: Plotly shows the week, the numerator/denominator and the rule.
    restraint.evaluate("el => Plotly.Fx.hover(el, [{curveNumber: 0, pointNumber: 35}])")
    hover = restraint.locator(".hoverlayer").evaluate("el => el.textContent")
    assert "w/c 2 Sep 2024" in hover
    assert "2 incidents / 80 occupied bed days" in hover
    assert "shift" in hover
    sentence = page.locator("#chart-physical_restraint .mhsip-sentence").inner_text()
    assert "special cause improvement" in sentence
    screenshot("ward-dashboard")


def test_it_sorts_the_trust_matrix(live_server, page, screenshot, qi_lead, charted):
    sign_in(page, live_server, "qilead")
    page.goto(f"{live_server.url}/trusts/{charted.trust_id}/")
    wards = page.locator("tbody tr:not([data-pinned]) th[scope=row] a")
    assert wards.all_inner_texts() == ["Elm Ward", "Oak Ward"]
    header = page.get_by_role("button", name="Physical restraint (all positions)")
    header.click()  # ascending % change: Oak (a big fall) first
    assert wards.all_inner_texts() == ["Oak Ward", "Elm Ward"]
    header.click()
    assert wards.all_inner_texts() == ["Elm Ward", "Oak Ward"]
    assert page.locator("tbody tr").first.get_attribute("data-pinned") is not None
    screenshot("trust-matrix")


def test_it_compares_the_trusts_of_a_region(live_server, page, screenshot, facilitator, charted):
    sign_in(page, live_server, "facilitator")
    page.goto(f"{live_server.url}/regions/{charted.trust.region_id}/")
    page.wait_for_selector("body[data-charts-ready]")
    assert page.locator(".mhsip-multiples .js-plotly-plot").count() == 1
    assert "Returns complete" in page.locator("table").first.inner_text()
    screenshot("region-comparison")
