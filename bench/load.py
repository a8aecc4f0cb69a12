"""Bounded load test: gunicorn + PostgreSQL + Redis + a Celery worker, national-scale data.

200 simulated users for a fixed time (≤ 60 s), loopback only:
- 70% writers enter or edit this week's return through the API with If-Match: half of each
  writer's writes go to its own ward-week (distinct), half to one of 10 ward-weeks shared with
  other writers (so creations and edits race);
- 30% readers load the ward dashboard and trust matrix pages and the charts and returns API.

Afterwards the database is checked: every acknowledged write (201/200) is in the history
exactly once with the version it was acknowledged with, no two acknowledged writes share a
version of a ward-week (nobody overwrote anybody silently), and each ward-week holds what its
last acknowledged write sent. Refused writes (409 creation race, 412 stale version) are the
optimistic locking doing its job and are counted, not errors.

    pg_createcluster 15 load --port 5440 && pg_ctlcluster 15 load start   # once, as root
    su postgres -c "createdb -p 5440 -O mhsip mhsip_load"                  # once
    redis-server --port 6390 --daemonize yes --save ''
    DATABASE_URL=postgres://mhsip:mhsip@127.0.0.1:5440/mhsip_load \\
    REDIS_URL=redis://127.0.0.1:6390/0 .venv/bin/python bench/load.py --duration 45

The data set is `bench/national.build_dataset` (1,200 wards × 160 weeks); charts are computed
once if missing. 2 cores: gunicorn 3 processes × 8 threads, 1 worker, and the client's 200
threads all share them.
"""

import argparse
import datetime
import http.client
import json
import os
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mhsip.settings")
# The sessions this script makes for the readers are signed with the server's key.
# The gunicorn and worker processes of the run.
from load_services import HOST, PORT, SECRET_KEY, start_gunicorn, start_worker, stop  # noqa: E402

os.environ["SECRET_KEY"] = SECRET_KEY

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,  # noqa: E402
)
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from measures.models import WeeklyReturn  # noqa: E402
from mhsip.weeks import monday_of  # noqa: E402
from spc.models import StoredChart  # noqa: E402
from tokens.services import api_token_create  # noqa: E402
from wards.models import Membership, Trust, Ward  # noqa: E402

PREFIX = "load"  # users and change reasons made by this script


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- set-up --------------------------------------------------------------------------------


@dataclass
class Cast:
    writers: list  # (token key, own ward, shared ward)
    readers: list  # (session key, trust id, ward ids)
    week: datetime.date
    shared: list  # ward ids of the shared ward-weeks
    run: str  # in every change reason of this run


def cast(users: int, shared: int, run: str) -> Cast:
    """Users, memberships, tokens and sessions for this run; this week's returns of the wards
    used are removed so that writers create them (and race to)."""
    User = get_user_model()
    wards = list(Ward.objects.order_by("pk")[: users])
    week = monday_of(timezone.localdate())
    n_writers = round(users * 0.7)
    shared_wards = wards[:shared]
    WeeklyReturn.objects.filter(ward__in=wards, week_start=week).delete()
    writers, readers = [], []
    for i in range(n_writers):
        user = User.objects.create(username=f"{PREFIX}-{run}-w{i}")
        own = wards[shared + i % (len(wards) - shared)]
        hot = shared_wards[i % shared]
        for ward in {own, hot}:
            Membership.objects.create(user=user, role=Membership.Role.WARD_STAFF, ward=ward)
        _, key = api_token_create(user=user, name=f"load {run}")
        writers.append((key, own.pk, hot.pk))
    trusts = list(Trust.objects.order_by("pk"))
    for i in range(users - n_writers):
        user = User.objects.create(username=f"{PREFIX}-{run}-r{i}")
        user.set_unusable_password()
        user.save()
        trust = trusts[i % len(trusts)]
        Membership.objects.create(user=user, role=Membership.Role.QI_LEAD, trust=trust)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        ward_ids = list(trust.wards.values_list("pk", flat=True))
        readers.append((session.session_key, trust.pk, ward_ids))
    return Cast(writers, readers, week, [w.pk for w in shared_wards], run)


# --- the simulated users --------------------------------------------------------------------


@dataclass
class Results:
    samples: list = field(default_factory=list)  # (kind, status, seconds, finished at)
    acks: list = field(default_factory=list)  # acknowledged writes
    failures: list = field(default_factory=list)  # (kind, status, first bytes of the body)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind, status, seconds, body=b""):
        with self.lock:
            self.samples.append((kind, status, seconds, time.monotonic()))
            if status >= 500 or status == 0:
                self.failures.append((kind, status, body[:200]))


class Session:
    def __init__(self, headers):
        self.headers = headers
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {**self.headers, **(headers or {})}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        for attempt in range(2):  # a kept-alive connection the server closed: reconnect once
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
            try:
                self.conn.request(method, path, body=data, headers=all_headers)
                response = self.conn.getresponse()
                return response.status, dict(response.getheaders()), response.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    return 0, {}, b"connection failed"
        return 0, {}, b""


