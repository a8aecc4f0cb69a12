"""The "your board pack is ready" email: the pack is kept either way, so a failed send only
means the user reads the news on the pack's page (which says so)."""

from django.urls import reverse

from . import mail
from .models import Kind


def pack_ready_message(*, pack):
    url = mail.site_url(reverse("reports:pack", args=[pack.pk]))
    until = f"{pack.expires_at:%-d %B %Y}" if pack.expires_at else "7 days"
    return mail.message_create(
        kind=Kind.PACK_READY, key=f"pack-ready:{pack.pk}", user=pack.requested_by,
        subject=f"Board pack ready: {pack}", trust=pack.trust, region=pack.region, pack=pack,
        body=f"Your board pack of {pack} is ready to download (PowerPoint and PDF) until "
        f"{until}:\n{url}",
    )  # fmt: skip
