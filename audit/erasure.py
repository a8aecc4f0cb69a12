"""People leave, history stays: deactivating a user, erasing one, and purging a string that
should never have been typed. Each is one `AuditEvent` (who, when, what it touched, never the
purged text).

A user is never deleted through the app: history rows name the user who made each change, and
a deleted user would leave them nameless. Erasure (a management command) removes everything
that identifies the person and keeps the row as a pseudonym, so the history still shows one
(anonymous) person's changes together."""

import dataclasses

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.utils import timezone

from measures.models import ReturnImport
from tokens.models import ApiToken
from wards.models import Membership

from .models import AuditEvent

# The apps whose rows (and history rows) can hold typed text, and the admin's own log.
TEXT_APPS = ("wards", "measures", "spc", "tokens", "audit", "admin")
MIN_PURGE_LENGTH = 4  # a shorter string would redact ordinary words everywhere
REDACTED = "[removed]"


def audit_event_record(*, action: str, actor, detail: str, subject=None) -> AuditEvent:
    event = AuditEvent(action=action, actor=actor, subject=subject, detail=detail)
    event._history_user = actor  # simple-history: the event's own history names its actor
    event.full_clean()
    event.save()
    return event


def _end_sessions(user) -> int:
    ended = [
        s.pk for s in Session.objects.filter(expire_date__gt=timezone.now())
        if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]  # fmt: skip
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def user_deactivate(*, user, by) -> bool:
    """The admin's "delete": the user can no longer sign in (their sessions end, their API
    tokens stop working) and every history row keeps their name. False if already inactive."""
    if not user.is_active:
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions = _end_sessions(user)
    audit_event_record(
        action=AuditEvent.Action.DEACTIVATE, actor=by, subject=user,
        detail=f"Can no longer sign in; {sessions} session(s) ended; API tokens stop working.",
    )  # fmt: skip
    return True


@transaction.atomic
def user_reactivate(*, user, by) -> bool:
    if user.is_active:
        return False
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_event_record(action=AuditEvent.Action.REACTIVATE, actor=by, subject=user,
                       detail="Can sign in again with the same memberships.")  # fmt: skip
    return True


def pseudonym_for(user) -> str:
    return f"erased-user-{user.pk}"


@transaction.atomic
def user_erase(*, user, by) -> str:
    """Erase a person: name, email, password, memberships, tokens (their names in history
    too), uploads, sessions and sign-in records go; the row stays, renamed to a pseudonym,
    so history rows keep pointing at it. Returns the pseudonym."""
    old_username, pseudonym = user.username, pseudonym_for(user)
    memberships = list(Membership.objects.filter(user=user))
    for membership in memberships:
        membership._history_user = by
        membership.delete()
    tokens = list(ApiToken.objects.filter(user=user))
    for token in tokens:
        token._history_user = by
        token.delete()
    # A token's name is the user's own text ("Jane's laptop"): history keeps only its id.
    ApiToken.history.filter(user_id=user.pk).update(name=models.functions.Concat(
        models.Value("token "), models.F("id"), output_field=models.CharField()))  # fmt: skip
    uploads, _ = ReturnImport.objects.filter(user=user).delete()
    sessions = _end_sessions(user)
    signins = 0
    for name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
        if apps.is_installed("axes"):
            signins += apps.get_model("axes", name).objects.filter(
                username=old_username).delete()[0]  # fmt: skip
    for entry in LogEntry.objects.filter(object_repr__contains=old_username):
        entry.object_repr = entry.object_repr.replace(old_username, pseudonym)
        entry.save(update_fields=["object_repr"])
    devices = _delete_second_factors(user)
    user.username = pseudonym
    user.first_name = user.last_name = user.email = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    audit_event_record(
        action=AuditEvent.Action.ERASE, actor=by, subject=user,
        detail=f"Name, email and password removed; {len(memberships)} membership(s), "
        f"{len(tokens)} API token(s), {uploads} upload(s), {sessions} session(s), {signins} "
        f"sign-in record(s) and {devices} second-factor device(s) deleted; history kept "
        f"under the pseudonym {pseudonym}.",
    )  # fmt: skip
    return pseudonym


def _delete_second_factors(user) -> int:
    """TOTP and other django-otp devices, when django-otp is installed (they hold secrets)."""
    deleted = 0
    for model in apps.get_models():
        if model._meta.app_label.startswith("otp_") and hasattr(model, "user"):
            deleted += model.objects.filter(user=user).delete()[0]
    return deleted


@dataclasses.dataclass(frozen=True)
class Purged:
    model: str
    field: str
    rows: int


def _text_fields(model):
    return [
        f for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices
    ]  # fmt: skip


def _purge_models():
    for config in apps.get_app_configs():
        if config.label in TEXT_APPS:
            yield from config.get_models()


def text_purge(*, text: str, by, dry_run: bool = False) -> list[Purged]:
    """Replace `text` with "[removed]" in every text field of every row and history row (the
    admin's log too), without making new history rows (the old ones are what is cleaned).
    Returns what it touched; records it (not the text) as one AuditEvent."""
    if len(text.strip()) < MIN_PURGE_LENGTH:
        raise ValueError(f"Give at least {MIN_PURGE_LENGTH} characters to purge.")
    purged = []
    with transaction.atomic():
        for model in _purge_models():
            for field in _text_fields(model):
                rows = model._default_manager.filter(**{f"{field.name}__contains": text})
                changed = 0
                for pk, value in rows.values_list("pk", field.attname):
                    if value and text in value:
                        changed += 1
                        if not dry_run:
                            model._default_manager.filter(pk=pk).update(
                                **{field.attname: value.replace(text, REDACTED)[: field.max_length]}
                            )
                if changed:
                    purged.append(Purged(model._meta.label, field.name, changed))
        if not dry_run and purged:
            audit_event_record(
                action=AuditEvent.Action.PURGE_TEXT, actor=by,
                detail="Replaced a string with [removed] in: " + "; ".join(
                    f"{p.model}.{p.field} ({p.rows} row(s))" for p in purged),
            )  # fmt: skip
    return purged
