"""The permission matrix: every URL pattern and API route × every persona × in- and
out-of-scope objects, for reads and writes. Documented in docs/permissions.md.

Routes are discovered from the URL resolver, so a new route without a rule in RULES fails
`test_every_route_has_a_rule` and its own matrix case. The expected levels per persona are
written out by hand below (not computed with wards/access.py), so the test checks the access
rules rather than repeating them.

On top of the status codes, every 200 response is searched for the names of objects the
persona may not see (a list or page that leaks another trust's ward fails).
"""

import dataclasses
import datetime
import itertools
import json
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from measures.deletion import weekly_return_delete
from measures.import_rows import ParsedFile
from measures.local_measures import local_measure_create
from measures.models import (
    ChangeIdea,
    Enrolment,
    Measure,
    Programme,
    ReturnImport,
    WeeklyReturn,
)  # fmt: skip
from mhsip.api_views import ListView
from mhsip.weeks import monday_of
from reports.mail import unsubscribe_token
from reports.models import BoardPack, Kind
from spc import recompute
from spc.models import ChartSetting, PhaseBreak
from tests.factories import (
    PdsaCycleFactory,
    UserFactory,
    WeeklyCountFactory,
    WeeklyReturnFactory,
)
from tokens.services import api_token_create, api_token_revoke

EMPTY_UPLOAD = ParsedFile(columns=[], measure_codes=[], rows=[], errors=[]).to_json()

pytestmark = pytest.mark.django_db

# --- what each persona may do with each object --------------------------------------------

NONE, READ, WRITE, MANAGE = 0, 1, 2, 3
PUBLIC, LOGIN = "public", "login"  # a route that needs no object (and maybe no sign-in)
PERSONAS = ("anonymous", "staff", "qi_lead", "facilitator", "admin_user", "outsider",
            "two_trusts")  # fmt: skip

# Ward staff of `ward`; QI lead of its trust; facilitator of its region; admin membership;
# outsider: ward staff of `outside_ward` (another trust, another region); two_trusts: QI lead
# of `ward`'s trust and ward staff of `outside_ward` (each membership only where it applies).
LEVELS = {
    #                  staff   qi_lead facilitator admin  outsider two_trusts
    "ward":           (WRITE,  MANAGE, READ,       MANAGE, NONE,   MANAGE),
    "other_ward":     (NONE,   MANAGE, READ,       MANAGE, NONE,   MANAGE),
    "outside_ward":   (NONE,   NONE,   NONE,       MANAGE, WRITE,  WRITE),
    "trust":          (NONE,   MANAGE, READ,       MANAGE, NONE,   MANAGE),
    "outside_trust":  (NONE,   NONE,   NONE,       MANAGE, NONE,   NONE),
    "region":         (NONE,   NONE,   READ,       MANAGE, NONE,   NONE),
    "outside_region": (NONE,   NONE,   NONE,       MANAGE, NONE,   NONE),
    "national":       (READ,   READ,   READ,       READ,   READ,   READ),
    # Private objects: the persona's own import upload or API token, and someone else's.
    "own":            (WRITE,  MANAGE, READ,       MANAGE, WRITE,  MANAGE),
    # The persona's own board pack of `trust` (as `trust`: it must still see the trust).
    "own_pack":       (NONE,   MANAGE, READ,       MANAGE, NONE,   MANAGE),
    "others":         (NONE,   NONE,   NONE,       NONE,   NONE,   NONE),
    # No object: what the persona may do anywhere (QI leads and admins import).
    "-":              (WRITE,  MANAGE, READ,       MANAGE, WRITE,  MANAGE),
}  # fmt: skip

WARDS = ("ward", "other_ward", "outside_ward")
TRUSTS = ("trust", "outside_trust")
REGIONS = ("region", "outside_region")

