"""Fault drills under load (bench/load.py's users, fewer of them, fixed duration ≤ 60 s each):

1. postgres: PostgreSQL restarts 10 s into the run. Requests that hit the outage must be a
   clean 503 (page or JSON, no stack trace); the app must recover without being restarted;
   every acknowledged write must be there.
2. redis: Redis stops 10 s in and comes back 15 s later. Entry must keep working (saves are
   acknowledged while Redis is down); charts go stale; once Redis is back, the staleness check
   (`recompute_charts --stale`, what beat runs every CHARTS_STALE_CHECK_SECONDS) makes them fresh.
3. worker: the Celery worker is killed (SIGKILL) mid-recompute 10 s in and a new one started;
   the task it held is redelivered (visibility timeout shortened to 15 s for the drill) and
   the charts become fresh.

Needs a PostgreSQL cluster and a Redis server of its own (it restarts and stops them):

    DATABASE_URL=postgres://mhsip:mhsip@127.0.0.1:5440/mhsip_load \\
    REDIS_URL=redis://127.0.0.1:6390/0 .venv/bin/python bench/drills.py \\
        --pg-cluster "15 load" --redis-port 6390 postgres redis worker
"""

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("CELERY_VISIBILITY_TIMEOUT", "15")
os.environ.setdefault("CELERY_UNACKED_RESTORE_INTERVAL", "5")

import load  # noqa: E402  (sets Django up)
from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402

from spc.models import Scope, StoredChart  # noqa: E402

log = load.log


def stale_wards(ward_ids) -> int:
    for _attempt in range(30):  # the database may itself be coming back
        try:
            close_old_connections()
            return sum(
                1 for r in StoredChart.objects.filter(scope=Scope.WARD, scope_id__in=ward_ids)
                if r.is_stale
            )
        except Exception:
            connection.close()
            time.sleep(1)
    raise SystemExit("database did not come back")


def wait_fresh(ward_ids, timeout) -> float | None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if stale_wards(ward_ids) == 0:
            return time.monotonic() - t0
        time.sleep(1)
    return None


def drill_postgres(args, the_cast):
    server = load.start_gunicorn(args.processes, args.threads)
    worker = load.start_worker("drill-pg")
    marks = {}

    def restart():
        marks["restart"] = time.monotonic()
        log("restarting PostgreSQL")
        subprocess.run(["pg_ctlcluster", *args.pg_cluster.split(), "restart"], check=True)
        marks["back"] = time.monotonic()
        log(f"PostgreSQL back after {marks['back'] - marks['restart']:.1f} s")

    try:
        results = load.run_load(the_cast, args.duration, [(10, restart)])
    finally:
        load.stop(server)
        load.stop(worker)
    connection.close()
    checks = load.verify(results, the_cast)
    failures = results.failures
    clean = [f for f in failures if f[1] == 503]
    traces = [f for f in failures if b"Traceback" in f[2] or b"OperationalError" in f[2]]
    after = [s for s in results.samples if s[1] >= 500]
    last_error = max((s[3] for s in after), default=marks["back"])
    ok_after = sum(1 for s in results.samples if s[3] > last_error and s[1] < 500)
    summary = load.report(results, checks)
    return {
        "drill": "postgres restart",
        "restart took s": round(marks["back"] - marks["restart"], 1),
        "5xx answers": len(after),
        "of which clean 503": len(clean),
        "no answer (connection failed)": sum(1 for f in failures if f[1] == 0),
        "answers with a stack trace": len(traces),
        "last error, s after the restart began": round(last_error - marks["restart"], 1),
        "answers after it, all below 500 (recovered without an app restart)": ok_after,
        "requests/s": round(summary["requests/s"], 1),
        "lost writes": checks["lost writes"],
        "acknowledged writes": checks["acknowledged writes"],
    }


