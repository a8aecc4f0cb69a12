"""The header's trust switcher and where each persona lands after signing in."""

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory, RegionFactory, TrustFactory, UserFactory
from wards.models import Membership

pytestmark = pytest.mark.django_db


def header(client, path=None):
    page = client.get(path or reverse("home")).content.decode()
    return page[page.index('<header'):page.index("</header>")]


def sign_in(client, username):
    body = {"username": username, "password": "correct-horse-battery"}
    return client.post(reverse("login"), body, follow=True)


def test_each_persona_lands_on_the_page_of_their_job(client, staff, qi_lead, facilitator, trust):
    landed = sign_in(client, "staff")
    assert landed.redirect_chain[-1][0] == reverse("home")
    client.logout()
    landed = sign_in(client, "qilead")
    assert landed.redirect_chain[-1][0] == reverse("spc:trust-matrix", args=[trust.pk])
    client.logout()
    landed = sign_in(client, "facilitator")
    assert landed.redirect_chain[-1][0] == reverse("spc:region-compare", args=[trust.region_id])


def test_a_sign_in_link_to_a_page_still_goes_to_that_page(client, qi_lead):
    response = client.post(
        f"{reverse('login')}?next=/imports/",
        {"username": "qilead", "password": "correct-horse-battery"},
    )
    assert response.url == "/imports/"


def test_a_user_of_several_trusts_lands_on_the_switcher(client, qi_lead, trust):
    other = TrustFactory(name="Dales NHS Trust", ods_code="RX5", region=trust.region)
    MembershipFactory(user=qi_lead, role=Membership.Role.QI_LEAD, trust=other)
    client.force_login(qi_lead)
    assert client.get(reverse("start")).url == reverse("switch")
    page = client.get(reverse("switch")).content.decode()
    assert page.index("Dales NHS Trust") < page.index("Moorside NHS Foundation Trust")
    assert reverse("spc:trust-matrix", args=[other.pk]) in page
    # The header names no trust: it links to the switcher.
    assert f'href="{reverse("switch")}">Trusts</a>' in page


def test_the_header_names_the_one_trust_and_never_lists_them_all(client, qi_lead, facilitator,
                                                                  trust, admin_user):  # fmt: skip
    client.force_login(qi_lead)
    page = header(client)
    assert f'href="{reverse("spc:trust-matrix", args=[trust.pk])}">{trust.name}</a>' in page
    assert f'href="{reverse("switch")}"' not in page
    for n in range(7):
        TrustFactory(name=f"Trust {n}", ods_code=f"RY{n}", region=RegionFactory(code=f"r{n}"))
    client.force_login(admin_user)
    page = header(client)
    assert "Trust 6" not in page and "Trust 0" not in page
    assert f'href="{reverse("switch")}">Trusts and regions</a>' in page
    assert "Trust 6" in client.get(reverse("switch")).content.decode()


def test_the_switcher_shows_only_what_the_user_may_open(client, staff):
    TrustFactory(name="Hidden NHS Trust", ods_code="RH1")
    client.force_login(staff)
    page = client.get(reverse("switch")).content.decode()
    assert "Hidden NHS Trust" not in page and "no trusts or regions" in page


def test_an_account_with_no_memberships_lands_on_home(client):
    UserFactory(username="nobody")
    client.force_login(UserFactory(username="someone"))
    assert client.get(reverse("start")).url == reverse("home")
