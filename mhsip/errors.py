"""Error pages. A database outage (PostgreSQL restarting, unreachable) is a clean 503 "try again
shortly", with Retry-After, never a stack trace; anything else is the NHS.UK-styled 500 page.
403 and 404 are NHS.UK-styled pages with the header and a way back; under /api/ all are the
API's JSON error body instead."""

import sys

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.defaults import server_error as django_server_error

RETRY_AFTER_SECONDS = 30


def server_error(request):
    # Called by Django while the exception is being handled, from whichever layer raised it
    # (view, session or auth middleware), so sys.exc_info() names it.
    error = sys.exc_info()[1]
    if not isinstance(error, (OperationalError, InterfaceError)):
        return django_server_error(request)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"code": "service_unavailable",
             "detail": "The service is briefly unavailable. Nothing was saved: try again."},
            status=503,
        )  # fmt: skip
    else:
        # No base template: its navigation would query the database that just failed.
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _api(request, status: int, code: str, detail: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"status": status, "code": code, "detail": detail, "errors": {}},
                            status=status)  # fmt: skip
    return None


def page_not_found(request, exception):
    # The exception's message is not shown: "No such ward." for a ward that exists but is out
    # of scope would still read differently from a mistyped address for a careful reader.
    return _api(request, 404, "not_found", "Not found.") or render(
        request, "404.html", {"request_path": request.path}, status=404
    )


def permission_denied(request, exception):
    """The reason the access rules gave (wards/access.py: "You can view this ward's data but
    not change it.") is safe to show: the user can already see the object."""
    reason = str(exception) if isinstance(exception, PermissionDenied) and str(exception) else ""
    return _api(request, 403, "permission_denied", reason or "Not allowed.") or render(
        request, "403.html", {"reason": reason}, status=403
    )
