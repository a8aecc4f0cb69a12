"""Text people type reaches charts as text: a change idea titled with a link and a style is
shown literally on every chart, and plotly makes no link of it."""

import datetime

import pytest

from tests.browser.test_dashboards import charted, plot, sign_in  # noqa: F401 (a fixture)
from tests.factories import ChangeIdeaFactory, PdsaCycleFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TITLE = ('<a href="https://evil.example/login">Session expired: sign in again</a> '
         '<b style="font-size:80px">BIG</b>')  # fmt: skip


def test_markup_in_a_change_idea_title_shows_literally_with_no_link(
    live_server, page, qi_lead, charted  # noqa: F811
):
    idea = ChangeIdeaFactory(ward=charted, title=TITLE, started_on=datetime.date(2024, 3, 4),
                             measures=["physical_restraint"])  # fmt: skip
    PdsaCycleFactory(idea=idea)  # drawn on the charts of the measures it targets
    page.set_default_timeout(60_000)  # 13 charts on a shared, busy machine
    sign_in(page, live_server, "qilead")
    page.goto(f"{live_server.url}/wards/{charted.pk}/")
    page.wait_for_selector("body[data-charts-ready]")
    chart = plot(page, "physical_restraint")
    label = chart.locator(".annotation-text", has_text="Session expired")
    assert label.count() == 1
    assert label.text_content() == f"{TITLE} (PDSA 1)"  # the markup itself, as characters
    assert chart.locator("a").count() == 0  # plotly drew no link
    assert page.locator('a[href*="evil.example"]').count() == 0
    sizes = label.evaluate_all(
        "els => els.flatMap(e => [e, ...e.querySelectorAll('*')])"
        ".map(e => getComputedStyle(e).fontSize)"
    )
    assert "80px" not in sizes
