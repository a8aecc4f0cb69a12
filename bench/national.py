"""National-scale chart pipeline and dashboard benchmark (PostgreSQL + Redis + 2 Celery workers).

Builds (once) a national data set: 60 trusts in 7 regions, 1,200 wards, every catalogue
measure, 160 weeks of submitted returns; then measures, in one run:

1. a full recompute of every ward, trust, region and national chart by 2 worker processes;
2. the time from saving one return (the web form's service) to its ward chart being fresh;
3. the time from committing a 10,000-row import to every chart it touches being fresh;
4. server time of the ward, trust and region pages (Django test client, in process).

    createdb -O mhsip mhsip_bench      # once, as the postgres user
    DATABASE_URL=postgres://mhsip:mhsip@127.0.0.1:5432/mhsip_bench \\
    REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/national.py

Loopback only; bounded: every wait has a timeout.
"""

import argparse
import datetime
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mhsip.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from measures.demo import RATES  # noqa: E402
from measures.import_commit import weekly_returns_import_commit  # noqa: E402
from measures.importing import parse_returns_file  # noqa: E402
from measures.models import Enrolment, Measure, Programme, WeeklyReturn  # noqa: E402
from measures.services import weekly_return_record  # noqa: E402
from mhsip.weeks import latest_complete_week  # noqa: E402
from spc.models import Scope, StoredChart  # noqa: E402
from spc.tasks import charts_recompute_all_task  # noqa: E402
from wards.models import Membership, Region, Trust, Ward  # noqa: E402

