"""The processes of a load test or fault drill: gunicorn serving the app on loopback and a
Celery worker, both with production-like settings (bench/load.py, bench/drills.py)."""

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST, PORT = "127.0.0.1", 8790
# The sessions the load script makes for its readers are signed with the server's key.
SECRET_KEY = "load-test-only-" + "x" * 40

def server_env() -> dict:
    env = os.environ | {
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",  # loopback HTTP; TLS is the proxy's job
        "STATIC_ROOT": "/tmp/mhsip-load-static",
        "API_TOKEN_RATE": "100000/min",  # measure the app, not the per-token limit
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def start_gunicorn(processes: int, threads: int) -> subprocess.Popen:
    env = server_env()
    if not Path(env["STATIC_ROOT"], "staticfiles.json").exists():
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
                       cwd=ROOT, env=env, check=True)  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "mhsip.wsgi", "-b", f"{HOST}:{PORT}",
         "-k", "gthread", "-w", str(processes), "--threads", str(threads), "--timeout", "30",
         "--keep-alive", "30", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def start_worker(name: str = "load") -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mhsip", "worker", "--concurrency=1",
         "-n", f"{name}@%h", "--without-mingle", "--without-gossip", "--loglevel=WARNING"],
        cwd=ROOT, env=server_env(),
    )  # fmt: skip


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


