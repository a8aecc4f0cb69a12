"""The permission matrix: every URL pattern and API route × every persona × in- and
out-of-scope objects, for reads and writes. Documented in docs/permissions.md.

Routes are discovered from the URL resolver, so a new route without a rule in RULES
(matrix_rules.py) fails `test_every_route_has_a_rule` and its own matrix case. The expected
levels per persona are written out by hand in matrix_urls.py (not computed with
wards/access.py), so the test checks the access rules rather than repeating them; the objects
and the expected answers are in matrix_world.py.

On top of the status codes, every 200 response is searched for the names of objects the
persona may not see (a list or page that leaks another trust's ward fails).
"""

import itertools

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from measures.models import (
    ChangeIdea,
    WeeklyReturn,
)  # fmt: skip
from mhsip.api_views import ListView
from tests.factories import (
    UserFactory,
)
from tests.security.matrix_rules import ROUTES, RULES, discover, rule_for
from tests.security.matrix_urls import MANAGE, NONE, PERSONAS, WARDS, WRITE
from tests.security.matrix_world import (
    OK,
    SIGN_IN,
    World,
    check,
    expected,
    level,
    methods_for,
    send,
)
from tokens.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def test_every_route_has_a_rule():
    missing = [key for key, route in ROUTES.items() if rule_for(key, route) is None]
    assert not missing, f"Routes with no rule in RULES: {missing}"
    stale = sorted(set(RULES) - set(ROUTES))
    assert not stale, f"Rules for routes that no longer exist: {stale}"


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_permission_matrix(request, key):
    rule = rule_for(key, ROUTES[key])
    assert rule is not None, f"{key} ({ROUTES[key]}) has no rule: add one to RULES"
    world = World(request)
    world.rows()  # a return and a change idea in every ward: every list has rows to leak
    clients = {"anonymous": Client()}
    for persona, user in world.users.items():
        clients[persona] = Client()
        clients[persona].force_login(user)
    problems = []
    for persona, target, method in itertools.product(PERSONAS, rule.targets, methods_for(rule)):
        client = clients[persona]
        if key == "logout":  # signing out must not sign out the next request
            client = Client()
            if persona != "anonymous":
                client.force_login(world.users[persona])
        path, body = rule.url(world, persona, target)
        want = expected(rule, persona, target, method)
        response = send(client, method, path, body, rule.api)
        problem = check(response, rule, persona, method, want, world.secrets(persona))
        if problem:
            problems.append(f"{persona:<12} {target:<15} {method:<6} {path}: {problem}")
    assert not problems, f"{key}:\n" + "\n".join(problems)


