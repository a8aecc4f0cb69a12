"""The permission matrix's vocabulary: personas, the level each has on each object, the
names they must never see, and how a rule builds the URL (and body) of a request."""

import dataclasses
import datetime

from django.urls import reverse

from measures.deletion import weekly_return_delete
from measures.import_rows import ParsedFile
from measures.models import (
    ReturnImport,
)  # fmt: skip
from reports.mail import unsubscribe_token
from reports.models import BoardPack, Kind
from tests.factories import (
    UserFactory,
    WeeklyReturnFactory,
)
from tokens.services import api_token_create

EMPTY_UPLOAD = ParsedFile(columns=[], measure_codes=[], rows=[], errors=[]).to_json()

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