# Names of objects each persona must never see in a 200 response.
SECRETS = {
    "staff": ("Elm Ward", "Far Ward", "Faraway NHS Trust", "South PSC"),
    "qi_lead": ("Far Ward", "Faraway NHS Trust", "South PSC"),
    "facilitator": ("Far Ward", "Faraway NHS Trust", "South PSC"),
    "admin_user": (),
    "outsider": ("Oak Ward", "Elm Ward", "Moorside NHS Foundation Trust", "North PSC"),
    "anonymous": ("Oak Ward", "Elm Ward", "Far Ward", "Moorside NHS Foundation Trust"),
    "two_trusts": (),  # sees a ward of each trust: the rows checks below (by id) cover it
}


@dataclasses.dataclass(frozen=True)
class Rule:
    """url(world, persona, target) -> (path, body); `get` / `write` are the levels needed
    (None: the method is refused with 405); `gate` is a level needed anywhere, checked before
    the object (403 even for an out-of-scope object)."""

    url: object
    targets: tuple = ("-",)
    get: object = LOGIN
    write: object = None
    writes: tuple = ("POST",)
    gate: int | None = None
    api: bool = False
    # Pages that do not restrict methods answer a POST as a GET (they change nothing).
    post_as_get: bool = False
    get_ok: tuple = (200,)
    login_url: str = "/accounts/login/"
    # Django's admin site: everyone but `is_staff` users is sent to its sign-in page.
    staff_only: bool = False
    # A trust's own pages its ward staff know exist (local measures): 403 for them, not 404.
    members_403: bool = False


def fixed(path):
    return lambda world, persona, target: (path, {})


def named(name, **kwargs):
    return lambda world, persona, target: (reverse(name, kwargs=kwargs), {})


def ward_url(name, **extra):
    def build(world, persona, target):
        return reverse(name, kwargs={"ward_id": world.obj(target).pk, **extra}), {}

    return build


def scope_url(name, key):
    def build(world, persona, target):
        return reverse(name, kwargs={key: world.obj(target).pk}), {}

    return build


def week_entry(world, persona, target):
    week = world.last_week
    return reverse(
        "measures:weekly-entry", kwargs={"ward_id": world.obj(target).pk, "week_start": week}
    ), {}


def phase_break_delete(world, persona, target):
    phase_break = world.phase_break(world.obj(target))
    kwargs = {"ward_id": phase_break.setting.ward_id, "measure_code": "physical_restraint",
              "break_id": phase_break.pk}  # fmt: skip
    return reverse("spc:phase-break-delete", kwargs=kwargs), {}


def chart_csv(world, persona, target):
    world.charts()
    scope, scope_id = world.scope(target)
    kwargs = {"scope": scope, "scope_id": scope_id, "measure_code": "physical_restraint"}
    return reverse("spc:chart-csv", kwargs=kwargs), {}


def local_measure_url(name):
    """A local measure of the target trust (made on first use)."""

    def build(world, persona, target):
        trust = world.obj(target)
        measure = world.local_measure(trust)
        return reverse(name, kwargs={"trust_id": trust.pk, "measure_code": measure.code}), {}

    return build


def upload_url(name):
    def build(world, persona, target):
        owner = world.owner(persona, target)
        upload = ReturnImport.objects.create(user=owner, filename="x.csv", parsed=EMPTY_UPLOAD)
        return reverse(name, kwargs={"upload_id": upload.pk}), {}

    return build


def token_revoke(world, persona, target):
    owner = world.owner(persona, target)
    token, _ = api_token_create(user=owner, name=f"matrix {next(world.numbers)}")
    return reverse("tokens:revoke", kwargs={"token_id": token.pk}), {}


def api_list(name):
    """A list filtered to the target's ward (GET), or a new object on it (POST)."""

    def build(world, persona, target):
        ward = world.obj(target)
        return reverse(f"api:{name}") + f"?ward={ward.pk}", {"ward": ward.pk}

    return build


