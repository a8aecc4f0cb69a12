"""Sign-in (Django's auth views, routed in mhsip/urls.py) and its lock-out (django-axes)."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_serves_the_sign_in_page(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_it_signs_in_with_the_right_password(client, staff):
    response = client.post(
        reverse("login"), {"username": "staff", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("start")  # then the page of their job


def test_it_locks_sign_in_after_repeated_failures(client, staff):
    for _ in range(5):
        client.post(reverse("login"), {"username": "staff", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "staff", "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content


def test_it_enforces_csrf_on_sign_in(staff):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("login"), {"username": "staff", "password": "correct-horse-battery"}
    )
    assert response.status_code == 403
