"""A trust's members, as its QI lead manages them: add an existing user or invite a new one
to a ward of the trust (ward staff) or to the trust (QI lead), change the role within the
trust, end a membership. History (django-simple-history) keeps every change, with who made
it (HistoryRequestMiddleware). The trust comes from wards.access, so nothing here reaches
outside it."""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Membership, Trust, Ward

Role = Membership.Role
TRUST_ROLES = (Role.WARD_STAFF, Role.QI_LEAD)  # what a QI lead may grant, within the trust


def trust_memberships(trust: Trust) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(Q(trust=trust) | Q(ward__trust=trust))
        .select_related("user", "ward")
        .order_by("user__username", "role")
    )


def _scope(trust: Trust, role: str, ward_id) -> dict:
    if role not in TRUST_ROLES:
        raise ValidationError({"role": "Choose ward staff or QI lead."})
    if role == Role.QI_LEAD:
        return {"trust": trust, "ward": None}
    ward = Ward.objects.filter(pk=ward_id, trust=trust).first() if ward_id else None
    if ward is None:
        raise ValidationError({"ward": "Choose a ward of this trust."})
    return {"ward": ward, "trust": None}


def _save(membership: Membership) -> Membership:
    membership.full_clean()  # the scope constraint and one membership per user and place
    membership.save()
    return membership


def find_user(who: str):
    """The user with this username or email (either, case-insensitive), else a field error."""
    who = who.strip()
    # Blank matches every user without an email: never a way to name someone.
    found = Q(username__iexact=who) | Q(email__iexact=who) if who else Q(pk__in=[])
    users = list(get_user_model().objects.filter(found)[:2])
    if len(users) != 1:
        raise ValidationError({"who": f"No single user has the username or email {who!r}: "
                               "check it, or invite them."})  # fmt: skip
    return users[0]


@transaction.atomic
def membership_add(*, trust: Trust, who: str, role: str, ward_id=None) -> Membership:
    return _save(Membership(user=find_user(who), role=role, **_scope(trust, role, ward_id)))


@transaction.atomic
def member_invite(*, trust: Trust, username: str, email: str, role: str, ward_id=None,
                  domain: str, secure: bool) -> Membership:  # fmt: skip
    """A new, inactive user with this membership and an email to choose a password (which
    activates them: accounts.views.ResetConfirmView)."""
    scope = _scope(trust, role, ward_id)
    if not username or not email:
        raise ValidationError({"email": "Give the new member's username and work email."})
    User = get_user_model()
    if User.objects.filter(Q(username__iexact=username) | Q(email__iexact=email)).exists():
        raise ValidationError({"username": "A user with this username or email exists: add "
                               "them instead of inviting."})  # fmt: skip
    user = User(username=username, email=email, is_active=False)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    membership = _save(Membership(user=user, role=role, **scope))
    context = {
        "user": user, "domain": domain, "protocol": "https" if secure else "http",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }  # fmt: skip
    body = render_to_string("registration/password_reset_email.html", context)
    subject = render_to_string("registration/password_reset_subject.txt").strip()
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return membership


@transaction.atomic
def membership_change(*, membership: Membership, trust: Trust, role: str, ward_id=None):
    scope = _scope(trust, role, ward_id)
    membership.role = role
    membership.ward, membership.trust = scope["ward"], scope["trust"]
    return _save(membership)


@transaction.atomic
def membership_end(*, membership: Membership) -> None:
    """Ends it: the row goes, its history (who had it, until when, who ended it) stays."""
    membership.delete()
