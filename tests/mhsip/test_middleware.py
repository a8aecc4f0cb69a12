"""mhsip/middleware.py: no-store on signed-in and API answers; JSON errors under /api/."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.api_clients import make_return

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_every_signed_in_page_and_export_is_no_store(client, qi_lead, ward):
    make_return(ward)
    client.force_login(qi_lead)
    for path in ["/", reverse("measures:ward-returns", args=[ward.pk]),
                 reverse("measures:ward-export", args=[ward.pk, "csv"]),
                 reverse("measures:trust-export", args=[ward.trust_id, "xlsx"]),
                 "/api/v1/returns/", "/no/such/page/"]:  # fmt: skip
        response = client.get(path)
        assert no_store(response), (path, response.status_code, response.get("Cache-Control"))


def test_api_answers_by_token_are_no_store(api, staff, ward):
    client = api(staff)
    assert no_store(client.get("/api/v1/wards/"))
    assert no_store(client.get(f"/api/v1/wards/{ward.pk}/"))
    assert no_store(Client().get("/api/v1/wards/"))  # a 401 too


def test_an_unknown_api_path_is_a_json_404(api, staff):
    response = api(staff).get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["status"], body["code"], body["errors"]) == (404, "not_found", {})


def test_a_server_error_under_api_is_json(api, staff, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("wards.api.wards_visible_to", broken)
    client = api(staff)
    client.raise_request_exception = False
    response = client.get("/api/v1/wards/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "boom" not in response.content.decode()


def test_a_csrf_failure_under_api_is_json(staff, ward):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post("/api/v1/change-ideas/", {"ward": ward.pk},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 403
    assert response.json()["code"]  # DRF's or ours: JSON either way


def test_pages_outside_the_api_keep_their_html_errors(client, staff):
    client.force_login(staff)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")
