"""Personas and test configuration: fast hashing, eager Celery (except `services` tests)."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache

from mhsip.celery import app
from tests.api_clients import token_client
from tests.factories import MembershipFactory, RegionFactory, TrustFactory, UserFactory, WardFactory
from tests.processes import RedisProcess, ServicesStack, WorkerProcess, point_app_at
from wards.models import Membership

Role = Membership.Role

SERVICES_READY = bool(os.environ.get("REDIS_URL")) and os.environ.get(
    "DATABASE_URL", ""
).startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config, items):
    if SERVICES_READY:
        return
    skip = pytest.mark.skip(reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL: see .ci/run")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_and_eager(request, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if "services" in request.keywords:
        yield
        return

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    # API throttle counters live in the (local-memory) default cache; ids repeat between tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    """api(user) -> an APIClient authenticated with a fresh token of that user."""
    return token_client


@pytest.fixture
def region():
    return RegionFactory(name="North PSC", code="north")


@pytest.fixture
def trust(region):
    return TrustFactory(name="Moorside NHS Foundation Trust", ods_code="RX4", region=region)


@pytest.fixture
def ward(trust):
    return WardFactory(trust=trust, name="Oak Ward", beds=20)


@pytest.fixture
def other_ward(trust):
    """In the same trust as `ward`, but not one the ward staff persona works on."""
    return WardFactory(trust=trust, name="Elm Ward", beds=12)


@pytest.fixture
def outside_ward(region):
    """A ward of another trust in another region: out of scope for every persona but admin."""
    other_trust = TrustFactory(
        name="Faraway NHS Trust", ods_code="RY9", region=RegionFactory(name="South PSC")
    )
    return WardFactory(trust=other_trust, name="Far Ward")


@pytest.fixture
def staff(ward):
    user = UserFactory(username="staff")
    MembershipFactory(user=user, role=Role.WARD_STAFF, ward=ward)
    return user


@pytest.fixture
def qi_lead(trust):
    user = UserFactory(username="qilead")
    MembershipFactory(user=user, role=Role.QI_LEAD, trust=trust)
    return user


@pytest.fixture
def facilitator(region):
    """Reads everything in the region; changes nothing (the read-only persona)."""
    user = UserFactory(username="facilitator")
    MembershipFactory(user=user, role=Role.FACILITATOR, region=region)
    return user


@pytest.fixture
def admin_user():
    user = UserFactory(username="adminrole")
    MembershipFactory(user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def outsider(outside_ward):
    """Ward staff of another trust."""
    user = UserFactory(username="outsider")
    MembershipFactory(user=user, role=Role.WARD_STAFF, ward=outside_ward)
    return user


@pytest.fixture
def two_trusts(trust, outside_ward):
    """QI lead of `trust` and ward staff of `outside_ward` (another trust and region): each
    membership grants only its own scope, never the other's rights in the other's place."""
    user = UserFactory(username="twotrusts")
    MembershipFactory(user=user, role=Role.QI_LEAD, trust=trust)
    MembershipFactory(user=user, role=Role.WARD_STAFF, ward=outside_ward)
    return user


@pytest.fixture(scope="session")
def services_stack(django_db_setup, django_db_blocker):
    """A Redis server and a real Celery worker of our own, the worker pointed at pytest's test
    database. Owning them lets fault tests stop Redis or kill the worker mid-task."""


    redis = RedisProcess()
    redis.start()
    db = settings.DATABASES["default"]
    url = "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
        **{key: db.get(key) or "" for key in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
    )
    worker = WorkerProcess(database_url=url, redis_url=redis.url)
    point_app_at(app, redis.url, worker.queue)
    try:
        worker.start()
        yield ServicesStack(redis=redis, worker=worker)
    finally:
        worker.stop()
        redis.stop()


def verified_login(client, user):
    """Sign the user in as having passed the second factor (django-otp), as the admin site
    requires of staff: a confirmed TOTP device named in the session."""
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415 (test helper)

    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
