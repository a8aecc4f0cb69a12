import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import RegionFactory, TrustFactory, UserFactory, WardFactory
from wards.models import Membership, Trust, Ward

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["RX4", "RV3", "TAF", "NR5", "R1A"])
def test_it_accepts_valid_ods_codes(code):
    TrustFactory.build(ods_code=code, region=RegionFactory()).full_clean()


@pytest.mark.parametrize("code", ["rx4", "RX", "RX44", "XX4", "R-4", "", "RX4 "])
def test_it_rejects_invalid_ods_codes_naming_the_rule(code):
    trust = TrustFactory.build(ods_code=code, region=RegionFactory())
    with pytest.raises(ValidationError) as error:
        trust.full_clean()
    assert "ods_code" in error.value.message_dict


@pytest.mark.parametrize("code", ["rx4", "XX4", "R-4"])
def test_it_rejects_invalid_ods_codes_in_the_database(code):
    with pytest.raises(IntegrityError, match="trust_ods_code_format"), transaction.atomic():
        Trust.objects.create(name="Bad", ods_code=code, region=RegionFactory())


def test_it_rejects_a_ward_without_beds(trust):
    ward = WardFactory.build(trust=trust, beds=0)
    with pytest.raises(ValidationError) as error:
        ward.full_clean()
    assert error.value.message_dict["beds"] == ["A ward must have at least 1 bed."]
    with pytest.raises(IntegrityError, match="ward_beds_positive"), transaction.atomic():
        Ward.objects.create(
            trust=trust, name="No beds", ward_type="picu", beds=0, active_from="2020-01-01"
        )


def test_it_rejects_a_closing_date_before_opening(trust):
    with pytest.raises(IntegrityError, match="ward_active_to_after_from"), transaction.atomic():
        WardFactory(trust=trust, active_from="2020-01-01", active_to="2019-12-31")


def test_it_tells_if_a_ward_is_active_on_a_day(trust):

    ward = WardFactory.build(
        trust=trust, active_from=datetime.date(2020, 1, 1), active_to=datetime.date(2020, 12, 31)
    )
    assert ward.is_active_on(datetime.date(2020, 6, 1))
    assert not ward.is_active_on(datetime.date(2021, 1, 1))
    assert not ward.is_active_on(datetime.date(2019, 12, 31))


def test_it_requires_the_scope_that_matches_the_role(ward, trust):
    user = UserFactory()
    bad = Membership(user=user, role=Membership.Role.QI_LEAD, ward=ward)
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "trust" in error.value.message_dict
    assert "ward" in error.value.message_dict
    with pytest.raises(IntegrityError, match="membership_scope_matches_role"), transaction.atomic():
        bad.save()
    Membership(user=user, role=Membership.Role.QI_LEAD, trust=trust).full_clean()


def test_it_refuses_a_duplicate_membership(ward):
    user = UserFactory()
    Membership.objects.create(user=user, role=Membership.Role.WARD_STAFF, ward=ward)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Membership.Role.WARD_STAFF, ward=ward)


def test_it_records_history_of_changes_to_wards(ward):
    ward.beds = 22
    ward.save()
    assert [h.beds for h in ward.history.all()] == [22, 20]
