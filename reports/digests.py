"""The weekly digest: to each QI lead, their trust's new special-cause signals (improvement
and concern), assurance changes and missing returns; to each facilitator, their region's,
trust by trust. "New" is against the signals the user's last digest reported (kept on that
message), so a signal is reported once. Links go straight to the charts. Names, icons and
numbers only: no patient data, no free text."""

import datetime

from django.urls import reverse

from mhsip.weeks import latest_complete_week, monday_of
from spc import dashboards
from spc.presentation import ASSURANCE_LABELS, VARIATION_LABELS
from wards.models import Membership, Region, Trust

from . import mail, reminders, schedules
from .models import Kind, SentMessage

Role = Membership.Role
SPECIAL = ("improvement_", "concern_")


def _link(scope_kind: str, unit, measure) -> str:
    if scope_kind == "trust" and unit is not None:
        path = reverse("spc:ward-dashboard", args=[unit.pk])
    elif scope_kind == "region" and unit is not None:
        path = reverse("spc:trust-charts", args=[unit.pk])
    else:
        path = ""
    return mail.site_url(f"{path}#chart-{measure.code}") if path else ""


def snapshot(scope) -> tuple[dict, list]:
    """({"measure:unit": [variation, assurance]}, [(key, label, unit, measure)]) of a trust's
    wards and itself, or a region's trusts and itself; "0" is the scope's own chart."""
    measures, rows = (dashboards.trust_matrix(scope) if isinstance(scope, Trust)
                      else dashboards.region_matrix(scope))  # fmt: skip
    signals, where = {}, []
    for row in rows:
        unit_id = str(row.ward.pk) if row.ward is not None else "0"
        for cell in row.cells:
            key = f"{cell.measure.code}:{unit_id}"
            signals[key] = [cell.variation_icon or "", cell.assurance_icon or ""]
            where.append((key, row.label, row.ward, cell.measure))
    return signals, where


def changes(before: dict, after: dict, where: list, scope_kind: str) -> tuple[list, list]:
    """(new special-cause signals, assurance changes), each a line of text."""
    signals, assurance = [], []
    for key, label, unit, measure in where:
        was, now = before.get(key, ["", ""]), after[key]
        link = _link(scope_kind, unit, measure)
        suffix = f": {link}" if link else ""
        if now[0].startswith(SPECIAL) and now[0] != was[0]:
            signals.append(f"- {label}, {measure.name}: {VARIATION_LABELS[now[0]]}{suffix}")
        if now[1] != was[1] and (now[1] or was[1]):
            old = ASSURANCE_LABELS.get(was[1], "no assurance icon")
            new = ASSURANCE_LABELS.get(now[1], "no assurance icon")
            assurance.append(f"- {label}, {measure.name}: {old} → {new}{suffix}")
    return signals, assurance


def _previous(user, scope) -> dict:
    field = "trust" if isinstance(scope, Trust) else "region"
    last = (
        SentMessage.objects.filter(kind=Kind.DIGEST, user=user, **{field: scope})
        .exclude(status=SentMessage.Status.SKIPPED)
        .order_by("-created_at")
        .first()
    )
    return last.signals if last else {}


def _missing(scope, week) -> list[str]:
    trusts = [scope] if isinstance(scope, Trust) else list(scope.trusts.order_by("name"))
    lines = []
    for trust in trusts:
        wards = reminders.missing_wards(trust, week)
        if isinstance(scope, Trust):
            lines += [f"- {w.name}" for w in wards]
        elif wards:
            lines.append(f"- {trust.name}: {len(wards)} ward{'s' if len(wards) != 1 else ''}")
    return lines


def digest_body(scope, before: dict, after: dict, where: list, week) -> str:
    kind = "trust" if isinstance(scope, Trust) else "region"
    signals, assurance = changes(before, after, where, kind)
    first = "" if before else " (your first digest: every signal showing now)"
    parts = [f"Weekly digest of {scope.name}, week of {week:%-d %B %Y}.", "",
             f"New special-cause signals{first}:", *(signals or ["- None."]), "",
             "Assurance changes (against the target):", *(assurance or ["- None."]), "",
             f"Returns missing for the week of {week:%-d %B %Y}:",
             *(_missing(scope, week) or ["- None: every return is in."])]  # fmt: skip
    return "\n".join(parts)


def scope_digests(scope, now: datetime.datetime | None) -> list:
    """Make this week's digest of a trust (to its QI leads) or a region (to its
    facilitators); the messages made (none twice)."""
    is_trust = isinstance(scope, Trust)
    role, field = (Role.QI_LEAD, "trust") if is_trust else (Role.FACILITATOR, "region")
    today = schedules.local(now).date()
    week = latest_complete_week(today)
    after, where = snapshot(scope)
    made = []
    for m in Membership.objects.filter(role=role, user__is_active=True, **{field: scope}):
        before = _previous(m.user, scope)
        made.append(mail.message_create(
            kind=Kind.DIGEST, key=f"digest:{field}:{scope.pk}:{monday_of(today)}:{m.user_id}",
            user=m.user, subject=f"MHSIP weekly digest: {scope.name}, w/c {week:%-d %b %Y}",
            body=digest_body(scope, before, after, where, week), signals=after,
            **{field: scope},
        ))  # fmt: skip
    return [m for m in made if m is not None]


def digests_prepare(*, now: datetime.datetime | None = None, force: bool = False) -> list:
    """Every digest due this hour (all of them with `force`); the queued messages' ids."""
    made = []
    for trust in Trust.objects.order_by("pk"):
        if force or schedules.digest_due(schedules.schedule_for(trust), now):
            made += scope_digests(trust, now)
    if force or schedules.region_digest_due(now):
        for region in Region.objects.order_by("pk"):
            made += scope_digests(region, now)
    return [m.pk for m in made if m.status == SentMessage.Status.QUEUED]
