"""A database outage answers a clean 503 with Retry-After, from whichever layer hit it."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db

DOWN = OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def client_down(staff):
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    return client


def test_a_page_is_a_clean_503_when_the_database_is_down(client_down, ward):
    with mock.patch("spc.views.get_ward_for_user", side_effect=DOWN):
        response = client_down.get(f"/wards/{ward.pk}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    text = response.content.decode()
    assert "briefly unavailable" in text and "Nothing you sent" in text
    assert "Traceback" not in text and "OperationalError" not in text


def test_a_failure_in_the_session_layer_is_a_503_too(client_down):
    # The session is loaded by middleware before any view runs.
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=DOWN):
        page = client_down.get("/")
        api = client_down.get("/api/v1/wards/")
    assert page.status_code == 503
    assert api.status_code == 503
    assert api.json()["code"] == "service_unavailable"


def test_other_errors_stay_a_plain_500(client_down, ward):
    with mock.patch("spc.views.get_ward_for_user", side_effect=RuntimeError("bug")):
        response = client_down.get(f"/wards/{ward.pk}/")
    assert response.status_code == 500
    assert b"Traceback" not in response.content
