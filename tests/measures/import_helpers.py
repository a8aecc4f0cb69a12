"""Files and helpers shared by the import tests."""

import datetime

from measures.import_commit import weekly_returns_import_commit
from measures.importing import parse_returns_file
from measures.models import WeeklyCount

WEEK = datetime.date(2024, 1, 1)
HEADER = (
    "trust_ods,ward_name,ward_code,week_start,beds,occupied_bed_days,status,seclusion,self_harm"
)


def csv_bytes(*lines, header=HEADER, encoding="utf-8"):
    return ("\n".join([header, *lines]) + "\n").encode(encoding)


def parse(content, filename="returns.csv", **kwargs):
    return parse_returns_file(content=content, filename=filename, **kwargs)


def commit(user, content, filename="returns.csv", **kwargs):
    return weekly_returns_import_commit(
        user=user, parsed=parse(content, filename), source=filename, **kwargs
    )


def saved(ward, week=WEEK):
    return dict(
        WeeklyCount.objects.filter(
            weekly_return__ward=ward, weekly_return__week_start=week
        ).values_list("measure__code", "count")
    )
