"""Reads of change ideas: the ideas of a month (board packs), chart markers, query counts."""

import datetime

import pytest

from measures.models import Measure
from measures.selectors import change_ideas_for
from measures.selectors_pdsa import change_ideas_of, chart_markers
from tests.factories import PdsaCycleFactory, WardFactory

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2025, 3, 1)


def test_it_gives_the_ideas_of_a_trust_running_in_a_month_for_one_measure(ward, other_ward):
    restraint = Measure.objects.get(code="physical_restraint")
    running = PdsaCycleFactory(idea__ward=other_ward, idea__title="Huddles",
                               idea__started_on=datetime.date(2025, 1, 6))  # fmt: skip
    ended = PdsaCycleFactory(idea__ward=ward, idea__title="Safewards",
                             idea__started_on=datetime.date(2025, 1, 6),
                             ends_on=datetime.date(2025, 3, 3), do="x", study="x", act="x",
                             outcome="adapt")  # fmt: skip
    PdsaCycleFactory(idea=ended.idea, number=2, starts_on=datetime.date(2025, 3, 31))
    PdsaCycleFactory(idea__ward=ward, idea__title="Too early", ends_on=datetime.date(2025, 2, 28),
                     idea__started_on=datetime.date(2025, 2, 3))  # fmt: skip
    PdsaCycleFactory(idea__ward=ward, idea__title="Too late",
                     idea__started_on=datetime.date(2025, 4, 1))  # fmt: skip
    PdsaCycleFactory(idea__ward=ward, idea__title="Other measure", idea__measures=["seclusion"],
                     idea__started_on=datetime.date(2025, 3, 10))  # fmt: skip
    PdsaCycleFactory(idea__ward=WardFactory(), idea__title="Other trust",
                     idea__started_on=datetime.date(2025, 3, 10))  # fmt: skip
    found = change_ideas_for(ward.trust, restraint, datetime.date(2025, 3, 17))
    assert [(m.idea.ward.name, m.idea.title) for m in found] == [("Elm Ward", "Huddles"),
                                                                 ("Oak Ward", "Safewards")]
    assert [c.number for c in found[1].cycles] == [1, 2]
    assert [c.pk for c in found[0].cycles] == [running.pk]
    assert change_ideas_for(ward.trust, restraint, datetime.date(2024, 12, 1)) == []


def test_it_marks_each_cycle_on_the_measures_the_idea_targets(ward, django_assert_num_queries):
    cycle = PdsaCycleFactory(idea__ward=ward, idea__title="Safewards",
                             idea__measures=["physical_restraint", "seclusion"])  # fmt: skip
    PdsaCycleFactory(idea=cycle.idea, number=2, starts_on=datetime.date(2024, 5, 6))
    PdsaCycleFactory(idea__ward=ward, idea__title="Huddles", idea__measures=["seclusion"])
    codes = dict(Measure.objects.values_list("pk", "code"))
    with django_assert_num_queries(3):  # ideas with their wards, cycles, measures
        markers = chart_markers(change_ideas_of([ward]), name_ward=True)
    by_code = {codes[pk]: sorted(m["title"] for m in marks) for pk, marks in markers.items()}
    assert by_code == {
        "physical_restraint": ["Oak Ward: Safewards (PDSA 1)", "Oak Ward: Safewards (PDSA 2)"],
        "seclusion": ["Oak Ward: Huddles (PDSA 1)", "Oak Ward: Safewards (PDSA 1)",
                      "Oak Ward: Safewards (PDSA 2)"],
    }  # fmt: skip
