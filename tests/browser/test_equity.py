"""The equity pages in real Chromium (axe-core audits each page, see conftest): the QI lead
sees every figure, the sentence and the ratio's run chart; a facilitator sees small numbers
hidden."""

import pytest

from measures.catalogue import sync_catalogue
from measures.models import Measure, Programme
from tests.browser.test_dashboards import sign_in
from tests.equity.helpers import breakdown, week

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broken_down(ward):
    sync_catalogue(Measure, Programme)  # transactional tests flush the migrated catalogue
    for n in range(64):
        black = (8 if n < 32 else 3) if n % 2 == 0 else 0
        breakdown(ward, week(n), {"A": (200, 2), "N": (100, black), "H": (20, 1 if n == 50 else 0)})
    return ward


def test_the_qi_lead_reads_the_ratio_its_interval_and_its_trend(live_server, page, screenshot,
                                                                qi_lead, broken_down):
    sign_in(page, live_server, "qilead")
    page.goto(f"{live_server.url}/trusts/{broken_down.trust_id}/equity/")
    assert page.get_by_text("Black patients were restrained").first.is_visible()
    assert page.locator("#id_measure").is_visible()
    page.locator("[data-figure=equity-trend].js-plotly-plot").wait_for()
    screenshot("equity")


def test_a_facilitator_sees_small_numbers_hidden(live_server, page, facilitator, broken_down):
    sign_in(page, live_server, "facilitator")
    page.goto(f"{live_server.url}/trusts/{broken_down.trust_id}/equity/?breakdown=ethnicity")
    assert page.get_by_text("You are outside this trust").is_visible()
    assert page.locator("abbr", has_text="*").count() > 0
    page.goto(f"{live_server.url}/regions/{broken_down.trust.region_id}/equity/")
    assert page.get_by_role("heading", name="Who is restrained: trusts side by side").is_visible()
