"""Real Redis and Celery worker processes for the `services` tests."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass

import pytest
import redis as redis_client

from mhsip.celery import app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:g} s waiting for {what}")


class RedisProcess:
    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", tempfile.gettempdir()],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(self.is_up, 15, "redis-server to accept connections")

    def is_up(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class WorkerProcess:
    def __init__(self, *, database_url: str, redis_url: str):
        self.queue = f"test-{uuid.uuid4().hex[:8]}"
        self.env = os.environ | {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DJANGO_SETTINGS_MODULE": "mhsip.settings",
            # Redeliver a dead worker's unacknowledged task after seconds, not an hour.
            "CELERY_VISIBILITY_TIMEOUT": "5",
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            # Tasks the worker queues itself (aggregate refreshes) stay on its own queue.
            "CELERY_DEFAULT_QUEUE": self.queue,
            # A test worker never sends real mail: reminders and digests go to Django's locmem
            # outbox, and the test reads what happened from reports.SentMessage.
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.process = None

    def start(self):

        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "mhsip", "worker",
             # Threads, not solo: the worker still answers inspect() while busy.
             "--pool=threads", "--concurrency=1",
             # Ward refreshes first (settings: CELERY_TASK_QUEUES, "priority" order).
             "-Q", f"{self.queue}.ward,{self.queue}",
             "-n", f"{self.queue}-{uuid.uuid4().hex[:4]}@%h",
             "--without-mingle", "--without-gossip", "--loglevel=WARNING"],
            env=self.env,
        )  # fmt: skip

        def answers():
            if self.process.poll() is not None:
                pytest.fail(f"the Celery worker exited with code {self.process.returncode}")
            return app.control.ping(timeout=0.5)

        try:
            wait_until(answers, 60, "the Celery worker to answer a ping", interval=0)
        except BaseException:
            self.stop()  # pytest.fail raises: do not leave a worker running behind the run
            raise

    def kill(self):
        """SIGKILL: no chance to acknowledge or requeue, as when a machine dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class ServicesStack:
    redis: RedisProcess
    worker: WorkerProcess

    def is_idle(self) -> bool:
        """Nothing running or reserved on the worker, nothing waiting on its queues."""
        inspect = app.control.inspect(timeout=0.5)
        for busy in (inspect.active(), inspect.reserved()):
            if any((busy or {}).values()):
                return False
        queues = redis_client.Redis.from_url(self.redis.url)
        return not any(queues.llen(name) for name in (self.worker.queue,
                                                      f"{self.worker.queue}.ward"))  # fmt: skip

    def wait_idle(self, timeout: float = 120) -> None:
        """Let the worker finish what a test set off (follow-up refreshes included) before the
        test's database is flushed under it: a TRUNCATE waiting on a task's locks deadlocks.
        Asked twice in a row: a task may queue the next one as it ends."""
        wait_until(lambda: self.is_idle() and self.is_idle(), timeout, "the worker to go idle",
                   interval=0.5)  # fmt: skip


def point_app_at(app, redis_url: str, queue: str) -> None:
    """Send this process's tasks to our own Redis and queue, even if an earlier test already
    made Celery's connection pools and result backend for the configured one (Celery caches
    both; these are the attributes its own after-fork hook resets)."""
    app.conf.broker_url = redis_url
    app.conf.result_backend = redis_url
    app.conf.task_default_queue = queue
    app.conf.task_routes = {"spc.tasks.charts_refresh_task": {"queue": f"{queue}.ward"}}
    app._pool = None
    if "amqp" in app.__dict__:
        app.__dict__["amqp"]._producer_pool = None
    app._backend_cache = None
    app._local.backend = None
