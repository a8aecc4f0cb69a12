"""A change idea recorded through its pages in real Chromium, drawn on the chart it targets."""

import datetime

import pytest

from measures.catalogue import sync_catalogue
from measures.models import Enrolment, Measure, Programme, WeeklyReturn
from spc import recompute
from tests.browser.test_dashboards import plot, sign_in
from tests.factories import WeeklyCountFactory, WeeklyReturnFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FIRST = datetime.date(2024, 1, 1)


@pytest.fixture
def two_charts(ward):
    """Oak Ward's restraint and seclusion, 36 weeks of each."""
    sync_catalogue(Measure, Programme)  # transactional tests flush the migrated catalogue
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    Enrolment.objects.create(programme=programme, ward=ward, joined_on=FIRST)
    measures = Measure.objects.filter(code__in=["physical_restraint", "seclusion"])
    for i in range(36):
        weekly_return = WeeklyReturnFactory(
            ward=ward, week_start=FIRST + datetime.timedelta(weeks=i),
            status=WeeklyReturn.Status.SUBMITTED, occupied_bed_days=80,
        )  # fmt: skip
        for measure in measures:
            WeeklyCountFactory(weekly_return=weekly_return, measure=measure, count=3 + i % 3)
    recompute.charts_recompute(ward_ids=[ward.pk])
    return ward


@pytest.fixture
def patient_page(page):
    # The dashboard loads plotly.js (4.8 MB) and draws 13 charts: slow on a busy machine.
    page.set_default_timeout(30_000)
    return page


def idea_labels(page, code):
    return plot(page, code).evaluate("el => el.layout.annotations.map(a => a.text)")


def test_it_records_an_idea_with_a_cycle_and_draws_it_on_its_chart_only(
    live_server, patient_page, staff, two_charts
):
    page = patient_page
    sign_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/wards/{two_charts.pk}/")
    page.get_by_role("link", name="Record a new change idea").click()
    page.get_by_label("Change idea", exact=True).fill("Safewards calm-down methods")
    page.get_by_label("Started on").fill("2024-05-20")
    page.get_by_label("Physical restraint (all positions)").check()
    page.get_by_label("Owner's role").fill("Charge nurse")
    page.get_by_label("Plan: what will change, and why").fill("Calm-down box on the late shift")
    page.get_by_label("Prediction: what you expect to happen").fill("Fewer restraints")
    page.get_by_role("button", name="Record change idea").click()
    page.wait_for_url("**/change-ideas/*/")
    assert "PDSA cycle 1: Plan" in page.locator("main").inner_text()
    page.get_by_role("link", name="Physical restraint (all positions)").click()
    page.wait_for_selector("body[data-charts-ready]")
    assert "Safewards calm-down methods (PDSA 1)" in idea_labels(page, "physical_restraint")
    assert not any("Safewards" in text for text in idea_labels(page, "seclusion"))


def test_it_keeps_what_was_typed_when_a_cycle_cannot_close_yet(
    live_server, patient_page, staff, two_charts
):
    page = patient_page
    sign_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/wards/{two_charts.pk}/change-ideas/new/")
    page.get_by_label("Change idea", exact=True).fill("Huddles")
    page.get_by_label("Started on").fill("2024-05-20")
    page.get_by_label("Seclusion", exact=True).check()
    page.get_by_label("Plan: what will change, and why").fill("Twice-daily huddle")
    page.get_by_label("Prediction: what you expect to happen").fill("Less seclusion")
    page.get_by_role("button", name="Record change idea").click()
    page.get_by_role("link", name="Close cycle 1 with its outcome").click()
    page.get_by_label("Study: what the data showed against the prediction").fill("Fell")
    page.get_by_label("Adopt: keep the change").check()
    page.get_by_label("Cycle ended on").fill("2024-07-01")
    page.get_by_role("button", name="Close cycle").click()
    summary = page.locator(".nhsuk-error-summary")
    assert "Act: say what happens next" in summary.inner_text()
    assert page.get_by_label("Study: what the data showed against the prediction").input_value() \
        == "Fell"  # fmt: skip
    assert page.get_by_label("Adopt: keep the change").is_checked()
    assert page.get_by_label("Cycle ended on").input_value() == "2024-07-01"