def timed(results, kind, session, method, path, body=None, headers=None):
    t0 = time.perf_counter()
    status, response_headers, content = session.request(method, path, body, headers)
    results.add(kind, status, time.perf_counter() - t0, content)
    return status, response_headers, content


def write(results, session, run, writer_id, seq, ward_id, week, beds_days):
    """Read the ward-week, then create it (POST) or update it with the version read."""
    kind = "write"
    status, _, content = timed(
        results, "write-read", session, "GET",
        f"/api/v1/returns/?ward={ward_id}&week_start_after={week}&week_start_before={week}",
    )  # fmt: skip
    if status != 200:
        return
    found = json.loads(content)["results"]
    value = seq % 15
    reason = f"{PREFIX}:{run}:{writer_id}:{seq}"
    body = {"counts": {"physical_restraint": value, "prone_restraint": value // 3},
            "occupied_bed_days": beds_days, "submit": True, "reason": reason}  # fmt: skip
    if found:
        base = found[0]["version"]
        status, _, content = timed(
            results, kind, session, "PUT", f"/api/v1/returns/{found[0]['id']}/", body,
            {"If-Match": f'"{base}"'},
        )  # fmt: skip
    else:
        base = 0
        body |= {"ward": ward_id, "week_start": week}
        status, _, content = timed(results, kind, session, "POST", "/api/v1/returns/", body)
    if status in (200, 201):
        saved = json.loads(content)
        with results.lock:
            results.acks.append(
                {"reason": reason, "ward": ward_id, "version": saved["version"], "base": base,
                 "counts": body["counts"], "at": time.monotonic()}
            )  # fmt: skip


def writer_loop(results, stop_at, run, writer_id, key, own, shared, week, beds_days, think):
    session = Session({"Authorization": f"Bearer {key}", "Host": HOST})
    rng = random.Random(writer_id)
    time.sleep(rng.uniform(0, 3))  # ramp up
    seq = 0
    while time.monotonic() < stop_at:
        ward_id = own if rng.random() < 0.5 else shared
        write(results, session, run, writer_id, seq, ward_id, week.isoformat(),
              beds_days[ward_id])
        seq += 1
        time.sleep(rng.uniform(*think))


def reader_loop(results, stop_at, reader_id, session_key, trust_id, ward_ids, think):
    session = Session({"Cookie": f"sessionid={session_key}", "Host": HOST})
    rng = random.Random(10_000 + reader_id)
    time.sleep(rng.uniform(0, 3))
    while time.monotonic() < stop_at:
        ward = rng.choice(ward_ids)
        choice = rng.random()
        if choice < 0.35:
            timed(results, "ward dashboard", session, "GET", f"/wards/{ward}/")
        elif choice < 0.55:
            timed(results, "trust matrix", session, "GET", f"/trusts/{trust_id}/")
        elif choice < 0.8:
            timed(results, "api chart", session, "GET",
                  f"/api/v1/charts/?scope=ward&id={ward}&measure=physical_restraint")  # fmt: skip
        else:
            timed(results, "api returns", session, "GET", f"/api/v1/returns/?ward={ward}")
        time.sleep(rng.uniform(*think))


def run_load(the_cast: Cast, duration: float, events=()) -> Results:
    """Run every simulated user for `duration` seconds; `events` are (second, callable) run
    from the main thread during the run (the fault drills)."""
    results = Results()
    beds_days = {w.pk: w.beds * 6 for w in Ward.objects.filter(pk__in={
        ward for _, own, hot in the_cast.writers for ward in (own, hot)})}  # fmt: skip
    started = time.monotonic()
    stop_at = started + duration
    threads = [
        threading.Thread(target=writer_loop, args=(results, stop_at, the_cast.run, i, key, own, hot,
                         the_cast.week, beds_days, (0.5, 1.5)), daemon=True)
        for i, (key, own, hot) in enumerate(the_cast.writers)
    ] + [
        threading.Thread(target=reader_loop, args=(results, stop_at, i, session_key, trust,
                         wards, (1.0, 3.0)), daemon=True)
        for i, (session_key, trust, wards) in enumerate(the_cast.readers)
    ]  # fmt: skip
    for thread in threads:
        thread.start()
    for second, action in sorted(events, key=lambda event: event[0]):
        time.sleep(max(0.0, started + second - time.monotonic()))
        action()
    for thread in threads:
        thread.join(timeout=max(1.0, stop_at - time.monotonic() + 35))
    results.elapsed = time.monotonic() - started
    return results


# --- checking and reporting ---------------------------------------------------------------


def verify(results: Results, the_cast: Cast) -> dict:
    """Every acknowledged write present exactly once, none silently overwritten."""
    History = WeeklyReturn.history.model
    reasons = {a["reason"] for a in results.acks}
    rows = {}
    for reason, version, ward_id in History.objects.filter(
        history_change_reason__startswith=f"{PREFIX}:{the_cast.run}:", week_start=the_cast.week
    ).values_list("history_change_reason", "version", "ward_id"):
        rows.setdefault(reason, []).append((version, ward_id))
    missing = [a for a in results.acks if len(rows.get(a["reason"], [])) != 1]
    wrong_version = [
        a for a in results.acks
        if len(rows.get(a["reason"], [])) == 1 and rows[a["reason"]][0] != (a["version"], a["ward"])
    ]  # fmt: skip
    by_ward = {}
    for a in results.acks:
        by_ward.setdefault(a["ward"], []).append(a)
    same_version = sum(
        len(acks) - len({a["version"] for a in acks}) for acks in by_ward.values()
    )
    stale_base = [a for a in results.acks if a["base"] and a["version"] != a["base"] + 1]
    # The saved state must be the last write applied: the last acknowledged one, or a later
    # one whose answer the client never got (a timeout), which the history shows.
    final_mismatch = 0
    saved = {
        r.ward_id: r
        for r in WeeklyReturn.objects.filter(ward_id__in=by_ward, week_start=the_cast.week)
        .prefetch_related("counts__measure")
    }
    latest = {}
    for reason, entries in rows.items():
        for version, ward_id in entries:
            if version > latest.get(ward_id, (0, ""))[0]:
                latest[ward_id] = (version, reason)
    sent = {a["reason"]: a["counts"] for a in results.acks}
    for ward_id, acks in by_ward.items():
        last = max(acks, key=lambda a: a["version"])
        row = saved.get(ward_id)
        counts = {c.measure.code: c.count for c in row.counts.all()} if row else {}
        version, reason = latest.get(ward_id, (0, ""))
        wrong_counts = reason in sent and any(
            counts.get(code) != value for code, value in sent[reason].items()
        )
        if row is None or row.version != version or version < last["version"] or wrong_counts:
            final_mismatch += 1
    applied_unacked = len(set(rows) - reasons)
    return {
        "acknowledged writes": len(results.acks),
        "missing or duplicated in history": len(missing),
        "history with another version": len(wrong_version),
        "acks sharing a version (silent overwrite)": same_version,
        "acks not based on the version before": len(stale_base),
        "ward-weeks whose final state is not the last ack": final_mismatch,
        "applied but not acknowledged (client saw an error)": applied_unacked,
        "lost writes": len(missing) + len(wrong_version) + same_version + final_mismatch,
    }


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else 0


def report(results: Results, checks: dict) -> dict:
    samples = results.samples
    times = [s[2] for s in samples]
    by_status = {}
    for _, status, *_ in samples:
        by_status[status] = by_status.get(status, 0) + 1
    summary = {
        "requests": len(samples),
        "requests/s": len(samples) / results.elapsed,
        "p50 ms": percentile(times, 50) * 1000,
        "p95 ms": percentile(times, 95) * 1000,
        "p99 ms": percentile(times, 99) * 1000,
        "errors (5xx or no answer)": sum(n for s, n in by_status.items() if s >= 500 or s == 0),
        "statuses": dict(sorted(by_status.items())),
        "kinds": {},
    }
    for kind in sorted({s[0] for s in samples}):
        ts = [s[2] for s in samples if s[0] == kind]
        summary["kinds"][kind] = (len(ts), percentile(ts, 50) * 1000, percentile(ts, 95) * 1000,
                                  percentile(ts, 99) * 1000)  # fmt: skip
    summary |= checks
    print(json.dumps(summary, indent=2, default=str))
    if results.failures:
        print("first failures:", results.failures[:5])
    return summary


def prepare(args):
    if connection.vendor != "postgresql" or settings.CELERY_TASK_ALWAYS_EAGER:
        raise SystemExit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: see the docstring.")
    import national

    call_command("migrate", verbosity=0)
    national.build_dataset(60, 20, 160)
    if not StoredChart.objects.filter(status=StoredChart.Status.OK).exists():
        log("computing every chart once (in process)")
        call_command("recompute_charts", "--all")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=float, default=45)
    parser.add_argument("--shared", type=int, default=10, help="shared ward-weeks")
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    if not 0 < args.duration <= 60:
        raise SystemExit("--duration is bounded: 1 to 60 seconds")
    prepare(args)
    run = time.strftime("%H%M%S")
    the_cast = cast(args.users, args.shared, run)
    log(f"{len(the_cast.writers)} writers, {len(the_cast.readers)} readers, "
        f"{args.duration:.0f} s, week of {the_cast.week}")  # fmt: skip
    server = start_gunicorn(args.processes, args.threads)
    worker = start_worker()
    try:
        results = run_load(the_cast, args.duration)
    finally:
        stop(server)
        stop(worker)
    report(results, verify(results, the_cast))


if __name__ == "__main__":
    main()
