"""API clients for the personas of tests/conftest.py (by token, as integrations do) and the
returns API tests' data helpers. The fixtures are registered in tests/conftest.py."""

import datetime
import itertools

from django.utils import timezone
from rest_framework.test import APIClient

from measures.models import Measure, WeeklyCount, WeeklyReturn
from mhsip.weeks import monday_of
from tokens.services import api_token_create

TODAY = timezone.localdate()
LAST_WEEK = monday_of(TODAY) - datetime.timedelta(weeks=1)


def weeks_back(n: int) -> datetime.date:
    return LAST_WEEK - datetime.timedelta(weeks=n)


_numbers = itertools.count()


def token_client(user, *, read_only=False, scheme="Token") -> APIClient:
    _, key = api_token_create(user=user, name=f"test {next(_numbers)}", read_only=read_only)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {key}")
    return client




def make_return(ward, week=None, *, counts=None, bed_days=None, status="submitted"):
    weekly_return = WeeklyReturn.objects.create(
        ward=ward,
        week_start=week or LAST_WEEK,
        beds=ward.beds,
        occupied_bed_days=ward.beds * 6 if bed_days is None else bed_days,
        status=status,
    )
    for code, value in (counts if counts is not None else {"physical_restraint": 2}).items():
        WeeklyCount.objects.create(
            weekly_return=weekly_return, measure=Measure.objects.get(code=code), count=value
        )
    return weekly_return
