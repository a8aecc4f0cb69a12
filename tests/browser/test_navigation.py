"""Navigation in real Chromium (each page audited by axe-core, see conftest): where each
persona lands, the header's switcher, the error pages, the matrix's sticky ward column and
header, the completeness grid and the region's funnel."""

import pytest

from tests.browser.test_dashboards import charted, sign_in  # noqa: F401  (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_each_persona_lands_on_the_page_of_their_job(live_server, page, qi_lead, facilitator,
                                                     charted):  # noqa: F811  # fmt: skip
    sign_in(page, live_server, "qilead")
    assert page.url == f"{live_server.url}/trusts/{charted.trust_id}/"
    menu = page.locator(".mhsip-nav__list")
    assert menu.get_by_role("link", name=charted.trust.name).is_visible()
    page.goto(f"{live_server.url}/no/such/page/")
    assert page.get_by_role("heading", name="Page not found").is_visible()
    page.get_by_role("link", name="Go to your wards").click()
    page.wait_for_url(f"{live_server.url}/")
    page.context.clear_cookies()
    sign_in(page, live_server, "facilitator")
    assert page.url.startswith(f"{live_server.url}/regions/{charted.trust.region_id}/")
    page.goto(f"{live_server.url}/trusts/")
    assert page.get_by_role("link", name=charted.trust.name).count() == 1


def test_the_matrix_keeps_its_ward_column_and_header_in_view(live_server, page, qi_lead,
                                                             charted):  # noqa: F811  # fmt: skip
    page.set_viewport_size({"width": 600, "height": 700})
    sign_in(page, live_server, "qilead")
    box = page.locator(".mhsip-matrix")
    ward = page.locator("tbody th[scope=row]").nth(1)
    header = page.locator("thead th").nth(3)
    before = (ward.bounding_box()["x"], header.bounding_box()["y"])
    box.evaluate("el => { el.scrollLeft = 400; el.scrollTop = 200; }")
    assert box.evaluate("el => el.scrollLeft") > 0
    after = (ward.bounding_box()["x"], header.bounding_box()["y"])
    assert after == pytest.approx(before, abs=1)


def test_the_completeness_grid_shows_every_week_and_links_each(live_server, page, screenshot,
                                                               qi_lead, charted):  # noqa: F811  # fmt: skip
    sign_in(page, live_server, "qilead")
    page.goto(f"{live_server.url}/trusts/{charted.trust_id}/completeness/")
    latest = page.locator("thead th.mhsip-week-head").last
    scroller = page.locator(".mhsip-grid-scroll").first
    right = scroller.bounding_box()["x"] + scroller.bounding_box()["width"]
    assert latest.bounding_box()["x"] + latest.bounding_box()["width"] <= right + 1
    assert scroller.evaluate("el => el.scrollWidth <= el.clientWidth")  # nothing hidden
    screenshot("completeness")
    cell = page.locator("tbody tr", has_text=charted.name).locator("td.mhsip-cell a").last
    cell.click()
    page.wait_for_url("**/returns/*/")
    assert page.locator("h1").is_visible()


def test_the_funnel_compares_a_peer_group_with_a_table(live_server, page, screenshot,
                                                       facilitator, charted):  # noqa: F811  # fmt: skip
    sign_in(page, live_server, "facilitator")
    page.get_by_label("Funnel units").select_option("wards")
    page.get_by_label("Peer group (ward type)").select_option(charted.ward_type)
    page.get_by_role("button", name="Show").click()
    page.wait_for_selector("body[data-charts-ready]")
    assert "Shown: exact Poisson limits" in page.locator("#funnel-sentence").inner_text()
    rows = page.locator("#funnel-table tbody tr")
    assert rows.count() == 2  # Oak and Elm Ward, both of the type
    funnel = page.locator("[data-figure=funnel-data] .js-plotly-plot")
    assert funnel.evaluate("el => el.data.at(-1).x.length") == 2
    screenshot("region-funnel")
