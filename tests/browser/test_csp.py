"""The Content-Security-Policy in real Chromium: every page works with no violation (no inline
script, nothing from other hosts), and the charts still draw."""

import datetime

import pytest

from measures.catalogue import sync_catalogue
from measures.models import Enrolment, Measure, Programme, WeeklyReturn
from mhsip.weeks import monday_of
from spc import recompute
from tests.factories import WeeklyCountFactory, WeeklyReturnFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The browser reports every violation to the page; collect them before any page script runs.
COLLECT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""
# ReDoc asks for Google Fonts and its logo from its CDN: blocked, as they should be (no third
# parties; the pages work without them).
ALLOWED_BLOCKS = ("https://fonts.googleapis.com/", "https://cdn.redoc.ly/")


@pytest.fixture
def charted(ward, other_ward):
    sync_catalogue(Measure, Programme)  # transactional tests flush the migrated catalogue
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    restraint = Measure.objects.get(code="physical_restraint")
    first = datetime.date(2024, 1, 1)
    for w in (ward, other_ward):
        Enrolment.objects.create(programme=programme, ward=w, joined_on=first)
        for i in range(30):
            weekly_return = WeeklyReturnFactory(
                ward=w,
                week_start=first + datetime.timedelta(weeks=i),
                status=WeeklyReturn.Status.SUBMITTED,
                occupied_bed_days=80,
            )
            WeeklyCountFactory(weekly_return=weekly_return, measure=restraint, count=i % 4)
    recompute.charts_recompute_all()
    return ward


def test_every_page_runs_under_the_policy(page, live_server, charted, admin_user):
    page.context.add_init_script(COLLECT)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    ward, trust = charted, charted.trust
    week = monday_of(datetime.date.today()) - datetime.timedelta(weeks=1)
    paths = [
        "/",
        f"/wards/{ward.pk}/",
        f"/wards/{ward.pk}/returns/{week.isoformat()}/",
        f"/trusts/{trust.pk}/",
        f"/regions/{trust.region_id}/",
        "/imports/",
        "/profile/tokens/",
        "/api/docs/",
        "/api/docs/redoc/",
    ]
    violations = {}
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.ok, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        if path == f"/wards/{ward.pk}/":
            page.wait_for_selector(".js-plotly-plot .main-svg")  # plotly drew under the policy
        if path == "/api/docs/":
            page.wait_for_selector(".swagger-ui .info")  # the split view's start-up script ran
        found = [
            v
            for v in page.evaluate("window.__cspViolations")
            if not v.partition(" ")[2].startswith(ALLOWED_BLOCKS)
        ]
        if found:
            violations[path] = found
    assert not violations
