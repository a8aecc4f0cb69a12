"""Found by bench/load.py: two people creating the same ward-week at once."""

import datetime
from unittest import mock

import pytest

from measures.errors import ConcurrentEditError
from measures.models import WeeklyReturn
from measures.services import weekly_return_record
from tests.factories import WeeklyReturnFactory

pytestmark = pytest.mark.django_db


def test_a_creation_race_is_a_concurrent_edit_not_a_500(ward, staff):
    week = datetime.date(2024, 1, 1)
    first = WeeklyReturnFactory(ward=ward, week_start=week, occupied_bed_days=100)
    # The other person's insert commits after this save looked for the ward-week and checked
    # uniqueness: only the database constraint sees it.
    empty = WeeklyReturn.objects.none()
    with (
        mock.patch.object(WeeklyReturn.objects, "select_for_update", return_value=empty),
        mock.patch.object(WeeklyReturn, "validate_unique"),
        mock.patch.object(WeeklyReturn, "validate_constraints"),
        pytest.raises(ConcurrentEditError) as caught,
    ):
        weekly_return_record(
            ward=ward, week_start=week, user=staff, counts={"physical_restraint": 2},
            occupied_bed_days=90, submit=True, expected_version=0,
        )  # fmt: skip
    assert caught.value.weekly_return.pk == first.pk
    assert WeeklyReturn.objects.get().occupied_bed_days == 100
