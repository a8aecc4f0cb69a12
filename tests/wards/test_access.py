import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tests.factories import UserFactory
from wards import access

pytestmark = pytest.mark.django_db


def names(queryset):
    return sorted(queryset.values_list("name", flat=True))


def test_it_shows_ward_staff_only_their_wards(staff, ward, other_ward, outside_ward):
    assert names(access.wards_visible_to(staff)) == ["Oak Ward"]
    assert names(access.wards_editable_by(staff)) == ["Oak Ward"]
    assert names(access.trusts_visible_to(staff)) == []


def test_it_shows_a_qi_lead_every_ward_of_their_trust(qi_lead, ward, other_ward, outside_ward):
    assert names(access.wards_visible_to(qi_lead)) == ["Elm Ward", "Oak Ward"]
    assert names(access.wards_editable_by(qi_lead)) == ["Elm Ward", "Oak Ward"]
    assert names(access.trusts_managed_by(qi_lead)) == ["Moorside NHS Foundation Trust"]


def test_it_lets_a_facilitator_read_the_region_but_change_nothing(
    facilitator, ward, other_ward, outside_ward
):
    assert names(access.wards_visible_to(facilitator)) == ["Elm Ward", "Oak Ward"]
    assert names(access.wards_editable_by(facilitator)) == []
    assert names(access.trusts_visible_to(facilitator)) == ["Moorside NHS Foundation Trust"]
    assert names(access.trusts_managed_by(facilitator)) == []
    assert names(access.regions_visible_to(facilitator)) == ["North PSC"]


def test_it_lets_admins_and_superusers_see_everything(admin_user, ward, outside_ward):
    superuser = UserFactory(username="root", is_superuser=True)
    for user in (admin_user, superuser):
        assert names(access.wards_visible_to(user)) == ["Far Ward", "Oak Ward"]
        assert names(access.wards_editable_by(user)) == ["Far Ward", "Oak Ward"]


def test_it_shows_nothing_to_anonymous_or_memberless_users(ward):
    for user in (AnonymousUser(), UserFactory(username="nobody")):
        assert names(access.wards_visible_to(user)) == []
        assert names(access.trusts_visible_to(user)) == []
        assert names(access.regions_visible_to(user)) == []


def test_it_returns_404_for_out_of_scope_wards(outsider, staff, ward):
    with pytest.raises(Http404):
        access.get_ward_for_user(outsider, ward.pk)
    with pytest.raises(Http404):
        access.get_editable_ward_for_user(outsider, ward.pk)
    assert access.get_ward_for_user(staff, ward.pk) == ward


def test_it_returns_403_for_read_only_access(facilitator, ward, trust):
    assert access.get_ward_for_user(facilitator, ward.pk) == ward
    with pytest.raises(PermissionDenied):
        access.get_editable_ward_for_user(facilitator, ward.pk)
    assert access.get_trust_for_user(facilitator, trust.pk) == trust
    with pytest.raises(PermissionDenied):
        access.get_managed_trust_for_user(facilitator, trust.pk)


def test_it_returns_404_for_trusts_and_regions_out_of_scope(qi_lead, outside_ward):
    with pytest.raises(Http404):
        access.get_trust_for_user(qi_lead, outside_ward.trust_id)
    with pytest.raises(Http404):
        access.get_region_for_user(qi_lead, outside_ward.trust.region_id)
