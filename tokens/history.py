"""History says when a change came through an API token, and which: a person's token is
often shared by a system ("Datix nightly push"), so "who" alone would not tell them apart.

The token's name goes into the history row's change reason (simple-history's one free
field, 100 characters), after the reason given, if any. Rows saved one by one get it from
`note_token` (simple-history's pre-create signal, for the request the token authenticated);
bulk writes, which make their history rows themselves, call `with_token_name`."""

from simple_history.models import HistoricalRecords

HISTORY_REASON_LENGTH = 100  # simple-history's history_change_reason column


def with_token_name(reason: str, token) -> str:
    if token is None or f"[API token '{token.name}']" in (reason or ""):
        return reason
    note = f"[API token '{token.name}']"[:HISTORY_REASON_LENGTH]
    room = HISTORY_REASON_LENGTH - len(note) - 1
    reason = (reason or "")[: max(room, 0)].rstrip()
    return f"{reason} {note}" if reason else note


def request_token(request):
    """The token that authenticated this request (set by ApiTokenAuthentication), or None."""
    return getattr(request, "api_token", None)


def note_token(sender, history_instance, **kwargs):
    request = getattr(HistoricalRecords.context, "request", None)
    token = request_token(request)
    if token is not None:
        history_instance.history_change_reason = with_token_name(
            history_instance.history_change_reason, token
        )
