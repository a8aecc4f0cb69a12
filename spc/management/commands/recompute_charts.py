from django.core.management.base import BaseCommand, CommandError

from spc import recompute
from wards.models import Trust, Ward


class Command(BaseCommand):
    help = "Recompute stored SPC charts: every chart, one trust's, or one ward's (and the "
    "trust, region and national charts containing them)."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--all", action="store_true", help="every chart in England")
        target.add_argument("--trust", metavar="ODS", help="one trust's wards, by ODS code")
        target.add_argument("--ward", metavar="ID", type=int, help="one ward, by id")
        target.add_argument("--stale", action="store_true", help="only what is stale")
        parser.add_argument(
            "--force", action="store_true", help="recompute even where inputs are unchanged"
        )

    def handle(self, *args, all=False, trust=None, ward=None, stale=False, force=False, **opts):
        if stale:
            summary = recompute.charts_recompute_stale()
        else:
            ward_ids = None
            if trust:
                found = Trust.objects.filter(ods_code=trust.upper()).first()
                if found is None:
                    raise CommandError(f"No trust with ODS code {trust!r}.")
                ward_ids = list(found.wards.values_list("pk", flat=True))
            elif ward is not None:
                if not Ward.objects.filter(pk=ward).exists():
                    raise CommandError(f"No ward with id {ward}.")
                ward_ids = [ward]
            summary = recompute.charts_recompute_all(
                ward_ids=ward_ids, force=force, progress=self._progress
            )
            self.stderr.write("")
        self.stdout.write(self.style.SUCCESS(str(summary)))
        for error in summary.errors[:20]:
            self.stdout.write(self.style.ERROR(f"  {error}"))

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        bar = f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} trusts"
        self.stderr.write(bar, ending="")
        self.stderr.flush()