TYPES = list(RATES)
BEDS = {"picu": 10, "lda": 8, "perinatal": 8, "camhs": 12}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def copy_rows(table: str, columns: list[str], rows) -> None:
    """PostgreSQL COPY: millions of rows in seconds (bulk_create would take minutes)."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def create_wards(trusts: int, wards_per_trust: int, first: datetime.date) -> list[Ward]:
    """Regions, trusts and wards of every type, each enrolled in every programme."""
    regions = [Region.objects.create(name=f"Bench region {r}", code=f"bench-{r}") for r in range(7)]
    ward_rows = []
    for t in range(trusts):
        trust = Trust.objects.create(
            name=f"Bench trust {t:02d}",
            ods_code="R" + "ABCDEFGHJKLMNPQRSTUVWXYZ"[t // 10 % 24] + str(t % 10),
            region=regions[t % 7],
        )
        for w in range(wards_per_trust):
            ward_type = TYPES[(t + w) % len(TYPES)]
            ward_rows.append(
                Ward(
                    trust=trust, name=f"Ward {w:02d}", ward_type=ward_type,
                    beds=BEDS.get(ward_type, 18), active_from=datetime.date(2015, 1, 1),
                )
            )  # fmt: skip
    wards = Ward.objects.bulk_create(ward_rows)
    programmes = list(Programme.objects.all())
    Enrolment.objects.bulk_create(
        [Enrolment(programme=p, ward=w, joined_on=first) for w in wards for p in programmes]
    )
    return wards


def build_dataset(trusts: int, wards_per_trust: int, weeks: int) -> None:
    if Ward.objects.count() >= trusts * wards_per_trust:
        log(f"data set present: {Ward.objects.count()} wards")
        return
    last = latest_complete_week(timezone.localdate())
    first = last - datetime.timedelta(weeks=weeks - 1)
    rng = np.random.default_rng(2024)
    measures = list(Measure.objects.filter(is_active=True).order_by("display_order"))
    codes = [m.code for m in measures]
    with transaction.atomic():
        wards = create_wards(trusts, wards_per_trust, first)
        log(f"{len(wards)} wards created; writing {len(wards) * weeks} returns")
        now = timezone.now().isoformat()
        week_list = [first + datetime.timedelta(weeks=i) for i in range(weeks)]
        bed_days = {}

        def returns():
            for ward in wards:
                occupancy = rng.uniform(0.8, 1.0, weeks)
                for i, week in enumerate(week_list):
                    obd = int(ward.beds * 7 * occupancy[i])
                    bed_days[ward.pk, week] = obd
                    yield (ward.pk, week, ward.beds, obd, "submitted", 1, now, now, now)

        copy_rows(
            "measures_weeklyreturn",
            ["ward_id", "week_start", "beds", "occupied_bed_days", "status", "version",
             "submitted_at", "created_at", "updated_at"],
            returns(),
        )  # fmt: skip
        ids = {
            (w, d): pk
            for pk, w, d in WeeklyReturn.objects.filter(ward__in=wards).values_list(
                "pk", "ward_id", "week_start"
            )
        }
        by_code = {m.code: m.pk for m in measures}
        rate_index = {c: i for i, c in enumerate(
            ["physical_restraint", "rapid_tranquillisation", "seclusion", "long_term_segregation",
             "mechanical_restraint", "self_harm", "ligature", "awol", "sexual_safety_incidents",
             "sexual_safety_patients", "sexual_safety_staff", "violence_aggression"]
        )}  # fmt: skip

        def counts():
            for ward in wards:
                rates = RATES[ward.ward_type]
                for week in week_list:
                    obd = bed_days[ward.pk, week]
                    restraint = None
                    for code in codes:
                        if code == "prone_restraint":
                            continue
                        value = int(rng.poisson(rates[rate_index[code]] * obd / 1000))
                        if code == "physical_restraint":
                            restraint = value
                        yield (ids[ward.pk, week], by_code[code], value)
                    yield (ids[ward.pk, week], by_code["prone_restraint"],
                           int(rng.binomial(restraint, 0.15)))  # fmt: skip

        copy_rows("measures_weeklycount", ["weekly_return_id", "measure_id", "count"], counts())
    log(f"data set built: {WeeklyReturn.objects.count()} returns")


def start_workers(n: int) -> list[subprocess.Popen]:
    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "mhsip", "worker", "--concurrency=1",
             "-n", f"bench{i}@%h", "--without-mingle", "--without-gossip", "--loglevel=WARNING"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        for i in range(n)
    ]
    from mhsip.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len(app.control.ping(timeout=1) or []) >= n:
            return workers
    raise SystemExit("workers did not start within 60 s")


def wait_for(condition, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def expected_charts() -> int:
    measures = Measure.objects.filter(is_active=True).count()
    scopes = (
        Ward.objects.count() + Trust.objects.count() + Region.objects.count() + 1
    )
    return measures * scopes


def full_recompute() -> float:
    total = expected_charts()
    started = timezone.now()
    t0 = time.monotonic()
    charts_recompute_all_task.delay(force=True)
    ok = wait_for(
        lambda: StoredChart.objects.filter(computed_at__gte=started).count() >= total, 900, 0.5
    )
    elapsed = time.monotonic() - t0
    if not ok:
        raise SystemExit("full recompute did not finish within 900 s")
    return elapsed


def save_to_fresh_during_recompute(user, samples: int) -> list[float]:
    """Save -> the ward's chart fresh, while a full national recompute runs on the workers."""
    charts_recompute_all_task.delay(force=True)
    time.sleep(1)  # the recompute's chunks are queued and running
    return save_to_fresh(user, samples, count=7)


def save_to_fresh(user, samples: int, count: int = 9) -> list[float]:
    week = latest_complete_week(timezone.localdate())
    restraint = Measure.objects.get(code="physical_restraint")
    times = []
    for ward in Ward.objects.order_by("?")[:samples]:
        t0 = time.monotonic()
        weekly_return_record(
            ward=ward, week_start=week, user=user, counts={"physical_restraint": count},
            occupied_bed_days=ward.beds * 6, submit=True, reason="benchmark",
        )  # fmt: skip

        def fresh(ward=ward):
            result = StoredChart.objects.get(
                scope=Scope.WARD, scope_id=ward.pk, measure=restraint
            )
            return not result.is_stale

        if not wait_for(fresh, 60):
            raise SystemExit("a ward chart was not fresh within 60 s of a save")
        times.append(time.monotonic() - t0)
    return times


