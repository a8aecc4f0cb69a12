"""Pages about the whole system: the home page, the health check, and the audit log (every
change recorded with who and when, scoped like the rest of the app, and read-only)."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from mhsip.weeks import monday_of
from tests.factories import MembershipFactory, UserFactory
from wards.models import Membership

pytestmark = pytest.mark.django_db

LAST_WEEK = monday_of(timezone.localdate()) - datetime.timedelta(weeks=1)


def changes(client, staff, qi_lead, ward, outside_ward, outsider):
    """One change of every audited kind, each made through the app by a signed-in user."""
    client.force_login(staff)
    body = {"ward": ward.pk, "week_start": LAST_WEEK.isoformat(), "occupied_bed_days": 100,
            "counts": {"physical_restraint": 3}, "submit": True}  # fmt: skip
    assert client.post("/api/v1/returns/", body, content_type="application/json").status_code == 201
    url = reverse("measures:change-idea-new", args=[ward.pk])
    idea = {"title": "Safewards", "started_on": LAST_WEEK, "measures": ["physical_restraint"],
            "plan": "Calm-down box", "prediction": "Fewer restraints"}  # fmt: skip
    assert client.post(url, idea).status_code == 302
    assert client.post("/profile/tokens/", {"name": "Datix push"}).status_code == 302
    client.force_login(qi_lead)
    url = reverse("spc:chart-settings", args=[ward.pk, "physical_restraint"])
    assert client.post(url, {"chart_type": "c", "baseline_weeks": 20}).status_code == 302
    client.force_login(outsider)
    body = {**body, "ward": outside_ward.pk}
    assert client.post("/api/v1/returns/", body, content_type="application/json").status_code == 201
    client.logout()


@pytest.fixture
def changed(client, staff, qi_lead, ward, outside_ward, outsider):
    changes(client, staff, qi_lead, ward, outside_ward, outsider)


def audit(client, user, **query):
    client.force_login(user)
    response = client.get(reverse("audit"), query)
    assert response.status_code == 200
    return response


def test_it_shows_a_qi_lead_who_changed_what_in_their_trust(client, changed, qi_lead):
    response = audit(client, qi_lead)
    text = response.content.decode()
    assert "Weekly return created" in text
    assert "Weekly count created" in text
    assert "Change idea created" in text
    assert "PDSA cycle created" in text
    assert "Chart setting created" in text
    assert "Membership created" in text  # the staff member's membership of Oak Ward
    rows = response.context["entries"]
    assert {e.who for e in rows if e.kind == "Weekly return"} == {"staff"}
    assert {e.who for e in rows if e.kind == "Chart setting"} == {"qilead"}
    # Not another trust's changes, and not API tokens (they belong to users, not trusts).
    assert "Far Ward" not in text
    assert "API token" not in {e.kind for e in rows}


def test_an_admin_sees_every_trust_and_the_tokens(client, changed, admin_user):
    rows = audit(client, admin_user).context["entries"]
    assert "API token" in {e.kind for e in rows}
    assert any("Far Ward" in e.what for e in rows)
    token = next(e for e in rows if e.kind == "API token")
    assert token.who == "staff" and token.action == "created"


def test_it_records_the_fields_changed_and_filters(client, changed, staff, qi_lead, ward):
    client.force_login(qi_lead)
    url = reverse("spc:chart-settings", args=[ward.pk, "physical_restraint"])
    data = {"chart_type": "u", "baseline_weeks": 26, "reason": "A longer, steadier baseline"}
    assert client.post(url, data).status_code == 302
    rows = audit(client, qi_lead, kind="chart_setting").context["entries"]
    assert rows[0].action == "changed" and rows[-1].action == "created"
    assert "chart_type: c → u" in rows[0].changes
    assert "baseline_weeks: 20 → 26" in rows[0].changes
    rows = audit(client, qi_lead, who="staff").context["entries"]
    assert rows and {e.who for e in rows} == {"staff"}
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert not audit(client, qi_lead, since=tomorrow).context["entries"]


def test_it_records_memberships_and_who_removed_them(client, qi_lead, ward, admin_user):
    newcomer = UserFactory(username="newcomer")
    membership = MembershipFactory(user=newcomer, role=Membership.Role.WARD_STAFF, ward=ward)
    membership.delete()
    rows = audit(client, qi_lead, kind="membership").context["entries"]
    assert [e.action for e in rows if "newcomer" in e.what] == ["deleted", "created"]


def test_it_pages_in_the_database(client, qi_lead, ward, django_assert_max_num_queries):
    for n in range(60):
        MembershipFactory(user=UserFactory(username=f"nurse{n}"), ward=ward)
    client.force_login(qi_lead)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("audit"))
    assert len(response.context["entries"]) == 50
    assert response.context["page"].paginator.count == 62  # and staff's, qi lead's own
    assert len(client.get(reverse("audit"), {"page": 2}).context["entries"]) == 12


@pytest.mark.parametrize(("persona", "status"), [("staff", 403), ("facilitator", 403)])
def test_only_qi_leads_and_admins_read_it(request, client, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("audit")).status_code == status


def test_a_qi_lead_cannot_ask_for_another_trust(client, qi_lead, outside_ward):
    client.force_login(qi_lead)
    assert client.get(reverse("audit"), {"trust": outside_ward.trust_id}).status_code == 404


def test_audit_rows_cannot_be_changed_through_the_app(client, changed, admin_user):
    client.force_login(admin_user)
    for method in ("post", "put", "delete"):
        assert getattr(client, method)(reverse("audit")).status_code == 405
    # No admin pages for the historical models themselves: the admin's history views only
    # read them (reverting writes a new row, it does not edit an old one).
    historical = [m for m in admin.site._registry if m.__name__.startswith("Historical")]
    assert historical == []


# --- the home page and the health check ------------------------------------------------


def test_it_sends_anonymous_users_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_lists_only_the_wards_a_user_may_see(client, staff, ward, other_ward, outside_ward):
    client.force_login(staff)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Oak Ward" in content
    assert "Elm Ward" not in content
    assert "Far Ward" not in content
    assert "Ward staff" in content


def test_it_answers_health_checks(client):
    response = client.get(reverse("healthz"))
    assert response.json() == {"status": "ok"}


def test_it_links_each_ward_to_its_charts(client, staff, ward):
    client.force_login(staff)
    page = client.get(reverse("home")).content.decode()
    assert reverse("spc:ward-dashboard", args=[ward.pk]) in page


def test_it_links_a_qi_lead_to_the_trust_matrix(client, qi_lead, trust):
    client.force_login(qi_lead)
    page = client.get(reverse("home")).content.decode()
    assert reverse("spc:trust-matrix", args=[trust.pk]) in page


def test_it_links_qi_leads_but_not_ward_staff_to_the_audit_log(client, qi_lead, staff):
    client.force_login(qi_lead)
    assert reverse("audit") in client.get(reverse("home")).content.decode()
    client.force_login(staff)
    assert reverse("audit") not in client.get(reverse("home")).content.decode()
