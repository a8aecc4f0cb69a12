import datetime

import factory
from django.contrib.auth import get_user_model

from measures.models import ChangeIdea, Measure, PdsaCycle, WeeklyCount, WeeklyReturn
from measures.selectors import measures_required
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


class ChangeIdeaFactory(factory.django.DjangoModelFactory):
    """An idea targeting physical restraint (pass `measures=[...]` for others) with no cycle:
    add one with PdsaCycleFactory (the services always make the first)."""

    class Meta:
        model = ChangeIdea
        skip_postgeneration_save = True

    ward = factory.SubFactory(WardFactory)
    title = factory.Sequence(lambda n: f"Change idea {n}")
    started_on = datetime.date(2024, 3, 4)

    @factory.post_generation
    def measures(self, create, extracted, **kwargs):
        codes = ["physical_restraint"] if extracted is None else extracted
        self.measures.set(Measure.objects.filter(code__in=codes))


class PdsaCycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PdsaCycle

    idea = factory.SubFactory(ChangeIdeaFactory)
    number = 1
    starts_on = factory.SelfAttribute("idea.started_on")
    plan = "Calm-down box on the late shift"
    prediction = "Fewer restraints within four weeks"


def answered(ward, **counts) -> dict:
    """Counts of a complete return (every measure answered): those given, 0 for the ward's
    other measures."""
    return dict.fromkeys(measures_required([ward])[ward.pk], 0) | counts
