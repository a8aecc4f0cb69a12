import datetime

import factory
from django.contrib.auth import get_user_model

from measures.models import Measure, WeeklyCount, WeeklyReturn, WeeklyValue
from wards.models import Membership, Region, Trust, Ward


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"Region {n} PSC")
    code = factory.Sequence(lambda n: f"region-{n}")


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust

    name = factory.Sequence(lambda n: f"Trust {n} NHS Foundation Trust")
    # R + two of [A-Z0-9]: enough distinct codes for any test.
    ods_code = factory.Sequence(lambda n: "R" + "ABCDEFGHJK"[n // 10 % 10] + str(n % 10))
    region = factory.SubFactory(RegionFactory)


class WardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ward

    trust = factory.SubFactory(TrustFactory)
    name = factory.Sequence(lambda n: f"Ward {n}")
    ward_type = Ward.Type.ACUTE_ADULT
    beds = 20
    active_from = datetime.date(2015, 1, 1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Membership.Role.WARD_STAFF


class WeeklyReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeeklyReturn

    ward = factory.SubFactory(WardFactory)
    week_start = datetime.date(2024, 1, 1)
    beds = factory.SelfAttribute("ward.beds")
    occupied_bed_days = 120


class WeeklyCountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeeklyCount

    weekly_return = factory.SubFactory(WeeklyReturnFactory)
    measure = factory.LazyFunction(lambda: Measure.objects.get(code="physical_restraint"))
    count = 1


class WeeklyValueFactory(factory.django.DjangoModelFactory):
    """A proportion by default (debrief within 72 hours: 3 of 4)."""

    class Meta:
        model = WeeklyValue

    weekly_return = factory.SubFactory(WeeklyReturnFactory)
    measure = factory.LazyFunction(lambda: Measure.objects.get(code="restraint_debrief_72h"))
    numerator = 3
    denominator = 4
    value = None
