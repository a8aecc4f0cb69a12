"""The members page of a trust (wards/members.py, views.py): its QI lead adds, invites,
changes roles and ends memberships, only within the trust, with history."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from wards.models import Membership

pytestmark = pytest.mark.django_db
Role = Membership.Role


def url(trust):
    return reverse("wards:trust-members", args=[trust.pk])


def test_only_the_trusts_qi_lead_and_admins_manage_members(
    client, trust, staff, facilitator, outsider, qi_lead, admin_user, two_trusts
):
    for user, status in [(outsider, 404), (staff, 404), (facilitator, 403), (qi_lead, 200),
                         (admin_user, 200), (two_trusts, 200)]:  # fmt: skip
        client.force_login(user)
        assert client.get(url(trust)).status_code == status, user.username
        assert client.post(url(trust), {"action": "end"}).status_code in (
            (status,) if status != 200 else (404,)
        ), user.username


def test_it_adds_an_existing_user_by_username_or_email(client, qi_lead, ward, trust):
    UserFactory(username="nurse", email="nurse@nhs.example")
    client.force_login(qi_lead)
    page = client.get(url(trust)).content.decode()
    assert "qilead" in page and "Invite someone new" in page
    response = client.post(url(trust), {"action": "add", "who": "NURSE@nhs.example",
                                        "role": "ward_staff", "ward": ward.pk})  # fmt: skip
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="nurse")
    assert membership.ward == ward
    assert membership.history.get().history_user == qi_lead
    # Twice is refused, with a message.
    response = client.post(url(trust), {"action": "add", "who": "nurse", "role": "ward_staff",
                                        "ward": ward.pk})  # fmt: skip
    assert response.status_code == 400


def test_it_never_reaches_a_ward_of_another_trust(client, qi_lead, trust, outside_ward):
    UserFactory(username="nurse")
    client.force_login(qi_lead)
    response = client.post(url(trust), {"action": "add", "who": "nurse", "role": "ward_staff",
                                        "ward": outside_ward.pk})  # fmt: skip
    assert response.status_code == 400
    assert "Choose a ward of this trust" in response.content.decode()
    response = client.post(url(trust), {"action": "add", "who": "nurse", "role": "admin"})
    assert response.status_code == 400
    UserFactory(username="noemail")  # blank email: a blank "who" must not find them
    response = client.post(url(trust), {"action": "add", "who": " ", "role": "qi_lead"})
    assert response.status_code == 400
    assert not Membership.objects.filter(user__username="nurse").exists()


def test_it_changes_a_role_within_the_trust_and_ends_a_membership(
    client, qi_lead, staff, trust, ward, other_ward, outsider
):
    client.force_login(qi_lead)
    membership = staff.memberships.get()
    response = client.post(url(trust), {"action": "change", "membership": membership.pk,
                                        "role": "ward_staff", "ward": other_ward.pk})  # fmt: skip
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.ward == other_ward
    client.post(url(trust), {"action": "change", "membership": membership.pk, "role": "qi_lead"})
    membership.refresh_from_db()
    assert (membership.role, membership.trust, membership.ward) == (Role.QI_LEAD, trust, None)
    # A membership of another trust is not found from this page.
    foreign = outsider.memberships.get()
    response = client.post(url(trust), {"action": "end", "membership": foreign.pk})
    assert response.status_code == 404 and Membership.objects.filter(pk=foreign.pk).exists()
    client.post(url(trust), {"action": "end", "membership": membership.pk})
    assert not staff.memberships.exists()
    assert membership.history.filter(history_type="-").get().history_user == qi_lead


def test_an_invite_makes_an_inactive_user_who_activates_by_choosing_a_password(
    client, qi_lead, trust, ward, django_capture_on_commit_callbacks
):
    client.force_login(qi_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(trust), {"action": "invite", "username": "newnurse",
                                            "email": "new@nhs.example", "role": "ward_staff",
                                            "ward": ward.pk})  # fmt: skip
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newnurse")
    assert not user.is_active and not user.has_usable_password()
    (message,) = mail.outbox
    assert message.to == ["new@nhs.example"]
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", message.body)[1]
    invited = Client()
    page = invited.get(link, follow=True)
    new = {"new_password1": "a-long-new-passphrase", "new_password2": "a-long-new-passphrase"}
    invited.post(page.redirect_chain[-1][0], new)
    user.refresh_from_db()
    assert user.is_active
    assert invited.post("/accounts/login/", {"username": "newnurse",
                        "password": "a-long-new-passphrase"}).status_code == 302  # fmt: skip
