"""Benchmark of the bulk import of weekly returns (not a test).

Builds a 50,000-row CSV (100 wards × 500 weeks, every measure of the catalogue), then times
against a throw-away database:

1. parse + preview of the new file (what the preview page does),
2. the commit of 50,000 new returns (~650,000 counts, with their history rows),
3. parse + preview + commit of the same file again (idempotent: everything unchanged),
4. parse + preview + commit of the file with one count changed in every row (50,000 updates),
5. parse + preview + commit of a file of 50,000 incidents (one row each: seclusion and
   self-harm of the same wards and weeks, about one a week each): their counts and days.

Each step is what the preview page or its Import button does, minus HTTP.

    python bench/import_returns.py [--rows 50000] [--database-url postgres://...] [--with-charts]

With no --database-url it uses a new SQLite file in a temporary directory. A PostgreSQL URL
must name an empty database the script may migrate (it is not cleaned up).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WEEKS = 500


def build_csv(
    rows: int, codes: list[str], wards: list[tuple[str, str]], first_week, bump: int = 0
) -> bytes:
    """The file; `bump` adds to the last measure's count of every row (an update of each)."""
    rng = np.random.default_rng(2024)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["trust_ods", "ward_name", "ward_code", "week_start", "beds", "occupied_bed_days",
         "status", *codes]
    )  # fmt: skip
    weeks = rows // len(wards)
    for ods, name in wards:
        for w in range(weeks):
            week = first_week + datetime.timedelta(weeks=w)
            counts = {code: int(rng.poisson(2)) for code in codes}
            counts["prone_restraint"] = min(counts["prone_restraint"], counts["physical_restraint"])
            counts[codes[-1]] += bump
            if rng.random() < 0.01:
                counts["self_harm"] = ""  # missing, not zero
            writer.writerow(
                [ods, name, "", week.isoformat(), "", int(rng.integers(90, 140)), "submitted",
                 *[counts[c] for c in codes]]
            )  # fmt: skip
    return buffer.getvalue().encode()


def build_incidents(rows: int, wards: list[tuple[str, str]], first_week) -> bytes:
    """`rows` incidents spread over the wards and weeks of the returns file, a day each."""
    rng = np.random.default_rng(2025)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["trust_ods", "ward_name", "measure", "incident_date"])
    weeks = WEEKS * len(wards)
    for _ in range(rows):
        ward = int(rng.integers(len(wards)))
        day = first_week + datetime.timedelta(days=int(rng.integers(weeks // len(wards) * 7)))
        writer.writerow([*wards[ward], ("seclusion", "self_harm")[int(rng.integers(2))],
                         day.isoformat()])  # fmt: skip
    return buffer.getvalue().encode()


def timed(label: str, function):
    start = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - start
    print(f"  {label:<44} {elapsed:7.2f} s")
    return result, elapsed


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mhsip.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # As in production: with DEBUG on, Django also records every query it runs.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--with-charts",
        action="store_true",
        help="also run the chart refresh the commit queues, in-process (a worker's job)",
    )
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    setup_django(args.database_url or f"sqlite:///{tmp.name}/bench.sqlite3")
    from django.core.management import call_command
    from django.db import connection

    from measures.import_commit import weekly_returns_import_commit
    from measures.import_plan import returns_import_plan
    from measures.importing import parse_returns_file
    from measures.models import IncidentDate, Measure, WeeklyCount, WeeklyReturn
    from tests.factories import MembershipFactory, RegionFactory, TrustFactory, UserFactory
    from wards.models import Membership, Ward

    call_command("migrate", verbosity=0)
    if not args.with_charts:
        # In production the commit only queues the chart refresh for a worker; without Redis,
        # Celery would run it in-process and this would time the SPC recompute too.
        from mhsip.celery import app

        app.conf.task_always_eager = False
    user = UserFactory(username="bench-admin")
    MembershipFactory(user=user, role=Membership.Role.ADMIN)
    trust = TrustFactory(name="Bench NHS Trust", ods_code="RZZ", region=RegionFactory())
    ward_count = max(1, args.rows // WEEKS)
    Ward.objects.bulk_create(
        Ward(trust=trust, name=f"Ward {i:03d}", ward_type="acute_adult", beds=20,
             active_from=datetime.date(2000, 1, 3))
        for i in range(ward_count)
    )  # fmt: skip
    codes = list(Measure.objects.filter(is_active=True).values_list("code", flat=True))
    wards = [("RZZ", f"Ward {i:03d}") for i in range(ward_count)]
    first_week = datetime.date(2015, 1, 5)
    content = build_csv(args.rows, codes, wards, first_week)

    print(
        f"Import of {args.rows:,} rows × {len(codes)} measures ({len(content) / 1e6:.1f} MB CSV) "
        f"on {connection.vendor}, Python {platform.python_version()}, {platform.machine()}"
        + (", chart refresh run in-process" if args.with_charts else ", chart refresh queued")
    )

    def preview(data):
        parsed = parse_returns_file(content=data, filename="bench.csv")
        return parsed, returns_import_plan(user=user, parsed=parsed)

    def commit(parsed):
        # Every week of the file ended years ago: changing them needs a reason, as for a user.
        return weekly_returns_import_commit(
            user=user, parsed=parsed, source="bench.csv", reason="benchmark re-import"
        )

    (parsed, plan), t_preview = timed("parse + preview, new file", lambda: preview(content))
    assert not plan.errors, plan.errors[:5]
    plan, t_commit = timed("commit 50k new returns", lambda: commit(parsed))
    print(
        f"    -> {WeeklyReturn.objects.count():,} returns, {WeeklyCount.objects.count():,} counts, "
        f"{WeeklyCount.history.count():,} count history rows"
    )
    (parsed, plan), t_again = timed("parse + preview, same file again", lambda: preview(content))
    assert plan.totals["unchanged"] == len(parsed.rows), plan.totals
    _, t_again_commit = timed("commit, same file again (no writes)", lambda: commit(parsed))

    changed = build_csv(args.rows, codes, wards, first_week, bump=1)
    (parsed, plan), t_upd = timed(
        "parse + preview, one count changed per row", lambda: preview(changed)
    )
    _, t_upd_commit = timed("commit 50k updates", lambda: commit(parsed))
    print(f"    -> {plan.totals}")
    incidents = build_incidents(args.rows, wards, first_week)
    (parsed, plan), t_inc = timed("parse + preview, 50k incident rows", lambda: preview(incidents))
    assert not plan.errors, plan.errors[:5]
    _, t_inc_commit = timed("commit 50k incidents (counts and days)", lambda: commit(parsed))
    print(f"    -> {plan.totals}, {IncidentDate.objects.count():,} days")
    print(
        f"First import end to end (preview + commit): {t_preview + t_commit:.1f} s; "
        f"re-upload: {t_again + t_again_commit:.1f} s; update: {t_upd + t_upd_commit:.1f} s; "
        f"incidents: {t_inc + t_inc_commit:.1f} s"
    )
    tmp.cleanup()


if __name__ == "__main__":
    main()
