"""Response headers and bodies every page or API answer shares."""

from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

from .api import error_body

API_PREFIX = "/api/"
ERROR_CODES = {
    400: ("invalid", "The request is malformed."),
    403: ("permission_denied", "You may not do this."),
    404: ("not_found", "No such API endpoint or object."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("too_large", "The request body is too large."),
    500: ("server_error", "Something went wrong on the server; nothing was saved. Try again."),
}


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every answer to a signed-in user and every API answer.

    Ward PCs are shared: a browser (or a proxy) keeping a signed-in page, an export or an API
    answer would show a ward's data to the next person at the PC after sign-out (back button,
    history, disk cache). Pages for signed-out visitors (sign-in, static files) may be cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path.startswith(API_PREFIX):
            add_never_cache_headers(response)
        return response


class ApiJsonErrorsMiddleware:
    """Under /api/ every error is the API's JSON error body (mhsip.api), also when Django
    answers rather than DRF: an unknown path (404), a CSRF failure (403), a 500. A client
    reading JSON never has to parse an HTML page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return json_error(response)
        return response


def json_error(response) -> JsonResponse:
    code, detail = ERROR_CODES.get(response.status_code, ("error", "The request failed."))
    replacement = JsonResponse(
        error_body(response.status_code, code, detail), status=response.status_code
    )
    for header in ("Retry-After", "Allow", "WWW-Authenticate"):
        if header in response:
            replacement[header] = response[header]
    return replacement
