from django.core.management.base import BaseCommand

from reports.tasks import digests_send_task, messages_retry_task


class Command(BaseCommand):
    help = (
        "Send the weekly digests due this hour (what beat runs hourly), or with --all every "
        "trust's and region's digest now. A digest is sent once a week at most."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", dest="force")
        parser.add_argument("--now", help="ISO date and time to act as (default: now)")

    def handle(self, *args, force=False, now=None, **options):
        # Without a worker (eager) nothing else retries a failed send: this command does.
        retried = messages_retry_task()
        if retried:
            self.stdout.write(
                f"Retried {retried} email{'s' if retried != 1 else ''} not sent before."
            )
        sent = digests_send_task(now=now, force=force)
        self.stdout.write(f"Queued {sent} digest email{'s' if sent != 1 else ''}.")
