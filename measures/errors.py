"""The errors of the returns layer. Services raise them; the form, the import pages and the
API each map them to their answer in one place (`measures/api/errors.py` for the API)."""

from django.core.exceptions import ValidationError
from django.utils import timezone


class ReturnRefused(ValidationError):
    """A return breaks the rules (`measures.rules`): `errors` maps each field (or measure
    code) to its message. Nothing was written."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__({field: [message] for field, message in self.errors.items()})


class ImplausibleCountError(ReturnRefused):
    """Counts far above what the ward could plausibly have: saved only once the user confirms.
    A `ReturnRefused`, so a caller that does not ask for confirmation refuses the save."""


class ConcurrentEditError(Exception):
    """The return changed since the caller read it; their values must not overwrite it."""

    def __init__(self, weekly_return):
        self.weekly_return = weekly_return
        who = weekly_return.updated_by or "someone else"
        when = timezone.localtime(weekly_return.updated_at).strftime("%H:%M on %d %B %Y")
        super().__init__(
            f"This return was changed by {who} at {when} while you were editing it. "
            "Your values are kept below: check them against the saved return and save again."
        )


class ImportRefused(ValidationError):
    """The file (or bulk request) has row errors, unconfirmed implausible counts or late
    changes without a reason: nothing was written. `plan` says which."""

    def __init__(self, plan):
        self.plan = plan
        problems = plan.errors or plan.warnings
        count = len(problems) or int(plan.needs_reason)
        super().__init__(f"{count} problem(s) in the file: nothing was imported.")
