"""Sign-in limits on top of django-axes, which locks one username from one address.

That lock alone leaves two holes: one password tried across many usernames from one address
is never locked (each pair fails once), and a lock per username alone would let anyone lock
a named user out for good. So, counted in the default cache over SIGNIN_WINDOW_SECONDS:

- per address, across usernames: after SIGNIN_FAILURES_PER_ADDRESS failures the address may
  not sign in until the window passes;
- per username, across addresses: after SIGNIN_FAILURES_PER_USERNAME failures that username
  gets one attempt per SIGNIN_SLOW_SECONDS from anywhere: slowed, never locked, so the
  real user still gets in between an attacker's tries.

The address is the client's as django-axes computes it: REMOTE_ADDR unless
AXES_IPWARE_PROXY_COUNT names trusted proxies (TRUSTED_PROXY_COUNT), so a forwarded-for
header from outside cannot pick an address."""

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache

ADDRESS_MESSAGE = (
    "Too many failed sign-ins from your network. Wait 15 minutes and try again, or ask your "
    "trust's QI lead to reset your password."
)
USERNAME_MESSAGE = (
    "Too many failed sign-ins for this username. Wait a minute and try again; if you have "
    "forgotten your password, reset it."
)


def client_address(request) -> str:
    return get_client_ip_address(request) or "unknown"


def _keys(username: str, address: str) -> tuple[str, str, str]:
    name = username.strip().casefold()[:150]
    return f"signin:address:{address}", f"signin:username:{name}", f"signin:slow:{name}"


def _failures(key: str) -> int:
    return cache.get(key, 0)


def sign_in_refusal(*, username: str, address: str) -> str:
    """'' when this attempt may go ahead, else why not. An attempt on a slowed username takes
    that username's slot for SIGNIN_SLOW_SECONDS."""
    address_key, username_key, slow_key = _keys(username, address)
    if _failures(address_key) >= settings.SIGNIN_FAILURES_PER_ADDRESS:
        return ADDRESS_MESSAGE
    slowed = _failures(username_key) >= settings.SIGNIN_FAILURES_PER_USERNAME
    if slowed and not cache.add(slow_key, 1, timeout=settings.SIGNIN_SLOW_SECONDS):
        return USERNAME_MESSAGE
    return ""


def sign_in_failed(*, username: str, address: str) -> None:
    for key in _keys(username, address)[:2]:
        if not cache.add(key, 1, timeout=settings.SIGNIN_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=settings.SIGNIN_WINDOW_SECONDS)


def sign_in_succeeded(*, username: str, address: str) -> None:
    """The real user is in: their username is no longer slowed. The address count stays (one
    working account must not reset a spray from that address)."""
    _, username_key, slow_key = _keys(username, address)
    cache.delete_many([username_key, slow_key])
