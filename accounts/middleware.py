from django.shortcuts import redirect

from .two_factor import next_step

# Reachable before the second factor: the steps themselves, signing out, static files.
OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz")


class SecondFactorMiddleware:
    """A signed-in user with a device, or a staff user, finishes the second factor before any
    other page (after django_otp's OTPMiddleware, which sets `user.is_verified`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(
            OPEN_PREFIXES
        ):
            step = next_step(user)
            if step is not None:
                return redirect(f"{step}?next={request.get_full_path()}")
        return self.get_response(request)
