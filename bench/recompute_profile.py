"""Where a full recompute's time goes: each phase of the chart pipeline timed in process.

Runs the same code as the workers (`ward_charts_recompute`, `aggregate_charts_recompute`,
forced) over a sample of the national data set that `bench/national.py` builds, with each
phase wrapped in a timer: reading counts (inputs), chart settings (selectors), the engine
(`compute_auto_batch`), building payloads and summaries, and writing rows and views.

    DATABASE_URL=postgres://mhsip:mhsip@127.0.0.1:5432/mhsip_bench \\
    .venv/bin/python bench/recompute_profile.py --wards 200 --scopes 12

Single process, no workers: the figures are CPU seconds of one worker's share of the work.
"""

import argparse
import functools
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mhsip.settings")

import django  # noqa: E402

django.setup()

from spc import inputs, recompute, selectors, store_batch, stored  # noqa: E402
from spc.models import Scope  # noqa: E402
from spc.tasks import SCOPE_CHUNK, WARD_CHUNK  # noqa: E402
from wards.models import Region, Trust, Ward  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)

# (module, attribute, phase). Wrapped where the caller looks the name up, so nested phases
# are not counted twice: store_batch calls compute_auto_batch and view_payload by name.
PHASES = [
    (inputs, "ward_series", "read counts and dates (ward)"),
    (inputs, "aggregate_series", "sum counts in PostgreSQL (aggregates)"),
    (selectors, "ward_configs", "chart settings and targets"),
    (selectors, "aggregate_config", "chart settings and targets"),
    (store_batch, "_plan", "input hashes and view specs"),
    (store_batch, "compute_auto_batch", "engine (compute_auto_batch)"),
    (store_batch, "view_payload", "payloads and summaries"),
    (store_batch, "_write", "write chart rows"),
    (store_batch, "_write_views", "write views (COPY)"),
]


def timed(fn, phase):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[phase] += time.perf_counter() - started

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=200)
    parser.add_argument("--scopes", type=int, default=12, help="trusts/regions/national")
    args = parser.parse_args()
    for module, name, phase in PHASES:
        setattr(module, name, timed(getattr(module, name), phase))
    ward_ids = list(Ward.objects.order_by("pk").values_list("pk", flat=True)[: args.wards])
    scopes = [(Scope.NATIONAL, 0)]
    scopes += [(Scope.REGION, pk) for pk in Region.objects.values_list("pk", flat=True)]
    scopes += [(Scope.TRUST, pk) for pk in Trust.objects.values_list("pk", flat=True)]
    scopes = scopes[: args.scopes]
    started = time.perf_counter()
    charts = 0
    for i in range(0, len(ward_ids), WARD_CHUNK):
        s = recompute.ward_charts_recompute(ward_ids=ward_ids[i : i + WARD_CHUNK], force=True)
        charts += s.computed + s.insufficient
    ward_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for i in range(0, len(scopes), SCOPE_CHUNK):
        s = recompute.aggregate_charts_recompute(scopes=scopes[i : i + SCOPE_CHUNK], force=True)
        charts += s.computed + s.insufficient
    total = ward_seconds + time.perf_counter() - started
    print(f"{len(ward_ids)} wards and {len(scopes)} aggregate scopes: {charts} charts in "
          f"{total:.2f} s ({1000 * total / max(charts, 1):.2f} ms a chart; wards "
          f"{ward_seconds:.2f} s); store version {stored.STORE_VERSION}")  # fmt: skip
    print("| phase | seconds | share |")
    print("|---|---|---|")
    accounted = 0.0
    for phase, seconds in sorted(SPENT.items(), key=lambda kv: -kv[1]):
        accounted += seconds
        print(f"| {phase} | {seconds:.2f} | {100 * seconds / total:.0f}% |")
    rest = total - accounted
    print(f"| everything else (queries of versions, loops, transactions) | {rest:.2f} | "
          f"{100 * rest / total:.0f}% |")  # fmt: skip


if __name__ == "__main__":
    main()