def test_a_superuser_gets_into_the_admin_site(client):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    device = TOTPDevice.objects.create(user=root, name="app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # as django_otp.login after a code
    session.save()
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/wards/ward/").status_code == 200


def test_a_read_only_token_cannot_write(ward, staff):

    _, key = api_token_create(user=staff, name="read only", read_only=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/wards/").status_code == 200
    response = client.post("/api/v1/returns/", {"ward": ward.pk}, format="json")
    assert response.status_code == 403


def test_a_bad_or_revoked_token_is_401(staff):


    token, key = api_token_create(user=staff, name="soon revoked")
    api_token_revoke(token=token)
    for header in (f"Bearer {key}", "Bearer mhsip_nonsense", "Token"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        assert client.get("/api/v1/wards/").status_code == 401, header


# --- the documented matrix -----------------------------------------------------------------


def markdown_table() -> str:
    """The matrix as docs/permissions.md shows it (admin-site routes summarised there)."""

    def cell(rule, persona, target, method):
        want = expected(rule, persona, target, method)
        return {OK: "ok", SIGN_IN: "401" if rule.api else "login"}.get(want, str(want))

    lines = [
        "| route | object | methods | " + " | ".join(PERSONAS) + " |",
        "|---|---|---|" + "---|" * len(PERSONAS),
    ]
    for key, route in sorted(ROUTES.items(), key=lambda item: item[1]):
        if route.startswith("admin/"):
            continue
        rule = rule_for(key, route)
        if rule is None:  # test_every_route_has_a_rule names it; the table waits for its rule
            continue
        methods = methods_for(rule)
        for target in rule.targets:
            cells = [" / ".join(cell(rule, p, target, m) for m in methods) for p in PERSONAS]
            lines.append(f"| `/{route}` | {target} | {' / '.join(methods)} | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def test_docs_show_this_matrix():

    docs = (settings.BASE_DIR / "docs" / "permissions.md").read_text()
    assert markdown_table() in docs, (
        "docs/permissions.md is out of date: regenerate the table with "
        "`python -m tests.security.matrix_doc`"
    )


# --- rows: every list holds exactly the rows in scope, by id ---------------------------------

# Each list route and the kind of row it lists; None: the catalogue, the same for everyone.
LISTS = {
    "api:regions": "regions", "api:trusts": "trusts", "api:wards": "wards",
    "api:returns": "returns", "api:change-ideas": "change-ideas",
    "api:measures": None, "api:programmes": None,
}  # fmt: skip


def _is_list_view(pattern) -> bool:
    view_class = getattr(pattern.callback, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, ListView)


def test_every_list_route_is_checked_by_rows():
    lists = {key for key, _, pattern in discover() if _is_list_view(pattern)}
    assert lists == set(LISTS), f"list routes without a rows check: {lists - set(LISTS)}"


@pytest.mark.parametrize("persona", PERSONAS[1:])
def test_each_list_holds_exactly_the_rows_in_scope(request, persona):
    world = World(request)
    ids = world.rows()
    client = Client()
    client.force_login(world.users[persona])
    for key, kind in LISTS.items():
        if kind is None:
            continue
        response = client.get(reverse(key) + "?page_size=1000")
        assert response.status_code == 200, key
        listed = {row["id"] for row in response.json()["results"]}
        mine = {i for (k, target), i in ids.items() if k == kind and level(persona, target)}
        hidden = {i for (k, target), i in ids.items() if k == kind and not level(persona, target)}
        assert not listed & hidden, f"{key} shows {persona} rows out of scope: {listed & hidden}"
        assert mine <= listed, f"{key} misses {persona}'s rows: {mine - listed}"


# --- bodies naming wards out of scope: refused, nothing written ---------------------------

BODY_PERSONAS = ("staff", "qi_lead", "facilitator", "outsider", "two_trusts")


def _hidden_wards(world, persona, need):
    """The wards `persona` may not write into by this route (level below `need`)."""
    return [world.obj(t) for t in WARDS if level(persona, t) < need]


def _writes(ward) -> int:
    return WeeklyReturn.objects.filter(ward=ward).count() + ChangeIdea.objects.filter(
        ward=ward).count()  # fmt: skip


@pytest.mark.parametrize("persona", BODY_PERSONAS)
def test_bulk_items_naming_wards_out_of_scope_write_nothing(request, persona):
    world = World(request)
    client = APIClient()
    client.force_login(world.users[persona])
    for ward in _hidden_wards(world, persona, MANAGE):
        before = _writes(ward)
        item = {"ward": ward.pk, "week_start": world.last_week.isoformat(),
                "occupied_bed_days": 10, "counts": {"physical_restraint": 1}}  # fmt: skip
        response = client.post("/api/v1/returns/bulk/", {"items": [item]}, format="json")
        assert response.status_code in (400, 403, 404), (persona, ward.name, response.json())
        assert ward.name not in response.content.decode()
        assert _writes(ward) == before, (persona, ward.name)


@pytest.mark.parametrize("persona", BODY_PERSONAS)
def test_single_writes_naming_wards_out_of_scope_write_nothing(request, persona):
    world = World(request)
    client = APIClient()
    client.force_login(world.users[persona])
    for ward in _hidden_wards(world, persona, WRITE):
        before = _writes(ward)
        body = {"ward": ward.pk, "week_start": world.last_week.isoformat(),
                "occupied_bed_days": 10, "title": "Calm boxes",
                "started_on": world.last_week.isoformat()}  # fmt: skip
        for path in ("/api/v1/returns/", "/api/v1/change-ideas/"):
            response = client.post(path, body, format="json")
            want = 404 if level(persona, world_target(world, ward)) == NONE else 403
            assert response.status_code == want, (persona, path, ward.name)
        assert _writes(ward) == before


def world_target(world, ward) -> str:
    return next(t for t in WARDS if world.obj(t) == ward)


@pytest.mark.parametrize("persona", ("qi_lead", "two_trusts"))
def test_a_file_naming_wards_out_of_scope_imports_nothing(request, persona):
    world = World(request)
    client = Client()
    client.force_login(world.users[persona])
    outside = world.outside_ward
    content = (
        "trust_ods,ward_name,week_start,occupied_bed_days,physical_restraint\n"
        f"{world.ward.trust.ods_code},{world.ward.name},{world.last_week},100,1\n"
        f"{outside.trust.ods_code},{outside.name},{world.last_week},100,1\n"
    ).encode()
    upload = SimpleUploadedFile("returns.csv", content)
    response = client.post(reverse("measures:import"), {"file": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert "not a trust you can import returns for" in preview
    client.post(response["Location"], {"commit": ""})
    assert not WeeklyReturn.objects.filter(ward=outside).exists()
    assert not WeeklyReturn.objects.filter(ward=world.ward, week_start=world.last_week).exists()