def drill_redis(args, the_cast):
    server = load.start_gunicorn(args.processes, args.threads)
    worker = load.start_worker("drill-redis")
    marks = {}

    def redis_down():
        marks["down"] = time.monotonic()
        log("stopping Redis")
        subprocess.run(["redis-cli", "-p", str(args.redis_port), "shutdown", "nosave"])

    def redis_up():
        marks["up"] = time.monotonic()
        log("starting Redis")
        subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1",
                        "--port", str(args.redis_port), "--save", "", "--appendonly", "no"],
                       check=True)  # fmt: skip

    try:
        results = load.run_load(the_cast, args.duration, [(10, redis_down), (25, redis_up)])
        acks_during = [a for a in results.acks if marks["down"] <= a["at"] < marks["up"]]
        touched = sorted({a["ward"] for a in results.acks})
        stale_after_outage = stale_wards(touched)
        log(f"{stale_after_outage} touched ward charts stale; running the staleness check")
        t0 = time.monotonic()
        call_command("recompute_charts", "--stale")
        fresh_in = wait_fresh(touched, 120)
        fresh_in = None if fresh_in is None else time.monotonic() - t0
    finally:
        load.stop(server)
        load.stop(worker)
    checks = load.verify(results, the_cast)
    write_errors = [s for s in results.samples if s[0] == "write" and s[1] >= 500]
    summary = load.report(results, checks)
    return {
        "drill": "redis down 15 s",
        "writes acknowledged while Redis was down": len(acks_during),
        "write errors (5xx)": len(write_errors),
        "touched ward-measure charts stale after the outage": stale_after_outage,
        "all fresh after the staleness check, s": None if fresh_in is None else round(fresh_in, 1),
        "requests/s": round(summary["requests/s"], 1),
        "lost writes": checks["lost writes"],
    }


def drill_worker(args, the_cast):
    server = load.start_gunicorn(args.processes, args.threads)
    workers = [load.start_worker("drill-w1")]
    marks = {}

    def kill_worker():
        # The prefork child runs the task: SIGKILL the whole group, as an OOM kill or a lost
        # container would, so nothing is acknowledged.
        marks["kill"] = time.monotonic()
        children = subprocess.run(["pgrep", "-P", str(workers[0].pid)], capture_output=True,
                                  text=True).stdout.split()  # fmt: skip
        for pid in [workers[0].pid, *map(int, children)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
        log("worker killed; starting a new one")
        workers.append(load.start_worker("drill-w2"))

    try:
        results = load.run_load(the_cast, args.duration, [(10, kill_worker)])
        touched = sorted({a["ward"] for a in results.acks})
        stale = stale_wards(touched)
        log(f"{stale} touched ward charts stale at the end of the run; waiting for redelivery")
        fresh_in = wait_fresh(touched, 120)
    finally:
        load.stop(server)
        for worker in workers:
            load.stop(worker)
    checks = load.verify(results, the_cast)
    summary = load.report(results, checks)
    return {
        "drill": "worker killed (SIGKILL) mid-run",
        "touched ward-measure charts stale at end of run": stale,
        "fresh again (redelivered / requeued) after, s": None if fresh_in is None
        else round(fresh_in, 1),
        "requests/s": round(summary["requests/s"], 1),
        "write errors (5xx)": sum(1 for s in results.samples if s[0] == "write" and s[1] >= 500),
        "lost writes": checks["lost writes"],
    }


DRILLS = {"postgres": drill_postgres, "redis": drill_redis, "worker": drill_worker}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("drills", nargs="+", choices=sorted(DRILLS))
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--duration", type=float, default=40)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--pg-cluster", default="15 load", help="pg_ctlcluster version, name")
    parser.add_argument("--redis-port", type=int, default=6390)
    args = parser.parse_args()
    if not 0 < args.duration <= 60:
        raise SystemExit("--duration is bounded: 1 to 60 seconds")
    if "main" in args.pg_cluster.split():
        raise SystemExit("refusing to restart the shared 'main' cluster: give the drill its own")
    load.prepare(args)
    outcomes = []
    for name in args.drills:
        the_cast = load.cast(args.users, 5, time.strftime("%H%M%S") + name[:2])
        log(f"drill {name}: {len(the_cast.writers)} writers, {len(the_cast.readers)} readers")
        outcomes.append(DRILLS[name](args, the_cast))
        print(json.dumps(outcomes[-1], indent=2))
    print(json.dumps(outcomes, indent=2))


if __name__ == "__main__":
    main()