def deleted_restore(world, persona, target):
    """A return of the target ward deleted (restorably) by an admin, to be restored."""
    ward = world.obj(target)
    weekly_return = WeeklyReturnFactory(
        ward=ward, week_start=world.last_week - datetime.timedelta(weeks=70 + next(world.numbers)),
        occupied_bed_days=ward.beds * 6,
    )  # fmt: skip
    admin = UserFactory(username=f"deleter{next(world.numbers)}", is_superuser=True)
    deleted = weekly_return_delete(weekly_return=weekly_return, user=admin,
                                   expected_version=weekly_return.version, reason="matrix")
    return reverse("deleted-return-restore", args=[deleted.pk]), {}


def api_return(world, persona, target):
    weekly_return = world.weekly_return(world.obj(target))
    return reverse("api:return", kwargs={"return_id": weekly_return.pk}), {}


def api_idea(world, persona, target):
    idea = world.idea(world.obj(target))
    return reverse("api:change-idea", kwargs={"idea_id": idea.pk}), {}


def idea_url(name, **extra):
    """A change idea's page (or one of its cycle's) on the target ward."""

    def build(world, persona, target):
        idea = world.idea(world.obj(target))
        return reverse(name, kwargs={"idea_id": idea.pk, **extra}), {}

    return build


def api_chart(world, persona, target):
    world.charts()
    scope, scope_id = world.scope(target)
    return f"/api/v1/charts/?scope={scope}&id={scope_id}&measure=physical_restraint", {}


def api_comparison(world, persona, target):
    scope, scope_id = world.scope(target)
    return f"/api/v1/comparison/?scope={scope}&id={scope_id}&measure=physical_restraint", {}


def api_scope(name, key):
    def build(world, persona, target):
        return reverse(f"api:{name}", kwargs={key: world.obj(target).pk}), {}

    return build


def pack_url(name, **extra):
    """A ready board pack of `trust`, the persona's own ("own_pack") or someone else's."""

    def build(world, persona, target):
        owner = world.users.get(persona, world.stranger) if target == "own_pack" else world.stranger
        pack = BoardPack.objects.create(trust=world.ward.trust, month=datetime.date(2024, 3, 1),
                                        requested_by=owner, status=BoardPack.Status.READY,
                                        pptx=b"pptx", pdf=b"%PDF")  # fmt: skip
        return reverse(name, kwargs={"pack_id": pack.pk, **extra}), {}

    return build


def unsubscribe_url(world, persona, target):
    token = unsubscribe_token(world.stranger.pk, Kind.DIGEST)
    return reverse("reports:unsubscribe", kwargs={"token": token}), {}


CHART_TARGETS = (*WARDS, *TRUSTS, *REGIONS, "national")
API = {"api": True}
MEASURE = {"measure_code": "physical_restraint"}

