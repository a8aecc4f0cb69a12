"""The writes of change ideas and PDSA cycles: rules in one round, nothing saved half-way,
every change in history; and the database constraints behind the rules."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from measures.change_ideas import (
    change_idea_create,
    change_idea_update,
    pdsa_cycle_add,
    pdsa_cycle_update,
)
from measures.models import ChangeIdea, Enrolment, PdsaCycle, Programme
from tests.factories import PdsaCycleFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(weeks=10)
NHS_NUMBER = "943 476 5919"


def create(ward, user, **values):
    base = {"title": "Safewards calm-down methods", "started_on": START,
            "measures": ["physical_restraint"], "plan": "Calm-down box on the late shift",
            "prediction": "Fewer restraints in four weeks", "owner_role": "Charge nurse"}
    return change_idea_create(ward=ward, user=user, **(base | values))  # fmt: skip


def refusal(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_it_creates_an_idea_with_its_first_cycle_and_targets(ward, staff):
    idea = create(ward, staff, measures=["physical_restraint", "prone_restraint"])
    assert list(idea.measures.values_list("code", flat=True)) == ["physical_restraint",
                                                                   "prone_restraint"]
    cycle = idea.cycles.get()
    assert (cycle.number, cycle.starts_on, cycle.stage, cycle.created_by) == (1, START, "plan",
                                                                              staff)
    assert idea.stage == "plan" and idea.created_by == staff


def test_it_refuses_every_broken_rule_at_once_and_saves_nothing(ward, staff):
    errors = refusal(lambda: create(
        ward, staff, title=" ", started_on=datetime.date(2014, 1, 1), measures=[],
        notes=f"after patient {NHS_NUMBER}", prediction="",
        ends_on=datetime.date(2013, 1, 1),
    ))  # fmt: skip
    assert set(errors) == {"title", "started_on", "measures", "notes", "prediction", "ends_on"}
    assert "NHS number" in errors["notes"][0]
    assert not ChangeIdea.objects.exists() and not PdsaCycle.objects.exists()


def test_it_refuses_a_measure_the_ward_does_not_report(ward, staff):
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    Enrolment.objects.create(programme=programme, ward=ward, joined_on=datetime.date(2024, 1, 1))
    errors = refusal(lambda: create(ward, staff, measures=["physical_restraint", "awol"]))
    assert errors == {"measures": ["Not a measure this ward reports: awol."]}


def test_it_changes_an_idea_and_its_targets_with_history(ward, staff, qi_lead):
    idea = create(ward, staff)
    change_idea_update(idea=idea, user=qi_lead, title="Safewards", measures=["seclusion"],
                       driver_area="Safewards")  # fmt: skip
    idea.refresh_from_db()
    assert idea.title == "Safewards" and idea.driver_area == "Safewards"
    assert list(idea.measures.values_list("code", flat=True)) == ["seclusion"]
    latest = idea.history.order_by("history_date", "history_id").last()
    assert latest.history_user == qi_lead
    assert [m.measure.code for m in latest.measures.all()] == ["seclusion"]


def test_it_keeps_an_idea_from_starting_after_its_first_cycle(ward, staff):
    idea = create(ward, staff)
    errors = refusal(lambda: change_idea_update(
        idea=idea, user=staff, started_on=START + datetime.timedelta(days=1)))
    assert "first PDSA cycle starts on" in errors["started_on"][0]


def test_it_records_a_cycle_stage_by_stage_and_closes_it(ward, staff):
    cycle = create(ward, staff).cycles.get()
    pdsa_cycle_update(cycle=cycle, user=staff, do="Tried on 20 late shifts")
    pdsa_cycle_update(cycle=cycle, user=staff, study="Restraint fell")
    assert PdsaCycle.objects.get().stage == "study"
    errors = refusal(lambda: pdsa_cycle_update(cycle=cycle, user=staff, outcome="adopt",
                                               ends_on=TODAY))  # fmt: skip
    assert "once it has reached Act" in errors["outcome"][0]
    pdsa_cycle_update(cycle=cycle, user=staff, act="Keep it", outcome="adopt", ends_on=TODAY)
    cycle.refresh_from_db()
    assert (cycle.stage, cycle.stage_label, cycle.outcome) == ("closed", "Closed: adopt", "adopt")
    assert cycle.history.count() == 4  # created, Do, Study, Act with the outcome (none refused)
    assert cycle.history.first().history_user == staff


def test_it_starts_the_next_cycle_only_after_the_last_is_closed(ward, staff):
    idea = create(ward, staff)
    later = START + datetime.timedelta(weeks=4)
    errors = refusal(lambda: pdsa_cycle_add(idea=idea, user=staff, plan="Every shift",
                                            prediction="Halves", starts_on=later))  # fmt: skip
    assert errors == {"__all__": ["Cycle 1 is still open: close it with its outcome (adopt, "
                                  "adapt or abandon) before starting the next."]}  # fmt: skip
    pdsa_cycle_update(cycle=idea.cycles.get(), user=staff, do="x", study="x", act="x",
                      outcome="adapt", ends_on=later)  # fmt: skip
    second = pdsa_cycle_add(idea=idea, user=staff, plan="Every shift", prediction="Halves",
                            starts_on=later)  # fmt: skip
    assert second.number == 2
    assert ChangeIdea.objects.get().stage == "plan"  # the idea's stage is its latest cycle's


def test_it_refuses_an_nhs_number_in_any_text_of_a_cycle(ward, staff):
    cycle = create(ward, staff).cycles.get()
    for field in ("owner_role", "plan", "prediction", "do"):
        errors = refusal(lambda f=field: pdsa_cycle_update(cycle=cycle, user=staff,
                                                           **{f: f"Patient {NHS_NUMBER}"}))
        assert "NHS number" in errors[field][0]
    assert PdsaCycle.objects.get().do == ""


def test_the_database_refuses_an_outcome_before_act_and_an_end_before_the_start(ward):
    cycle = PdsaCycleFactory(idea__ward=ward)
    with transaction.atomic(), pytest.raises(IntegrityError):
        PdsaCycle.objects.filter(pk=cycle.pk).update(outcome="adopt", ends_on=START)
    with transaction.atomic(), pytest.raises(IntegrityError):
        PdsaCycle.objects.filter(pk=cycle.pk).update(ends_on=cycle.starts_on
                                                     - datetime.timedelta(days=1))
    with transaction.atomic(), pytest.raises(IntegrityError):
        PdsaCycleFactory(idea=cycle.idea, number=1)
