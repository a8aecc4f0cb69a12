"""Users in the admin: deactivated, never deleted; every admin form through the identifier
guard."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from audit.models import AuditEvent
from mhsip.admin import FreeTextAdminMixin, FreeTextInlineMixin
from tests.conftest import verified_login
from tests.factories import UserFactory, WardFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"auth", "wards", "measures", "spc", "tokens", "audit", "reports", "equity",
                "accounts"}


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw-x-123456")


def test_every_admin_of_the_project_uses_the_identifier_guard():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        assert isinstance(model_admin, FreeTextAdminMixin), model
        for inline in model_admin.inlines:
            assert issubclass(inline, FreeTextInlineMixin), inline


def test_an_admin_form_refuses_an_nhs_number_in_any_text_field(client, superuser, trust):
    ward = WardFactory(trust=trust, name="Oak Ward")
    verified_login(client, superuser)
    url = reverse("admin:wards_ward_change", args=[ward.pk])
    body = {"trust": trust.pk, "name": "Ward 943.476.5919", "code": "", "ward_type": "picu",
            "beds": 12, "active_from": "2015-01-01", "active_to": ""}  # fmt: skip
    response = client.post(url, body)
    assert response.status_code == 200
    assert "looks like an NHS number" in response.content.decode()
    ward.refresh_from_db()
    assert ward.name == "Oak Ward"


def test_an_admin_form_warns_about_a_name_but_saves(client, superuser, trust):
    ward = WardFactory(trust=trust, name="Oak Ward")
    verified_login(client, superuser)
    url = reverse("admin:wards_ward_change", args=[ward.pk])
    body = {"trust": trust.pk, "name": "Mr Smith's ward", "code": "", "ward_type": "picu",
            "beds": 12, "active_from": "2015-01-01", "active_to": ""}  # fmt: skip
    response = client.post(url, body, follow=True)
    assert "may name a person" in response.content.decode()
    ward.refresh_from_db()
    assert ward.name == "Mr Smith's ward"


def test_the_user_admin_has_no_delete_and_deactivates_instead(client, superuser):
    user = UserFactory(username="leaver")
    verified_login(client, superuser)
    changelist = reverse("admin:auth_user_changelist")
    page = client.get(changelist).content.decode()
    assert "delete_selected" not in page and 'value="deactivate"' in page
    delete = reverse("admin:auth_user_delete", args=[user.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    response = client.post(changelist, {"action": "deactivate", "_selected_action": [user.pk]})
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.subject) == ("deactivate", superuser, user)


def test_unticking_active_in_the_user_form_is_a_recorded_deactivation(client, superuser):
    user = UserFactory(username="leaver")
    verified_login(client, superuser)
    url = reverse("admin:auth_user_change", args=[user.pk])
    body = {"username": "leaver", "first_name": "", "last_name": "", "email": "",
            "date_joined_0": "2024-01-01", "date_joined_1": "09:00:00"}  # fmt: skip
    assert client.post(url, body).status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert AuditEvent.objects.get().action == "deactivate"