RULES = {
    # Sign-in, health and the home page
    "home": Rule(fixed("/"), post_as_get=True),
    "healthz": Rule(fixed("/healthz"), get=PUBLIC),
    # Where signing in lands (a redirect to the page of the user's job) and the trust switcher
    "start": Rule(fixed("/start/"), get_ok=(302,), post_as_get=True),
    "switch": Rule(fixed("/trusts/"), post_as_get=True),
    # Restoring a soft-deleted return: those who manage its trust (from the audit page)
    "deleted-return-restore": Rule(deleted_restore, WARDS, None, MANAGE),
    "login": Rule(fixed("/accounts/login/"), get=PUBLIC, write=PUBLIC),
    "logout": Rule(fixed("/accounts/logout/"), get=None, write=PUBLIC),
    # Your account: password, second factor (no persona has one: verify sends back), reset
    "account": Rule(fixed("/account/")),
    "accounts:verify": Rule(fixed("/accounts/verify/"), write=LOGIN, get_ok=(302,)),
    "accounts:two-factor": Rule(fixed("/accounts/two-factor/"), write=LOGIN),
    "accounts:password": Rule(fixed("/accounts/password/"), write=LOGIN),
    "accounts:password-done": Rule(fixed("/accounts/password/done/")),
    "accounts:reset": Rule(fixed("/accounts/reset/"), get=PUBLIC, write=PUBLIC),
    "accounts:reset-sent": Rule(fixed("/accounts/reset/sent/"), get=PUBLIC),
    "accounts:reset-confirm": Rule(fixed("/accounts/reset/MQ/set-password/"), get=PUBLIC,
                                   write=PUBLIC),  # fmt: skip
    "accounts:reset-done": Rule(fixed("/accounts/reset/done/"), get=PUBLIC),
    # Ward dashboards and chart settings (QI lead of the trust)
    "spc:ward-dashboard": Rule(ward_url("spc:ward-dashboard"), WARDS, READ, post_as_get=True),
    "spc:chart-settings": Rule(ward_url("spc:chart-settings", **MEASURE), WARDS, MANAGE, MANAGE),
    "spc:phase-break-add": Rule(ward_url("spc:phase-break-add", **MEASURE), WARDS, None, MANAGE),
    "spc:phase-break-delete": Rule(phase_break_delete, WARDS, None, MANAGE),
    "spc:trust-matrix": Rule(scope_url("spc:trust-matrix", "trust_id"), TRUSTS, READ,
                             post_as_get=True),  # fmt: skip
    "spc:trust-charts": Rule(scope_url("spc:trust-charts", "trust_id"), TRUSTS, READ,
                             post_as_get=True),  # fmt: skip
    "spc:region-compare": Rule(scope_url("spc:region-compare", "region_id"), REGIONS, READ,
                               post_as_get=True),  # fmt: skip
    "spc:chart-csv": Rule(chart_csv, CHART_TARGETS, READ, post_as_get=True),
    # A trust's members (its QI lead)
    "wards:trust-members": Rule(scope_url("wards:trust-members", "trust_id"), TRUSTS, MANAGE,
                                MANAGE),  # fmt: skip
    # Change ideas and their PDSA cycles: read with the ward, changed by those who enter returns
    "measures:ward-change-ideas": Rule(ward_url("measures:ward-change-ideas"), WARDS, READ),
    "measures:change-idea-new": Rule(ward_url("measures:change-idea-new"), WARDS, WRITE, WRITE),
    "measures:trust-change-ideas": Rule(scope_url("measures:trust-change-ideas", "trust_id"),
                                        TRUSTS, READ),  # fmt: skip
    "measures:change-idea": Rule(idea_url("measures:change-idea"), WARDS, READ),
    "measures:change-idea-edit": Rule(idea_url("measures:change-idea-edit"), WARDS, WRITE,
                                      WRITE),  # fmt: skip
    "measures:pdsa-cycle-new": Rule(idea_url("measures:pdsa-cycle-new"), WARDS, WRITE, WRITE),
    "measures:pdsa-cycle-edit": Rule(idea_url("measures:pdsa-cycle-edit", number=1), WARDS,
                                     WRITE, WRITE),  # fmt: skip
    "measures:pdsa-cycle-close": Rule(idea_url("measures:pdsa-cycle-close", number=1), WARDS,
                                      WRITE, WRITE),  # fmt: skip
    # The audit log (QI leads for their trust, admins for all); `?trust=` narrows it
    "audit": Rule(
        lambda w, p, t: (f"/audit/?trust={w.obj(t).pk}", {}), TRUSTS, MANAGE, gate=MANAGE
    ),
    # Weekly entry, exports, completeness
    "measures:ward-returns": Rule(ward_url("measures:ward-returns"), WARDS, READ),
    "measures:weekly-entry": Rule(week_entry, WARDS, READ, WRITE),
    "measures:ward-export": Rule(ward_url("measures:ward-export", file_format="csv"), WARDS, READ),
    "measures:trust-export": Rule(
        lambda w, p, t: (reverse("measures:trust-export", args=[w.obj(t).pk, "csv"]), {}),
        TRUSTS, READ,
    ),  # fmt: skip
    "measures:ward-incidents-export": Rule(
        ward_url("measures:ward-incidents-export", file_format="csv"), WARDS, READ
    ),
    "measures:trust-incidents-export": Rule(
        lambda w, p, t: (reverse("measures:trust-incidents-export", args=[w.obj(t).pk, "csv"]),
                         {}),
        TRUSTS, READ,
    ),  # fmt: skip
    "measures:trust-completeness": Rule(
        scope_url("measures:trust-completeness", "trust_id"), TRUSTS, READ
    ),
    "measures:region-completeness": Rule(
        scope_url("measures:region-completeness", "region_id"), REGIONS, READ
    ),
    # File import: QI leads and admins; an upload is private to its uploader
    # A trust's local measures: readers of the trust list them, its QI lead (and admins)
    # add, edit and retire them; its ward staff are refused (403), outsiders find nothing
    "measures:local-measures": Rule(scope_url("measures:local-measures", "trust_id"), TRUSTS,
                                    READ, post_as_get=True, members_403=True),  # fmt: skip
    "measures:local-measure-add": Rule(scope_url("measures:local-measure-add", "trust_id"),
                                       TRUSTS, MANAGE, write=MANAGE, members_403=True),  # fmt: skip
    "measures:local-measure-edit": Rule(
        local_measure_url("measures:local-measure-edit"), TRUSTS, MANAGE, write=MANAGE,
        members_403=True,
    ),
    "measures:local-measure-retire": Rule(
        local_measure_url("measures:local-measure-retire"), TRUSTS, get=None, write=MANAGE,
        members_403=True,
    ),
    "measures:import": Rule(fixed("/imports/"), get=LOGIN, write=LOGIN, gate=MANAGE),
    "measures:import-template": Rule(named("measures:import-template", file_format="csv")),
    "measures:import-preview": Rule(upload_url("measures:import-preview"), ("own", "others"),
                                    READ, READ, gate=MANAGE),  # fmt: skip
    "measures:import-cancel": Rule(upload_url("measures:import-cancel"), ("own", "others"),
                                   None, READ),  # fmt: skip
    # API tokens (profile): a token is private to its user
    "tokens:list": Rule(fixed("/profile/tokens/"), get=LOGIN, write=LOGIN),
    "tokens:revoke": Rule(token_revoke, ("own", "others"), None, READ),
    # REST API: organisations and catalogue
    "api:regions": Rule(fixed("/api/v1/regions/"), **API),
    "api:region": Rule(api_scope("region", "region_id"), REGIONS, READ, **API),
    "api:trusts": Rule(fixed("/api/v1/trusts/"), **API),
    "api:trust": Rule(api_scope("trust", "trust_id"), TRUSTS, READ, **API),
    "api:wards": Rule(fixed("/api/v1/wards/"), **API),
    "api:ward": Rule(api_scope("ward", "ward_id"), WARDS, READ, **API),
    "api:measures": Rule(fixed("/api/v1/measures/"), **API),
    "api:measure": Rule(fixed("/api/v1/measures/physical_restraint/"), **API),
    "api:programmes": Rule(fixed("/api/v1/programmes/"), **API),
    "api:programme": Rule(lambda w, p, t: (f"/api/v1/programmes/{w.programme.pk}/", {}), **API),
    # REST API: returns, change ideas, charts
    "api:returns": Rule(api_list("returns"), WARDS, LOGIN, WRITE, **API),
    "api:returns-bulk": Rule(fixed("/api/v1/returns/bulk/"), get=None, write=LOGIN, gate=MANAGE,
                             **API),  # fmt: skip
    # DELETE is the trust's QI lead's (a restorable soft delete with a reason): its own level,
    # tested in tests/measures/api/test_returns.py and tests/measures/test_deletion.py.
    "api:return": Rule(api_return, WARDS, READ, WRITE, ("PUT", "PATCH"), **API),
    "api:change-ideas": Rule(api_list("change-ideas"), WARDS, LOGIN, WRITE, **API),
    "api:change-idea": Rule(api_idea, WARDS, READ, WRITE, ("PATCH",), **API),
    "api:pdsa-cycles": Rule(idea_url("api:pdsa-cycles"), WARDS, READ, WRITE, **API),
    "api:pdsa-cycle": Rule(idea_url("api:pdsa-cycle", number=1), WARDS, READ, WRITE,
                           ("PATCH",), **API),  # fmt: skip
    "api:chart": Rule(api_chart, CHART_TARGETS, READ, **API),
    "api:comparison": Rule(api_comparison, (*TRUSTS, *REGIONS), READ, **API),
    # Equity breakdowns: read as the trust's pages; import by the trust's QI lead
    "equity:trust": Rule(scope_url("equity:trust", "trust_id"), TRUSTS, READ, post_as_get=True),
    "equity:csv": Rule(scope_url("equity:csv", "trust_id"), TRUSTS, READ, post_as_get=True),
    "equity:import": Rule(scope_url("equity:import", "trust_id"), TRUSTS, MANAGE, MANAGE),
    "equity:import-commit": Rule(scope_url("equity:import-commit", "trust_id"), TRUSTS, None,
                                 MANAGE),  # fmt: skip
    "equity:region": Rule(scope_url("equity:region", "region_id"), REGIONS, READ,
                          post_as_get=True),  # fmt: skip
    "api:trust-equity": Rule(api_scope("trust-equity", "trust_id"), TRUSTS, READ, **API),
    # Board packs: asked for by those who read the trust or region; a pack is its requester's
    "reports:trust-packs": Rule(scope_url("reports:trust-packs", "trust_id"), TRUSTS, READ, READ),
    "reports:region-packs": Rule(scope_url("reports:region-packs", "region_id"), REGIONS, READ,
                                 READ),  # fmt: skip
    "reports:pack": Rule(pack_url("reports:pack"), ("own_pack", "others"), READ,
                         post_as_get=True),  # fmt: skip
    "reports:pack-file": Rule(pack_url("reports:pack-file", fmt="pdf"), ("own_pack", "others"),
                              READ, post_as_get=True),  # fmt: skip
    # Reminder times and the emails sent: the trust's QI leads; unsubscribing needs only the link
    "reports:schedule": Rule(scope_url("reports:schedule", "trust_id"), TRUSTS, MANAGE, MANAGE),
    "reports:messages": Rule(scope_url("reports:messages", "trust_id"), TRUSTS, MANAGE,
                             post_as_get=True),  # fmt: skip
    "reports:unsubscribe": Rule(unsubscribe_url, get=PUBLIC, write=PUBLIC),
    # The schema and its docs describe the API and hold no data
    "api-schema": Rule(fixed("/api/schema/"), get=PUBLIC, api=True),
    "api-docs": Rule(fixed("/api/docs/"), get=PUBLIC, api=True),
    "api-redoc": Rule(fixed("/api/docs/redoc/"), get=PUBLIC, api=True),
}

