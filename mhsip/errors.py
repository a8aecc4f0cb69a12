"""Error pages. A database outage (PostgreSQL restarting, unreachable) is a clean 503 "try again
shortly", with Retry-After, never a stack trace; anything else is Django's plain 500 page."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
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
