import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_users_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_serves_the_sign_in_page(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_it_lists_only_the_wards_a_user_may_see(client, staff, ward, other_ward, outside_ward):
    client.force_login(staff)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Oak Ward" in content
    assert "Elm Ward" not in content
    assert "Far Ward" not in content
    assert "Ward staff" in content


def test_it_signs_in_with_the_right_password(client, staff):
    response = client.post(
        reverse("login"), {"username": "staff", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_it_locks_sign_in_after_repeated_failures(client, staff):
    for _ in range(5):
        client.post(reverse("login"), {"username": "staff", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "staff", "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content


def test_it_enforces_csrf_on_sign_in(staff):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("login"), {"username": "staff", "password": "correct-horse-battery"}
    )
    assert response.status_code == 403


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
