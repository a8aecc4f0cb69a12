from django.core.management.base import BaseCommand

from reports.tasks import messages_retry_task, reminders_send_task


class Command(BaseCommand):
    help = (
        "Send the missing-return reminders due this hour (what beat runs hourly), or with "
        "--round 1 or 2 that round for every trust now. A reminder is never sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, choices=[1, 2], dest="round_")
        parser.add_argument("--now", help="ISO date and time to act as (default: now)")

    def handle(self, *args, round_=None, now=None, **options):
        # Without a worker (eager) nothing else retries a failed send: this command does.
        retried = messages_retry_task()
        if retried:
            self.stdout.write(
                f"Retried {retried} email{'s' if retried != 1 else ''} not sent before."
            )
        # The task's body, in this process; its sends are queued (eager without REDIS_URL).
        sent = reminders_send_task(now=now, force=round_)
        self.stdout.write(f"Queued {sent} reminder email{'s' if sent != 1 else ''}.")