def import_to_fresh(user, rows: int) -> tuple[float, float, int]:
    wards = list(Ward.objects.select_related("trust").order_by("pk")[:200])
    per_ward = rows // len(wards)
    last = latest_complete_week(timezone.localdate())
    weeks = [last - datetime.timedelta(weeks=i) for i in range(1, per_ward + 1)]
    header = "trust_ods,ward_name,week_start,status,beds,occupied_bed_days,seclusion,self_harm"
    lines = [header]
    stamp = int(time.time()) % 5 + 1  # a new value each run, so every row is an update
    for ward in wards:
        for week in weeks:
            lines.append(
                f"{ward.trust.ods_code},{ward.name},{week},submitted,{ward.beds},"
                f"{ward.beds * 6},{stamp},{stamp + 1}"
            )
    parsed = parse_returns_file(content="\n".join(lines).encode(), filename="bench.csv")
    t0 = time.monotonic()
    weekly_returns_import_commit(
        user=user, parsed=parsed, source="bench.csv", confirm_implausible=True,
        reason="benchmark",  # the file changes submitted weeks older than 4 weeks
    )
    committed = time.monotonic() - t0
    if not wait_for(lambda: not StoredChart.objects.filter(
        dirty_version__gt=django.db.models.F("computed_version")
    ).exists(), 600, 0.2):  # fmt: skip
        raise SystemExit("imported charts were not fresh within 600 s")
    return committed, time.monotonic() - t0, len(lines) - 1


def page_times(user, repeats: int) -> dict[str, tuple[float, float]]:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    ward = Ward.objects.order_by("pk").first()
    pages = {
        "ward dashboard": f"/wards/{ward.pk}/",
        "trust matrix (20 wards)": f"/trusts/{ward.trust_id}/",
        "region comparison": f"/regions/{ward.trust.region_id}/",
    }
    results = {}
    for name, url in pages.items():
        assert client.get(url).status_code == 200, url
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - t0)
        times.sort()
        results[name] = (statistics.median(times), times[int(0.95 * (len(times) - 1))])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trusts", type=int, default=60)
    parser.add_argument("--wards-per-trust", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=160)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--page-repeats", type=int, default=30)
    parser.add_argument("--pages-only", action="store_true", help="only time the pages")
    args = parser.parse_args()
    if connection.vendor != "postgresql" or settings.CELERY_TASK_ALWAYS_EAGER:
        raise SystemExit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: see the docstring.")
    call_command("migrate", verbosity=0)
    build_dataset(args.trusts, args.wards_per_trust, args.weeks)
    admin, _ = get_user_model().objects.get_or_create(username="bench-admin")
    Membership.objects.get_or_create(user=admin, role=Membership.Role.ADMIN)
    if args.pages_only:
        print_pages(page_times(admin, args.page_repeats))
        return
    workers = start_workers(args.workers)
    try:
        log(f"full recompute of {expected_charts()} charts with {args.workers} workers")
        full = full_recompute()
        log(f"full recompute: {full:.1f} s")
        saves = save_to_fresh(admin, args.saves)
        log(f"save -> fresh: median {statistics.median(saves):.2f} s, max {max(saves):.2f} s")
        busy = save_to_fresh_during_recompute(admin, args.saves)
        log(f"save -> fresh during a full recompute: median {statistics.median(busy):.2f} s, "
            f"max {max(busy):.2f} s")
        committed, fresh, rows = import_to_fresh(admin, args.import_rows)
        log(f"import of {rows} rows: committed {committed:.1f} s, all charts fresh {fresh:.1f} s")
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    pages = page_times(admin, args.page_repeats)
    print("\n| measure | result |\n|---|---|")
    print(f"| full recompute, {expected_charts()} charts, {args.workers} workers | {full:.1f} s |")
    print(
        f"| save → ward chart fresh ({len(saves)} saves) | median {statistics.median(saves):.2f}"
        f" s, max {max(saves):.2f} s |"
    )
    print(
        f"| save → ward chart fresh while a full recompute runs ({len(busy)} saves) | median "
        f"{statistics.median(busy):.2f} s, max {max(busy):.2f} s |"
    )
    print(f"| import of {rows} rows: commit | {committed:.1f} s |")
    print(f"| import of {rows} rows: commit → every chart fresh | {fresh:.1f} s |")
    print_pages(pages)


def print_pages(pages: dict[str, tuple[float, float]]) -> None:
    for name, (p50, p95) in pages.items():
        print(f"| {name} page, server time | p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
