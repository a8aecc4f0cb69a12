import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tests.factories import MembershipFactory, UserFactory
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
    assert access.get_ward_for_user(staff, ward.pk) == (ward, True)


def test_it_returns_403_for_read_only_access(facilitator, ward, trust):
    assert access.get_ward_for_user(facilitator, ward.pk) == (ward, False)
    with pytest.raises(PermissionDenied):
        access.get_editable_ward_for_user(facilitator, ward.pk)
    assert access.get_trust_for_user(facilitator, trust.pk) == (trust, False)
    with pytest.raises(PermissionDenied):
        access.get_managed_trust_for_user(facilitator, trust.pk)


def test_it_returns_404_for_trusts_and_regions_out_of_scope(qi_lead, outside_ward):
    with pytest.raises(Http404):
        access.get_trust_for_user(qi_lead, outside_ward.trust_id)
    with pytest.raises(Http404):
        access.get_region_for_user(qi_lead, outside_ward.trust.region_id)


def test_it_holds_one_row_per_role_in_the_table():
    assert set(access.ROLE_TABLE) == set(access.Role)
    for role, rule in access.ROLE_TABLE.items():
        assert rule.scope == access.Membership.SCOPE_FIELD[role]
        assert rule.read, "every role reads its own scope"
        assert not rule.manage or rule.write, "who manages also writes"


def test_it_combines_two_memberships_without_mixing_their_rights(
    ward, other_ward, outside_ward, region
):
    """Ward staff on one ward of their trust and facilitator of another region: they write
    only on their ward, read the other region, and manage nothing."""

    user = UserFactory(username="twohats")
    MembershipFactory(user=user, role=access.Role.WARD_STAFF, ward=ward)
    MembershipFactory(
        user=user, role=access.Role.FACILITATOR, region=outside_ward.trust.region
    )
    assert names(access.wards_visible_to(user)) == ["Far Ward", "Oak Ward"]
    assert names(access.wards_editable_by(user)) == ["Oak Ward"]
    assert access.get_ward_for_user(user, ward.pk) == (ward, True)
    assert access.get_ward_for_user(user, outside_ward.pk) == (outside_ward, False)
    with pytest.raises(Http404):
        access.get_ward_for_user(user, other_ward.pk)
    with pytest.raises(Http404):
        access.get_trust_for_user(user, ward.trust_id)  # ward staff see no trust pages
    assert access.get_trust_for_user(user, outside_ward.trust_id)[1] is False
    assert not access.manages_any_trust(user)


def test_it_finds_the_object_of_a_chart_scope(staff, qi_lead, ward, trust, region):
    assert access.get_scope_for_user(staff, "ward", ward.pk) == ward
    assert access.get_scope_for_user(qi_lead, "trust", trust.pk) == trust
    assert access.get_scope_for_user(staff, "national", 0) is None
    for scope, scope_id in (("trust", trust.pk), ("region", region.pk), ("planet", 1),
                            ("ward", None)):  # fmt: skip
        with pytest.raises(Http404):
            access.get_scope_for_user(staff, scope, scope_id)


def test_it_lets_only_managers_import(staff, qi_lead, facilitator, admin_user):
    assert access.manages_any_trust(qi_lead) and access.manages_any_trust(admin_user)
    assert not access.manages_any_trust(staff) and not access.manages_any_trust(facilitator)
    assert not access.manages_any_trust(AnonymousUser())
