"""Sign-in limits (accounts/limits.py) beyond django-axes' lock of one username + address."""

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def sign_in(username, password="wrong-password", address="10.0.0.1", **headers):
    client = Client(REMOTE_ADDR=address, **headers)
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_one_password_across_many_usernames_is_limited_per_address(settings):
    settings.SIGNIN_FAILURES_PER_ADDRESS = 5
    UserFactory(username="real", password="correct-horse-battery")
    for n in range(5):
        assert sign_in(f"user{n}").status_code == 200
    response = sign_in("user99")
    assert response.status_code == 429
    assert "Too many failed sign-ins from your network" in response.content.decode()
    # Even the right password: the address is held until the window passes.
    assert sign_in("real", "correct-horse-battery").status_code == 429
    assert sign_in("real", "correct-horse-battery", address="10.0.0.2").status_code == 302


def test_a_username_tried_from_many_addresses_is_slowed_never_locked(settings):
    settings.SIGNIN_FAILURES_PER_USERNAME = 3
    settings.SIGNIN_FAILURES_PER_ADDRESS = 1000
    UserFactory(username="victim", password="correct-horse-battery")
    for n in range(3):
        assert sign_in("victim", address=f"192.0.2.{n}").status_code == 200
    # Slowed: one attempt per SIGNIN_SLOW_SECONDS from anywhere, the next one refused.
    assert sign_in("victim", address="192.0.2.50").status_code == 200
    assert sign_in("victim", address="192.0.2.51").status_code == 429


def test_a_slowed_username_gets_in_once_the_slot_is_free(settings):
    settings.SIGNIN_FAILURES_PER_USERNAME = 2
    settings.SIGNIN_FAILURES_PER_ADDRESS = 1000
    settings.SIGNIN_SLOW_SECONDS = 1
    UserFactory(username="victim", password="correct-horse-battery")
    for n in range(2):
        sign_in("victim", address=f"192.0.2.{n}")
    response = sign_in("victim", "correct-horse-battery", address="198.51.100.7")
    assert response.status_code == 302  # the slot was free: the real user is in
    # …and a success clears the username's count.
    assert sign_in("victim", address="192.0.2.9").status_code == 200
    assert sign_in("victim", address="192.0.2.10").status_code == 200


def test_a_forwarded_for_header_is_ignored_without_a_trusted_proxy(settings):
    settings.SIGNIN_FAILURES_PER_ADDRESS = 3
    for n in range(3):
        sign_in(f"user{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = sign_in("another", HTTP_X_FORWARDED_FOR="203.0.113.200")
    assert response.status_code == 429  # all from REMOTE_ADDR 10.0.0.1, whatever the header
