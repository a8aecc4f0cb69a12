"""403, 404 and 500 are NHS.UK-styled pages with the header and a way back; the API keeps
its JSON error body."""

import pytest
from django.test import Client
from django.urls import reverse

from mhsip import errors

pytestmark = pytest.mark.django_db


def test_a_404_has_the_header_and_a_way_home(client, staff):
    client.force_login(staff)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert 'class="nhsuk-header"' in page and "Sign out" in page
    assert f'href="{reverse("home")}">Go to your wards</a>' in page


def test_an_out_of_scope_ward_is_the_same_404(client, staff, outside_ward):
    client.force_login(staff)
    response = client.get(reverse("spc:ward-dashboard", args=[outside_ward.pk]))
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()
    assert "No such ward" not in response.content.decode()


def test_a_403_says_why_and_offers_a_way_back(client, facilitator, ward):
    client.force_login(facilitator)
    response = client.post(reverse("measures:change-idea-new", args=[ward.pk]), {"title": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>You cannot do this</h1>" in page
    assert "You can view this ward&#x27;s data but not change it." in page
    assert "Sign out" in page and "Go to your wards" in page


def test_the_api_keeps_json_errors():
    response = Client().get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_500_is_the_styled_page_with_a_way_home(rf):
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        response = errors.server_error(rf.get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Sorry, there is a problem with the service" in page
    assert 'class="nhsuk-header"' in page and "Go to your wards" in page