# Django's admin site: every view is wrapped by AdminSite.admin_view, which sends anyone who
# is not `is_staff` to the admin's sign-in page. None of the personas is staff (an admin
# *membership* is not admin-site access), so all are redirected; a superuser gets in.
ADMIN_LOGIN = Rule(fixed("/admin/login/"), get=PUBLIC, write=PUBLIC)
ADMIN_SITE = Rule(None, write=LOGIN, login_url="/admin/login/", staff_only=True)


# --- route discovery --------------------------------------------------------------------


def discover(patterns=None, prefix="", namespace=""):
    """(key, route, pattern) for every URL pattern, recursing into includes."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from discover(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield name or route, route, pattern


ROUTES = {key: route for key, route, _ in discover()}


def rule_for(key: str, route: str) -> Rule | None:
    if key == "admin:login":
        return ADMIN_LOGIN
    if key == "admin:logout":  # signed-out or not staff: back to the admin index, then sign-in
        return dataclasses.replace(ADMIN_SITE, url=fixed("/admin/logout/"), login_url="/admin/")
    if route.startswith("admin/"):
        return dataclasses.replace(ADMIN_SITE, url=admin_url(key, route))
    return RULES.get(key)


ADMIN_SAMPLES = {"app_label": "wards", "url": "x/"}


def admin_url(key, route):
    """A URL for an admin route with a sample value in each parameter (object id 1)."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: ADMIN_SAMPLES.get(m[1], "1"), route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: ADMIN_SAMPLES.get(m[1], "1"), path)
    path = "/" + re.sub(r"\([^)]*\)", "1", path).replace("^", "").replace("$", "")
    return lambda world, persona, target: (path, {})


