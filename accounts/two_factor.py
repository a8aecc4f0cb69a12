"""The optional second factor: a TOTP app (django-otp), required for staff and superusers.

A user with a confirmed device signs in with their password, then a code (verify step); a
staff user without one is sent to set it up before anything else. The admin site is django-
otp's OTPAdminSite (mhsip/urls.py), which refuses a session that was not verified."""

import segno
from django.urls import reverse
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

SETUP_NAME = "Authenticator app"


def requires_second_factor(user) -> bool:
    """Staff and superusers (the admin site) must use one; others may."""
    return user.is_staff or user.is_superuser


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being set up (one per user), made on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=SETUP_NAME, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an inline SVG QR code (segno: no network, no image
    file), for the authenticator app to scan."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#212b32")


def manual_key(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app instead of scanning."""
    secret = device.config_url.split("secret=")[1].split("&")[0]
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def next_step(user) -> str | None:
    """Where a signed-in, unverified user must go first, or None to carry on."""
    if user.is_verified():
        return None
    if user_has_device(user, confirmed=True):
        return reverse("accounts:verify")
    if requires_second_factor(user):
        return reverse("accounts:two-factor")
    return None
