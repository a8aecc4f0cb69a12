from django.core.management.base import BaseCommand, CommandError

from audit.erasure import text_purge

from .erase_user import operator


class Command(BaseCommand):
    help = (
        "Replace a string (an NHS number or a name typed by mistake) with [removed] in every "
        "row and every history row. The audit log records who, when and which fields, never "
        "the string."
    )

    def add_arguments(self, parser):
        parser.add_argument("text", help="The exact text to remove (case-sensitive).")
        parser.add_argument("--by", required=True, help="Your username (kept in the audit log).")
        parser.add_argument("--dry-run", action="store_true", help="Only list where it is.")

    def handle(self, *args, text, by, dry_run=False, **options):
        actor = operator(by)
        try:
            purged = text_purge(text=text, by=actor, dry_run=dry_run)
        except ValueError as error:
            raise CommandError(str(error)) from None
        for p in purged:
            self.stdout.write(f"{p.model}.{p.field}: {p.rows} row(s)")
        verb = "Found" if dry_run else "Removed"
        total = sum(p.rows for p in purged)
        self.stdout.write(self.style.SUCCESS(f"{verb} in {total} row(s)."))