# --- the objects ---------------------------------------------------------------------------


class World:
    """The objects of conftest's personas, made on first use."""

    def __init__(self, request):
        self.request = request
        self.ward = request.getfixturevalue("ward")
        self.other_ward = request.getfixturevalue("other_ward")
        self.outside_ward = request.getfixturevalue("outside_ward")
        self.users = {p: request.getfixturevalue(p) for p in PERSONAS[1:]}
        self.stranger = UserFactory(username="stranger")
        self.programme = Programme.objects.get(name="Restrictive practice: national aim")
        self.last_week = monday_of(timezone.localdate()) - datetime.timedelta(weeks=1)
        self.numbers = itertools.count()
        self._charts = False
        self._ideas = {}
        self._returns = {}

    def owner(self, persona, target):
        """Whose private object (upload, token) a request for `target` names."""
        return self.users.get(persona, self.stranger) if target == "own" else self.stranger

    def obj(self, target):
        return {
            "ward": self.ward,
            "other_ward": self.other_ward,
            "outside_ward": self.outside_ward,
            "trust": self.ward.trust,
            "outside_trust": self.outside_ward.trust,
            "region": self.ward.trust.region,
            "outside_region": self.outside_ward.trust.region,
        }[target]

    def scope(self, target):
        if target == "national":
            return "national", 0
        return target.removeprefix("outside_").removeprefix("other_"), self.obj(target).pk

    def weekly_return(self, ward):
        if ward.pk not in self._returns:
            self._returns[ward.pk] = WeeklyReturnFactory(
                ward=ward,
                week_start=self.last_week - datetime.timedelta(weeks=60),
                occupied_bed_days=ward.beds * 6,
            )
        return self._returns[ward.pk]

    def idea(self, ward):
        if ward.pk not in self._ideas:
            self._ideas[ward.pk] = PdsaCycleFactory(
                idea__ward=ward, idea__title=f"Idea on {ward.name}",
                idea__started_on=self.last_week,
            ).idea
        return self._ideas[ward.pk]

    def local_measure(self, trust):
        measure = Measure.objects.filter(local__trust=trust).first()
        if measure is None:
            measure = local_measure_create(trust=trust, user=None, wards=[], fields={
                "code": f"local_{trust.ods_code.lower()}", "name": f"Local {trust.ods_code}",
                "domain": "self_harm_suicide", "unit": "events", "definition": "An event.",
            })  # fmt: skip
        return measure

    def rows(self) -> dict[tuple[str, str], int]:
        """(kind, target) -> id of one row of every listed kind in (or being) each object."""
        ids = {}
        for target in WARDS:
            ward = self.obj(target)
            ids["wards", target] = ward.pk
            ids["returns", target] = self.weekly_return(ward).pk
            ids["change-ideas", target] = self.idea(ward).pk
        for kind, targets in (("trusts", TRUSTS), ("regions", REGIONS)):
            ids.update({(kind, target): self.obj(target).pk for target in targets})
        return ids

    def secrets(self, persona) -> list[str]:
        """What a 200 for `persona` must not hold: the names of SECRETS, and the ids of the
        wards out of its scope, as page links and as a JSON row's `ward`."""
        if persona == "anonymous":
            return list(SECRETS[persona])
        hidden = [self.obj(t).pk for t in WARDS if level(persona, t) == NONE]
        return [*SECRETS[persona], *(f"/wards/{pk}/" for pk in hidden),
                *(f'"ward":{pk}{end}' for pk in hidden for end in ",}")]  # fmt: skip

    def phase_break(self, ward):
        setting, _ = ChartSetting.objects.get_or_create(
            ward=ward, measure=self.programme.measures.get(code="physical_restraint")
        )
        starts_on = datetime.date(2024, 1, 1) + datetime.timedelta(weeks=next(self.numbers))
        return PhaseBreak.objects.create(setting=setting, starts_on=starts_on, reason="policy")

    def charts(self):
        if self._charts:
            return
        first = datetime.date(2024, 1, 1)
        restraint = self.programme.measures.get(code="physical_restraint")
        for ward in (self.ward, self.other_ward, self.outside_ward):
            Enrolment.objects.create(programme=self.programme, ward=ward, joined_on=first)
            for week in range(24):
                weekly_return = WeeklyReturnFactory(
                    ward=ward,
                    week_start=first + datetime.timedelta(weeks=week),
                    status=WeeklyReturn.Status.SUBMITTED,
                    occupied_bed_days=ward.beds * 6,
                )
                WeeklyCountFactory(weekly_return=weekly_return, measure=restraint, count=week % 3)
        recompute.charts_recompute_all()
        self._charts = True


