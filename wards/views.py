"""The members page of a trust, for its QI lead (and admins): wards.members does the work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from . import members
from .access import get_managed_trust_for_user

Role = members.Role


def _act(request, trust) -> str:
    """Do the POSTed action; the message to show once done."""
    data = request.POST
    role, ward_id = data.get("role", ""), data.get("ward") or None
    action = data.get("action")
    if action == "add":
        membership = members.membership_add(trust=trust, who=data.get("who", ""), role=role,
                                            ward_id=ward_id)  # fmt: skip
        return f"{membership.user.username} added."
    if action == "invite":
        membership = members.member_invite(
            trust=trust, username=data.get("username", "").strip(),
            email=data.get("email", "").strip(), role=role, ward_id=ward_id,
            domain=request.get_host(), secure=request.is_secure(),
        )  # fmt: skip
        return f"{membership.user.username} invited: they get an email to choose a password."
    if action not in ("change", "end"):
        raise ValidationError({"action": "Unknown action."})
    membership = get_object_or_404(
        members.trust_memberships(trust), pk=data.get("membership") or 0
    )
    if action == "change":
        members.membership_change(membership=membership, trust=trust, role=role, ward_id=ward_id)
        return f"{membership.user.username}'s role changed."
    members.membership_end(membership=membership)
    return f"{membership.user.username}'s membership ended (kept in the history)."


@login_required
@require_http_methods(["GET", "POST"])
def trust_members(request, trust_id):
    trust = get_managed_trust_for_user(request.user, trust_id)
    errors = {}
    if request.method == "POST":
        try:
            message = _act(request, trust)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {
                "__all__": error.messages}  # fmt: skip
        else:
            messages.success(request, message)
            return redirect("wards:trust-members", trust_id=trust.pk)
    return render(request, "wards/members.html", {
        "trust": trust, "memberships": members.trust_memberships(trust),
        "wards": trust.wards.order_by("name"), "roles": members.TRUST_ROLES,
        "errors": errors, "posted": request.POST,
    }, status=400 if errors else 200)  # fmt: skip
