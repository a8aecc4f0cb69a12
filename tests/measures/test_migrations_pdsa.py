"""Change ideas recorded before PDSA cycles keep their stage, notes and charts."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from measures.catalogue import sync_catalogue
from measures.models import ChangeIdea, Measure, Programme

BEFORE = [("measures", "0005_incident_dates")]


def migrate(targets=None):
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_it_gives_each_old_idea_one_cycle_and_its_wards_programme_measures(ward, other_ward):
    sync_catalogue(Measure, Programme)  # transactional tests flush the migrated catalogue
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    expected = set(programme.measures.values_list("code", flat=True))
    try:
        old = migrate(BEFORE)
        Idea = old.get_model("measures", "ChangeIdea")
        old.get_model("measures", "Enrolment").objects.create(
            programme_id=programme.pk, ward_id=ward.pk, joined_on=datetime.date(2024, 1, 1)
        )
        studied = Idea.objects.create(ward_id=ward.pk, title="Safewards", stage="study",
                                      started_on=datetime.date(2024, 3, 4),
                                      notes="Restraint fell on the late shift")  # fmt: skip
        planned = Idea.objects.create(ward_id=other_ward.pk, title="Huddles", stage="plan",
                                      started_on=datetime.date(2024, 5, 6))  # fmt: skip
    finally:
        migrate()
    cycle = ChangeIdea.objects.get(pk=studied.pk).cycles.get()
    assert (cycle.number, cycle.starts_on, cycle.stage) == (1, datetime.date(2024, 3, 4), "study")
    assert cycle.study == "Restraint fell on the late shift"
    assert cycle.plan.startswith("Not recorded") and cycle.do.startswith("Not recorded")
    targets = set(ChangeIdea.objects.get(pk=studied.pk).measures.values_list("code", flat=True))
    assert targets == expected
    # A ward in no programme: every active measure, where it was drawn before.
    other = ChangeIdea.objects.get(pk=planned.pk)
    assert other.measures.count() == Measure.objects.filter(is_active=True).count()
    assert (other.stage, other.cycles.get().plan) == ("plan", "Huddles")
