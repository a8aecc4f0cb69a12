"""Benchmark of the API bulk upsert, POST /api/v1/returns/bulk/ (not a test).

10,000 items (20 wards × 500 weeks, every measure) posted with a token through the whole
stack (authentication, JSON parsing, per-item validation, the import plan and its bulk
commit), against a throw-away database: new items, the same items again (no-op), and the
items with one count changed in each (10,000 updates).

    python bench/api_bulk_upsert.py [--items 10000] [--database-url postgres://...]

With no --database-url it uses a new SQLite file in a temporary directory. Chart refreshes are
queued, not run (a worker's job).
"""

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WEEKS = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp.name}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mhsip.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("API_TOKEN_RATE", "1000/min")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.test import APIClient

    from measures.models import Measure, WeeklyCount, WeeklyReturn
    from mhsip.celery import app
    from tests.factories import MembershipFactory, RegionFactory, TrustFactory, UserFactory
    from tokens.services import api_token_create
    from wards.models import Membership, Ward

    call_command("migrate", verbosity=0)
    app.conf.task_always_eager = False
    user = UserFactory(username="bench-lead")
    trust = TrustFactory(name="Bench NHS Trust", ods_code="RZZ", region=RegionFactory())
    MembershipFactory(user=user, role=Membership.Role.QI_LEAD, trust=trust)
    _, key = api_token_create(user=user, name="bench")
    ward_count = max(1, args.items // WEEKS)
    Ward.objects.bulk_create(
        Ward(trust=trust, name=f"Ward {i:03d}", ward_type="acute_adult", beds=20,
             active_from=datetime.date(2000, 1, 3))
        for i in range(ward_count)
    )  # fmt: skip
    ward_ids = list(Ward.objects.values_list("pk", flat=True))
    codes = list(Measure.objects.filter(is_active=True, parent=None).values_list("code", flat=True))
    first = datetime.date(2015, 1, 5)

    def items(bump=0):
        return [
            {
                "ward": ward_id,
                "week_start": (first + datetime.timedelta(weeks=w)).isoformat(),
                "occupied_bed_days": 100 + (w % 30),
                "status": "submitted",
                "counts": {c: (w + i + bump * (c == codes[-1])) % 5 for i, c in enumerate(codes)},
            }
            for ward_id in ward_ids
            for w in range(args.items // len(ward_ids))
        ]

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    def post(body):
        data = json.dumps({"items": body, "source": "bench"})
        start = time.perf_counter()
        response = client.post("/api/v1/returns/bulk/", data, content_type="application/json")
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.content[:2000]
        result = response.json()
        return elapsed, (result["created"], result["updated"], result["unchanged"])

    new = items()
    print(
        f"API bulk upsert of {len(new):,} items × {len(codes)} counts "
        f"({len(json.dumps(new)) / 1e6:.1f} MB JSON) on {connection.vendor}, "
        f"Python {platform.python_version()}, {platform.machine()}"
    )
    for label, body in [("new items", new), ("same items again", new),
                        ("one count changed in each", items(bump=1))]:  # fmt: skip
        elapsed, totals = post(body)
        print(f"  {label:<28} {elapsed:6.2f} s   created/updated/unchanged {totals}")
    print(
        f"  rows: {WeeklyReturn.objects.count():,} returns, {WeeklyCount.objects.count():,} "
        "counts"
    )


if __name__ == "__main__":
    main()
