from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import ApiToken


class ReadOnlyTokenCannotWrite(BasePermission):
    message = "This API token is read-only: it cannot change data."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        token = request.auth
        return not (isinstance(token, ApiToken) and token.read_only)
