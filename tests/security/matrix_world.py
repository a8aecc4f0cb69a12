"""The permission matrix's objects (made on first use) and what each persona should get."""

import datetime
import itertools
import json

from django.utils import timezone

from measures.local_measures import local_measure_create
from measures.models import (
    Enrolment,
    Measure,
    Programme,
    WeeklyReturn,
)  # fmt: skip
from mhsip.weeks import monday_of
from spc import recompute
from spc.models import ChartSetting, PhaseBreak
from tests.factories import (
    PdsaCycleFactory,
    UserFactory,
    WeeklyCountFactory,
    WeeklyReturnFactory,
)
from tests.security.matrix_urls import (
    LEVELS,
    LOGIN,
    NONE,
    PERSONAS,
    PUBLIC,
    REGIONS,
    SECRETS,
    TRUSTS,
    WARDS,
    Rule,
)

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