# --- expectations --------------------------------------------------------------------------

# Personas with wards in a trust whose trust-level pages they cannot read.
TRUST_MEMBERS = {("staff", "trust"), ("outsider", "outside_trust"), ("two_trusts", "outside_trust")}

OK = "allowed"
SIGN_IN = "sign-in"
# An allowed write with an empty or stale body: a form error, a validation error, a
# precondition failure or a redirect after success; never 403 / 404 / 405 / 5xx.
WRITE_OK = {200, 201, 204, 302, 400, 412, 428}


def level(persona: str, target: str) -> int:
    return LEVELS[target][PERSONAS.index(persona) - 1]


def expected(rule: Rule, persona: str, target: str, method: str):
    need = rule.get if method == "GET" else rule.write
    if rule.staff_only:
        return SIGN_IN
    if persona == "anonymous":
        if PUBLIC in (rule.get, rule.write):  # a public route: only the method is checked
            return 405 if need is None else OK
        return SIGN_IN
    if need is None:
        return 405
    if need in (PUBLIC, LOGIN) and rule.gate is None:
        return OK
    level = LEVELS[target][PERSONAS.index(persona) - 1]
    if rule.gate is not None and LEVELS["-"][PERSONAS.index(persona) - 1] < rule.gate:
        return 403
    if need in (PUBLIC, LOGIN):
        return OK
    if level == NONE:
        return 403 if rule.members_403 and (persona, target) in TRUST_MEMBERS else 404
    return 403 if level < need else OK


