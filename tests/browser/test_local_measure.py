"""Issue 14's whole journey in real Chromium: a QI lead adds a local process measure (a
proportion) with a +50% target and enrols two wards; ward staff enter it in their weekly
return; the ward's dashboard draws its p chart with the trust's target."""

import datetime

import pytest
from django.utils import timezone

from measures.catalogue import sync_catalogue
from measures.models import Measure, Programme, WeeklyReturn, WeeklyValue
from mhsip.weeks import monday_of
from tests.browser.test_dashboards import plot, sign_in
from tests.factories import WeeklyReturnFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
LAST_WEEK = monday_of(timezone.localdate()) - datetime.timedelta(weeks=1)


@pytest.fixture
def catalogue():
    sync_catalogue(Measure, Programme)  # transactional tests flush the migrated catalogue


def add_the_measure(page, live_server, trust):
    page.goto(f"{live_server.url}/trusts/{trust.pk}/measures/")
    page.get_by_role("link", name="Add a local measure").click()
    page.get_by_label("Name").fill("Debriefs after restraint")
    page.get_by_label("Code").fill("rx4_debrief")
    page.get_by_label("Value type").select_option("proportion")
    page.get_by_label("Domain").select_option("restrictive_practice")
    page.get_by_label("Direction of improvement").select_option("increase")
    page.get_by_label("Unit", exact=True).fill("restraints debriefed")
    page.get_by_label("Definition").fill("A restraint followed by a debrief within 72 hours.")
    page.get_by_label("What counts", exact=True).fill("Debriefs by any trained staff.")
    page.get_by_label("What does not count").fill("Team-only huddles.")
    page.get_by_label("Proportions: what the numerator counts").fill(
        "restraints debriefed in 72 hours")
    page.get_by_label("Proportions: what the denominator counts").fill("restraints")
    page.get_by_label("Oak Ward").check()
    page.get_by_label("Elm Ward").check()
    page.get_by_label("Target", exact=True).select_option("increase")
    page.get_by_label("By what percentage").fill("50")
    page.get_by_label("Deadline").fill("2027-03-31")
    page.get_by_role("button", name="Add the measure").click()
    page.get_by_text("Increase by 50% by 31 Mar 2027").wait_for()


def earlier_weeks(ward, measure, n=24):
    """The weeks before: entered earlier (by file), a debrief after about half the restraints."""
    for i in range(n):
        week = LAST_WEEK - datetime.timedelta(weeks=n - i)
        weekly = WeeklyReturnFactory(ward=ward, week_start=week, occupied_bed_days=120,
                                     status=WeeklyReturn.Status.SUBMITTED)  # fmt: skip
        WeeklyValue.objects.create(weekly_return=weekly, measure=measure,
                                   numerator=4 + i % 3, denominator=10)  # fmt: skip


def test_a_qi_lead_adds_it_staff_enter_it_and_its_p_chart_shows_the_target(
    live_server, browser, page, catalogue, qi_lead, staff, ward, other_ward
):
    page.set_default_timeout(30_000)  # the dashboard draws every chart: slow on a busy machine
    sign_in(page, live_server, "qilead")
    add_the_measure(page, live_server, ward.trust)
    debrief = Measure.objects.get(code="rx4_debrief")
    assert set(debrief.local.wards.all()) == {ward, other_ward}
    earlier_weeks(ward, debrief)

    staff_page = browser.new_page()
    staff_page.set_default_timeout(30_000)
    sign_in(staff_page, live_server, "staff")
    staff_page.goto(f"{live_server.url}/wards/{ward.pk}/returns/{LAST_WEEK:%Y-%m-%d}/")
    staff_page.get_by_label("Occupied bed days").fill("126")
    staff_page.get_by_label("Restraints debriefed in 72 hours").fill("9")
    staff_page.get_by_label("Restraints: debriefs after restraint", exact=True).fill("10")
    staff_page.get_by_role("button", name="Submit return").click()
    staff_page.get_by_text("return submitted").wait_for()
    saved = WeeklyValue.objects.get(weekly_return__week_start=LAST_WEEK, measure=debrief)
    assert (saved.numerator, saved.denominator) == (9, 10)
    staff_page.close()

    page.goto(f"{live_server.url}/wards/{ward.pk}/")
    page.wait_for_selector("body[data-charts-ready]")
    chart = plot(page, "rx4_debrief")
    traces = chart.evaluate("el => el.data.map(t => t.name)")
    assert "Centre line" in traces and "Upper limit" in traces, traces
    assert any("50% increase target by 31 Mar 2027" in name for name in traces), traces
    section = page.locator("#chart-rx4_debrief")
    assert "Local measure" in section.inner_text()
    assert "p chart" in section.inner_text()
