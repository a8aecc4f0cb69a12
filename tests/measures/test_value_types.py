"""Value types and composites end to end in the measures app: the catalogue, the database
constraints and model rules, the write service and the weekly form."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms import inlineformset_factory
from django.urls import reverse
from django.utils import timezone

from measures.admin import CompositePartFormSet
from measures.errors import ReturnRefused
from measures.models import CompositePart, Enrolment, Measure, Programme, WeeklyValue
from measures.rules import Proportion
from measures.selectors import weekly_return_history
from measures.services import saved_state, weekly_return_record
from mhsip.weeks import monday_of
from tests.factories import WeeklyReturnFactory, WeeklyValueFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_WEEK = monday_of(TODAY) - datetime.timedelta(weeks=1)


def test_the_catalogue_has_each_value_type_with_mhsds_codes():
    types = dict(Measure.objects.values_list("code", "value_type"))
    assert types["restraint_debrief_72h"] == "proportion"
    assert types["sexual_safety_feel_safe"] == "proportion"
    assert types["seclusion_hours"] == "duration"
    assert types["staff_feel_safe_score"] == "score"
    assert types["restrictive_practice_total"] == "composite"
    codes = dict(Measure.objects.values_list("code", "mhsds_codes"))
    assert codes["chemical_restraint"] == ["14", "15", "16", "17"]
    assert codes["chemical_restraint_oral"] == ["16"]
    assert codes["rapid_tranquillisation"] == ["14"]
    for measure in Measure.objects.exclude(mhsds_codes=[]):
        # Every definition says which MHSDS codes it counts ("07-13" names a range).
        text = measure.definition + measure.includes
        missing = [c for c in measure.mhsds_codes if c not in text and "07-13" not in text]
        assert not missing, (measure.code, missing)


def test_rapid_tranquillisation_stays_a_subset_of_chemical_restraint():
    rt = Measure.objects.get(code="rapid_tranquillisation")
    assert rt.parent.code == "chemical_restraint"
    for code in ("chemical_restraint_injection", "chemical_restraint_oral"):
        assert Measure.objects.get(code=code).parent == rt.parent


def test_the_composite_adds_three_counts_and_comes_first():
    total = Measure.objects.get(code="restrictive_practice_total")
    assert sorted(p.part.code for p in total.parts.all()) == [
        "physical_restraint", "rapid_tranquillisation", "seclusion"]  # fmt: skip
    assert Measure.objects.order_by("display_order").first() == total
    assert not total.is_entered


def test_the_feel_safe_proportion_is_in_the_sexual_safety_programme():
    measure = Measure.objects.get(code="sexual_safety_feel_safe")
    assert measure.improvement == "increase"
    assert measure.numerator_label == "people answering yes"
    assert measure.denominator_label == "people asked"
    assert Programme.objects.get(name="Sexual safety: national aim").measures.filter(
        pk=measure.pk).exists()  # fmt: skip


def test_it_refuses_an_overlapping_composite_part_in_model_clean():
    total = Measure.objects.get(code="restrictive_practice_total")
    part = CompositePart(composite=total, part=Measure.objects.get(code="prone_restraint"))
    with pytest.raises(ValidationError) as error:
        part.full_clean()
    assert "overlap" in str(error.value) and "twice" in str(error.value)
    seclusion = Measure.objects.get(code="seclusion")
    with pytest.raises(IntegrityError), transaction.atomic():
        CompositePart.objects.create(composite=seclusion, part=seclusion)


def test_it_refuses_a_duration_without_its_unit_in_model_clean_and_the_database():
    measure = Measure.objects.get(code="seclusion_hours")
    measure.duration_unit = ""
    with pytest.raises(ValidationError) as error:
        measure.full_clean()
    assert "hours or days" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        measure.save()


def test_the_database_refuses_a_numerator_above_its_denominator_and_half_a_proportion():
    weekly_return = WeeklyReturnFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        WeeklyValueFactory(weekly_return=weekly_return, numerator=5, denominator=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        WeeklyValueFactory(weekly_return=weekly_return, numerator=1, denominator=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        WeeklyValueFactory(weekly_return=weekly_return, value=Decimal(2))


def record(ward, user, **kwargs):
    kwargs.setdefault("counts", {})
    kwargs.setdefault("occupied_bed_days", 100)
    return weekly_return_record(ward=ward, week_start=LAST_WEEK, user=user, **kwargs)


def test_the_service_writes_changes_and_removes_figures_with_history(ward, staff):
    weekly_return = record(ward, staff, values={
        "restraint_debrief_72h": Proportion(3, 4), "seclusion_hours": Decimal("12.5"),
        "staff_feel_safe_score": Decimal("6.5")})  # fmt: skip
    assert saved_state(weekly_return).values == {
        "restraint_debrief_72h": Proportion(3, 4), "seclusion_hours": Decimal("12.5"),
        "staff_feel_safe_score": Decimal("6.5")}  # fmt: skip
    record(ward, staff, values={"seclusion_hours": None, "restraint_debrief_72h": Proportion(4, 4)})
    assert saved_state(weekly_return).values == {
        "restraint_debrief_72h": Proportion(4, 4), "staff_feel_safe_score": Decimal("6.5")}
    assert WeeklyValue.history.filter(measure__code="seclusion_hours").count() == 2  # + and -
    assert WeeklyValue.history.filter(measure__code="restraint_debrief_72h").count() == 2


def test_the_service_refuses_bad_figures_all_at_once_saving_nothing(ward, staff):
    with pytest.raises(ReturnRefused) as error:
        record(ward, staff, counts={"restrictive_practice_total": 4}, values={
            "restraint_debrief_72h": Proportion(5, 4), "seclusion_hours": Decimal(99_999),
            "staff_feel_safe_score": Decimal(11)})  # fmt: skip
    assert set(error.value.errors) == {"restrictive_practice_total", "restraint_debrief_72h",
                                       "seclusion_hours", "staff_feel_safe_score"}  # fmt: skip
    assert not WeeklyValue.objects.exists()


@pytest.fixture
def enrolled(ward):
    for name in ("Restrictive practice: national aim", "Sexual safety: national aim"):
        Enrolment.objects.create(programme=Programme.objects.get(name=name), ward=ward,
                                 joined_on=LAST_WEEK - datetime.timedelta(weeks=3))  # fmt: skip
    return ward


def url(ward):
    return reverse("measures:weekly-entry", kwargs={"ward_id": ward.pk, "week_start": LAST_WEEK})


def test_the_form_shows_the_right_inputs_per_type_and_no_composite(client, staff, enrolled):
    client.force_login(staff)
    content = client.get(url(enrolled)).content.decode()
    assert 'name="num_restraint_debrief_72h"' in content
    assert 'name="den_restraint_debrief_72h"' in content
    assert 'name="num_sexual_safety_feel_safe"' in content
    assert 'name="v_seclusion_hours"' in content and 'inputmode="decimal"' in content
    assert "at most 3,360 hours" in content  # 168 hours × 20 beds
    assert "restrictive_practice_total" not in content
    assert "Ligature incidents" not in content  # not in the ward's programmes


def test_the_form_round_trips_each_type(client, staff, enrolled):
    client.force_login(staff)
    data = {"version": "0", "beds": "20", "occupied_bed_days": "130",
            "num_restraint_debrief_72h": "2", "den_restraint_debrief_72h": "3",
            "num_sexual_safety_feel_safe": "9", "den_sexual_safety_feel_safe": "12",
            "v_seclusion_hours": "7.25", "draft": ""}  # fmt: skip
    assert client.post(url(enrolled), data).status_code == 302
    values = saved_state(enrolled.returns.get()).values
    assert values == {"restraint_debrief_72h": Proportion(2, 3),
                      "sexual_safety_feel_safe": Proportion(9, 12),
                      "seclusion_hours": Decimal("7.25")}  # fmt: skip
    content = client.get(url(enrolled)).content.decode()
    assert 'name="num_restraint_debrief_72h" type="text" inputmode="numeric" autocomplete="off" ' \
        'spellcheck="false" value="2"' in content  # fmt: skip
    assert 'value="7.25"' in content


def test_the_form_shows_every_figure_error_in_one_round_keeping_typed_values(
    client, staff, enrolled
):
    client.force_login(staff)
    data = {"version": "0", "beds": "20", "occupied_bed_days": "130",
            "num_restraint_debrief_72h": "4", "den_restraint_debrief_72h": "3",
            "num_sexual_safety_feel_safe": "x", "den_sexual_safety_feel_safe": "",
            "v_seclusion_hours": "4000", "draft": ""}  # fmt: skip
    response = client.post(url(enrolled), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "cannot be more than the denominator" in form.errors["num_restraint_debrief_72h"][0]
    assert "must be a whole number" in form.errors["num_sexual_safety_feel_safe"][0]
    assert "168 hours × 20 beds" in form.errors["v_seclusion_hours"][0]
    assert 'value="4000"' in response.content.decode()
    assert not WeeklyValue.objects.exists()


def test_the_history_lists_each_figure_change_with_who_and_why(ward, staff):
    weekly_return = record(ward, staff, values={"restraint_debrief_72h": Proportion(2, 3)})
    record(ward, staff, values={"restraint_debrief_72h": Proportion(3, 3),
                                "seclusion_hours": Decimal("4.5")})  # fmt: skip
    changes = {(c.what, c.old, c.new) for c in weekly_return_history(weekly_return)}
    assert ("Restraints debriefed within 72 hours", "blank", "2 of 3") in changes
    assert ("Restraints debriefed within 72 hours", "2 of 3", "3 of 3") in changes
    assert ("Hours in seclusion", "blank", "4.5") in changes


def test_the_admin_refuses_overlapping_parts_added_together():
    total = Measure.objects.create(code="rp_test", name="RP test", domain="restrictive_practice",
                                   unit="x", definition="x", value_type="composite")  # fmt: skip
    physical = Measure.objects.get(code="physical_restraint")
    prone = Measure.objects.get(code="prone_restraint")
    formset_class = inlineformset_factory(Measure, CompositePart, fk_name="composite",
                                          formset=CompositePartFormSet, fields=["part"])

    def formset(*parts):
        data = {"parts-TOTAL_FORMS": str(len(parts)), "parts-INITIAL_FORMS": "0"}
        data |= {f"parts-{i}-part": str(p.pk) for i, p in enumerate(parts)}
        return formset_class(data, instance=total, prefix="parts")

    refused = formset(physical, prone)
    assert not refused.is_valid()
    assert "overlap" in " ".join(refused.non_form_errors())
    assert formset(physical, Measure.objects.get(code="seclusion")).is_valid()
