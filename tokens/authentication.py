"""`Authorization: Token <key>` or `Authorization: Bearer <key>` for API clients."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .services import api_token_for_key

KEYWORDS = ("token", "bearer")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Token <key>' (or 'Bearer <key>')."
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        token = api_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        # On the Django request too: history rows of this request name the token
        # (tokens/history.py), and simple-history sees only the Django request.
        request._request.api_token = token
        return token.user, token

    def authenticate_header(self, request):
        # Makes unauthenticated requests 401 (with this challenge) rather than 403.
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "tokens.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API token made on your profile page (`/profile/tokens/`). Send it "
                "as `Authorization: Bearer <key>` (or `Authorization: Token <key>`). It acts as "
                "you, with your permissions and no more; a read-only token cannot write."
            ),
        }
