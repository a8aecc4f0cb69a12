"""Rate limits for token clients, so one misbehaving integration cannot starve the site.

Browser sessions are not throttled here (people click slowly; the pages have their own
limits). Rates come from settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], read on each
request so tests and deployments can change them."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Every request made with a token, counted per token."""

    scope = "token"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return True
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class TokenBulkRateThrottle(TokenRateThrottle):
    """Bulk uploads (up to 10,000 returns each), counted per token on top of the above."""

    scope = "token_bulk"
