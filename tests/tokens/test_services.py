"""API tokens: hashed, shown once, named, last use recorded, revocable, read-only option."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tokens.models import ApiToken, key_digest
from tokens.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def client_with(key, scheme="Bearer"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {key}")
    return client


def test_it_stores_only_a_digest_of_the_key(staff):
    token, key = api_token_create(user=staff, name="Datix")
    assert key.startswith("mhsip_") and len(key) > 40
    assert token.key_hash == key_digest(key)
    stored = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert key not in {str(v) for v in stored.values()}
    assert token.history.count() == 1


@pytest.mark.parametrize("scheme", ["Bearer", "Token", "bearer"])
def test_it_authenticates_with_either_scheme(staff, ward, scheme):
    _, key = api_token_create(user=staff, name="Power BI")
    response = client_with(key, scheme).get("/api/v1/wards/")
    assert response.status_code == 200
    assert [w["id"] for w in response.json()["results"]] == [ward.pk]


def test_it_refuses_revoked_and_unknown_tokens(staff):
    token, key = api_token_create(user=staff, name="Old")
    api_token_revoke(token=token)
    assert client_with(key).get("/api/v1/wards/").status_code == 401
    response = client_with("mhsip_nonsense").get("/api/v1/wards/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert token.history.count() == 2  # created, revoked


def test_it_refuses_tokens_of_inactive_users(staff):
    _, key = api_token_create(user=staff, name="R")
    staff.is_active = False
    staff.save()
    assert client_with(key).get("/api/v1/wards/").status_code == 401


def test_it_records_last_use_at_most_once_a_minute(staff, django_assert_max_num_queries):
    token, key = api_token_create(user=staff, name="R")
    client = client_with(key)
    client.get("/api/v1/measures/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get("/api/v1/measures/")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    client.get("/api/v1/measures/")
    token.refresh_from_db()
    assert token.last_used_at > first - datetime.timedelta(seconds=1)
    assert token.history.count() == 1  # use is not an audited change


def test_a_read_only_token_reads_but_never_writes(api, qi_lead, ward):
    client = api(qi_lead, read_only=True)
    assert client.get("/api/v1/returns/").status_code == 200
    response = client.post("/api/v1/returns/", {"ward": ward.pk}, format="json")
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_a_token_carries_its_users_permissions_and_no_more(api, facilitator, ward):
    response = api(facilitator).post(
        "/api/v1/returns/",
        {"ward": ward.pk, "week_start": "2024-01-01", "occupied_bed_days": 100},
        format="json",
    )
    assert response.status_code == 403


def test_the_profile_page_creates_shows_once_and_revokes(client, staff):
    client.force_login(staff)
    url = reverse("tokens:list")
    response = client.post(url, {"name": "Datix push", "read_only": "on"}, follow=True)
    assert response.status_code == 200
    key = response.context["new_key"]["key"]
    assert key in response.content.decode()
    token = ApiToken.objects.get(user=staff)
    assert token.read_only and token.name == "Datix push"
    again = client.get(url).content.decode()
    assert key not in again and "Datix push" in again and "Never" in again

    client_with(key).get("/api/v1/measures/")
    assert timezone.now().strftime("%Y") in client.get(url).content.decode()

    response = client.post(reverse("tokens:revoke", args=[token.pk]), follow=True)
    assert "revoked" in response.content.decode()
    assert client_with(key).get("/api/v1/measures/").status_code == 401


def test_the_profile_page_refuses_duplicate_names_and_nhs_numbers(client, staff):
    client.force_login(staff)
    url = reverse("tokens:list")
    client.post(url, {"name": "Datix"})
    assert client.post(url, {"name": "Datix"}).status_code == 400
    assert client.post(url, {"name": "943 476 5919"}).status_code == 400
    assert ApiToken.objects.filter(user=staff).count() == 1


def test_nobody_can_revoke_another_users_token(client, staff, qi_lead):
    token, _ = api_token_create(user=qi_lead, name="Theirs")
    client.force_login(staff)
    assert client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_throttles_a_token_but_not_a_session(api, staff, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/min", "token_bulk": "1/min"},
    }
    client = api(staff)
    statuses = [client.get("/api/v1/measures/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/measures/")
    assert response.json()["code"] == "throttled" and int(response["Retry-After"]) > 0
    other = APIClient()
    other.force_login(staff)
    assert all(other.get("/api/v1/measures/").status_code == 200 for _ in range(5))
