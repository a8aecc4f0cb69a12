from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.tasks import healthcheck_task


class Command(BaseCommand):
    help = "Send a task to a Celery worker and wait for its answer (eager mode runs it here)."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=10.0)

    def handle(self, *args, timeout=10.0, **options):
        mode = "eager (no REDIS_URL)" if settings.CELERY_TASK_ALWAYS_EAGER else "Redis broker"
        try:
            answer = healthcheck_task.delay().get(timeout=timeout)
        except CeleryTimeout:
            raise CommandError(f"No worker answered within {timeout:g} s ({mode}).") from None
        except Exception as exc:  # the broker itself may be down
            raise CommandError(f"Could not reach the broker ({mode}): {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Worker answered ({mode}): database {answer['database']}, "
                f"{answer['weekly_returns']} weekly returns."
            )
        )
