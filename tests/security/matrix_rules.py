"""The permission matrix's rules: one per URL pattern (the levels each method needs), and
the discovery of every route from the URL resolver."""

import dataclasses
import re

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.matrix_urls import (
    LOGIN,
    MANAGE,
    PUBLIC,
    READ,
    REGIONS,
    TRUSTS,
    WARDS,
    WRITE,
    Rule,
    api_chart,
    api_comparison,
    api_idea,
    api_list,
    api_return,
    api_scope,
    chart_csv,
    deleted_restore,
    fixed,
    idea_url,
    local_measure_url,
    named,
    pack_url,
    phase_break_delete,
    scope_url,
    token_revoke,
    unsubscribe_url,
    upload_url,
    ward_url,
    week_entry,
)

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
