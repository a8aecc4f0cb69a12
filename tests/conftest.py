"""Personas and test configuration: fast hashing, eager Celery (except `services` tests)."""

import os

import pytest

from tests.factories import MembershipFactory, RegionFactory, TrustFactory, UserFactory, WardFactory
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
    from mhsip.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


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


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real Celery worker process, pointed at pytest's test database (not the real one).

    Yields the queue name it consumes, so tests route their tasks to it and no other worker."""
    import subprocess
    import sys
    import time
    import uuid

    from django.conf import settings

    db = settings.DATABASES["default"]
    url = "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
        **{key: db.get(key) or "" for key in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
    )
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = os.environ | {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "mhsip.settings"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mhsip", "worker", "--pool=solo", "-Q", queue,
         "--without-mingle", "--without-gossip", "--loglevel=WARNING"],
        env=env,
    )  # fmt: skip
    from mhsip.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=0.5) or []
        if replies:
            break
        if process.poll() is not None:
            pytest.fail(f"the Celery worker exited with code {process.returncode}")
    else:
        process.kill()
        pytest.fail("the Celery worker did not answer a ping within 60 s")
    yield queue
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