def check(response, rule: Rule, persona: str, method: str, want, secrets=None) -> str:
    """'' when the response is what the matrix says, else what is wrong. `secrets`: what a
    200 must not hold (default: the names of SECRETS)."""
    got = response.status_code
    if want == SIGN_IN:
        if rule.api:
            return "" if got == 401 else f"{got}, want 401"
        location = response.headers.get("Location", "")
        if got == 302 and location.startswith(rule.login_url):
            return ""
        return f"{got} {location}, want 302 to {rule.login_url}"
    if want == OK:
        allowed = rule.get_ok if method == "GET" else WRITE_OK
        if got not in allowed:
            return f"{got}, want one of {sorted(allowed)}"
    elif got != want:
        return f"{got}, want {want}"
    if got == 200 and rule.get != PUBLIC:  # the API schema's examples name an "Oak Ward"
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode("utf-8", "replace")
        leaked = [name for name in (secrets or SECRETS[persona]) if name in body]
        if leaked:
            return f"200 leaks {leaked}"
    return ""


def send(client, method, path, body, api):
    if method == "GET":
        return client.get(path)
    if api:
        headers = {"HTTP_IF_MATCH": '"0"'}
        return client.generic(method, path, _json(body), "application/json", **headers)
    return client.post(path, body)


def _json(body):

    return json.dumps(body)


def methods_for(rule: Rule):
    methods = ["GET"]
    if rule.write is not None:
        methods += list(rule.writes)
    elif not rule.post_as_get:
        methods.append("POST")
    return methods


# --- the tests -----------------------------------------------------------------------------


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
