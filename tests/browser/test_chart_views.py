"""Rare events in the browser: the chosen chart says why, and the page switches to the
4-weekly and monthly views of the same data."""

import datetime

import pytest

from measures.catalogue import sync_catalogue
from measures.models import Enrolment, Measure, Programme, WeeklyReturn
from mhsip.weeks import latest_complete_week
from spc import recompute
from spc.models import ChartSetting
from tests.browser.test_dashboards import plot, sign_in
from tests.factories import WeeklyCountFactory, WeeklyReturnFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Two years up to the latest complete week, so the charts end where the data do.
FIRST = latest_complete_week(datetime.date.today()) - datetime.timedelta(weeks=103)


@pytest.fixture
def quiet_ward(ward):
    """A quiet ward: about one seclusion every five weeks for two years."""
    sync_catalogue(Measure, Programme)
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    Enrolment.objects.create(programme=programme, ward=ward, joined_on=FIRST)
    seclusion = Measure.objects.get(code="seclusion")
    for i in range(104):
        weekly_return = WeeklyReturnFactory(
            ward=ward, week_start=FIRST + datetime.timedelta(weeks=i),
            status=WeeklyReturn.Status.SUBMITTED, occupied_bed_days=120,
        )  # fmt: skip
        WeeklyCountFactory(weekly_return=weekly_return, measure=seclusion,
                           count=1 if i % 5 == 0 else 0)  # fmt: skip
    recompute.charts_recompute(ward_ids=[ward.pk])
    return ward


def test_a_rare_measure_says_why_it_is_a_run_chart_and_switches_to_monthly(
    live_server, page, screenshot, qi_lead, quiet_ward
):
    sign_in(page, live_server, "qilead")
    page.goto(f"{live_server.url}/wards/{quiet_ward.pk}/")
    page.wait_for_selector("body[data-charts-ready]")
    sentence = page.locator("#chart-seclusion .mhsip-sentence").inner_text()
    assert "0.2 incidents expected a week" in sentence
    assert "too few incidents for SPC" in sentence
    assert "weekly run chart" in sentence
    weekly = plot(page, "seclusion").evaluate("el => el.data[0].x.length")
    assert weekly == 104
    page.get_by_role("link", name="Monthly").click()
    page.wait_for_url("**/?view=month")
    page.wait_for_selector("body[data-charts-ready]")
    assert page.get_by_text("Monthly", exact=True).get_attribute("aria-current") == "page"
    monthly = plot(page, "seclusion").evaluate("el => el.data[0].x.length")
    assert 23 <= monthly <= 25
    assert "month" in page.locator("#chart-seclusion .mhsip-sentence").inner_text()
    screenshot("ward-dashboard-monthly")


def test_saving_chart_settings_twice_keeps_the_baseline(live_server, page, qi_lead, quiet_ward):
    """The saved baseline start shows in the browser's date box, so changing only the period
    leaves it as it was (it used to render as 07/06/2021, show blank and be wiped)."""
    sign_in(page, live_server, "qilead")
    page.goto(f"{live_server.url}/wards/{quiet_ward.pk}/charts/seclusion/settings/")
    start = (FIRST + datetime.timedelta(weeks=4)).isoformat()
    page.get_by_label("Baseline starts (week commencing)").fill(start)
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Chart settings saved").wait_for()
    assert page.get_by_label("Baseline starts (week commencing)").input_value() == start
    page.get_by_label("Period of the points").select_option("month")
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Chart settings saved").wait_for()
    setting = ChartSetting.objects.get(ward=quiet_ward, measure__code="seclusion")
    assert (setting.baseline_start.isoformat(), setting.period) == (start, "month")
