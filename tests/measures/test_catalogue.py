import pytest

from measures.catalogue import MEASURES, sync_catalogue
from measures.models import Measure, Programme

pytestmark = pytest.mark.django_db


def test_it_loads_the_catalogue_with_a_migration():
    codes = set(Measure.objects.values_list("code", flat=True))
    assert {
        "physical_restraint",
        "prone_restraint",
        "rapid_tranquillisation",
        "seclusion",
        "long_term_segregation",
        "mechanical_restraint",
        "self_harm",
        "awol",
        "ligature",
        "sexual_safety_patients",
        "sexual_safety_staff",
    } <= codes
    for measure in Measure.objects.all():
        assert measure.definition and measure.unit and measure.domain


def test_it_names_the_mhsds_intervention_types_each_restrictive_measure_counts():
    codes = dict(Measure.objects.values_list("code", "mhsds_codes"))
    assert codes["physical_restraint"] == ["01", "07", "08", "09", "10", "11", "12", "13"]
    assert codes["prone_restraint"] == ["01"]
    assert codes["mechanical_restraint"] == ["04"]
    assert codes["seclusion"] == ["05"]
    assert codes["long_term_segregation"] == ["06"]
    assert codes["rapid_tranquillisation"] == ["14"]


def test_it_makes_prone_restraint_a_sub_measure_of_physical_restraint():
    prone = Measure.objects.get(code="prone_restraint")
    assert prone.parent.code == "physical_restraint"


def test_it_loads_the_programme_targets():
    national = Programme.objects.get(name="Restrictive practice: national aim")
    assert (national.reduction_percent, national.deadline.isoformat()) == (50, "2024-03-31")
    regional = Programme.objects.get(name="Restrictive practice: regional aim")
    assert (regional.reduction_percent, regional.deadline.isoformat()) == (25, "2023-04-30")
    assert set(national.measures.values_list("code", flat=True)) >= {"prone_restraint"}


def test_it_syncs_the_catalogue_idempotently():
    before = list(Measure.objects.order_by("code").values())
    sync_catalogue(Measure, Programme)
    assert list(Measure.objects.order_by("code").values()) == before
    assert Measure.objects.count() == len(MEASURES)
