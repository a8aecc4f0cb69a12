"""Password change and reset, and the second factor (accounts/views.py, two_factor.py)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_every_user_changes_their_password(client, staff):
    client.force_login(staff)
    assert "Change" in client.get("/account/").content.decode()
    response = client.post("/accounts/password/", {
        "old_password": PASSWORD, "new_password1": "a-new-long-passphrase",
        "new_password2": "a-new-long-passphrase"})  # fmt: skip
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("a-new-long-passphrase")


def test_a_reset_link_by_email_sets_a_new_password(staff):
    staff.email = "staff@nhs.example"
    staff.save()
    client = Client()
    assert client.post("/accounts/reset/", {"email": "staff@nhs.example"}).status_code == 302
    (message,) = mail.outbox
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", message.body)[1]
    page = client.get(link, follow=True)
    assert "Choose a new password" in page.content.decode()
    response = client.post(page.redirect_chain[-1][0], {
        "new_password1": "another-long-passphrase", "new_password2": "another-long-passphrase"})
    assert response.status_code == 302  # fmt: skip
    staff.refresh_from_db()
    assert staff.check_password("another-long-passphrase")
    assert client.post("/accounts/login/", {"username": "staff",
                       "password": "another-long-passphrase"}).status_code == 302  # fmt: skip


def test_an_unknown_email_sends_nothing_and_says_the_same(client):
    response = client.post("/accounts/reset/", {"email": "nobody@nhs.example"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert mail.outbox == []


def test_anyone_may_turn_on_an_authenticator_app(client, staff):
    client.force_login(staff)
    assert client.get("/").status_code == 200  # optional: nothing asked for
    page = client.get("/accounts/two-factor/").content.decode()
    assert "<svg" in page and "mhsip-key" in page
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert "6-digit" in client.post("/accounts/two-factor/", {"code": "12"}).content.decode()
    response = client.post("/accounts/two-factor/", {"code": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    # The next sign-in asks for a code before any page.
    fresh = Client()
    response = fresh.post("/accounts/login/", {"username": "staff", "password": PASSWORD})
    assert fresh.get("/")["Location"].startswith("/accounts/verify/")
    assert fresh.get("/accounts/two-factor/")["Location"].startswith("/accounts/verify/")
    response = fresh.post("/accounts/verify/", {"code": "12345"})
    assert "6-digit code" in response.content.decode()
    device.refresh_from_db()
    device.last_t = -1  # the code above was used: allow it again for this test
    device.throttling_failure_count = 0
    device.save()
    assert fresh.post("/accounts/verify/", {"code": code(device)}).status_code == 302
    assert fresh.get("/").status_code == 200


def test_staff_must_set_up_a_second_factor_and_the_admin_refuses_them_until_then(client):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    assert client.get("/")["Location"].startswith("/accounts/two-factor/")
    assert client.get("/admin/")["Location"].startswith("/accounts/two-factor/")
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=root)
    client.post("/accounts/two-factor/", {"code": code(device)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_site_itself_refuses_an_unverified_session(rf):
    from django.contrib import admin  # noqa: PLC0415 (the site object, as the URLconf set it)

    request = rf.get("/admin/")
    request.user = UserFactory(username="root", is_staff=True, is_superuser=True)
    request.user.is_verified = lambda: False
    assert not admin.site.has_permission(request)
