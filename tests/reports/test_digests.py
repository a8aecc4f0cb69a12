"""The weekly digest, sent by the management command in the embedded default (locmem)."""

import datetime
import io
import zoneinfo

import pytest
from django.core.management import call_command

from reports.models import SentMessage

pytestmark = pytest.mark.django_db
MONDAY_8 = datetime.datetime(2024, 8, 5, 8, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))


@pytest.fixture
def addressed(qi_lead, facilitator):
    qi_lead.email, facilitator.email = "lead@example.nhs.uk", "psc@example.nhs.uk"
    qi_lead.save()
    facilitator.save()


def send(now, *extra):
    out = io.StringIO()
    call_command("send_digests", "--now", now.isoformat(), *extra, stdout=out)
    return out.getvalue()


def test_qi_leads_get_their_trusts_new_signals_and_missing_returns(
    charted, addressed, ward, mailoutbox
):
    # The QI lead's (the trust's schedule) and the facilitator's (REPORTS_REGION_DIGEST_*).
    assert send(MONDAY_8) == "Queued 2 digest emails.\n"
    email = next(m for m in mailoutbox if m.to == ["lead@example.nhs.uk"])
    assert email.subject == "MHSIP weekly digest: Moorside NHS Foundation Trust, w/c 29 Jul 2024"
    body = email.body
    assert "Oak Ward, Physical restraint (all positions): Special cause improvement (low)" in body
    assert f"/wards/{ward.pk}/#chart-physical_restraint" in body
    # No returns after 22 July in the test data: both wards miss w/c 29 July.
    assert "Returns missing for the week of 29 July 2024:\n- Elm Ward\n- Oak Ward" in body
    assert "/unsubscribe/" in body


def test_a_signal_is_reported_once(charted, addressed, mailoutbox):
    send(MONDAY_8)
    assert send(MONDAY_8) == "Queued 0 digest emails.\n"  # once a week
    send(MONDAY_8 + datetime.timedelta(days=7))
    second = [m for m in mailoutbox if m.to == ["lead@example.nhs.uk"]][-1].body
    assert "New special-cause signals:\n- None." in second
    assert "first digest" not in second


def test_facilitators_get_their_regions(charted, addressed, trust, settings, mailoutbox):
    settings.REPORTS_REGION_DIGEST_HOUR = 9
    assert send(MONDAY_8) == "Queued 1 digest email.\n"
    send(MONDAY_8 + datetime.timedelta(hours=1))
    email = next(m for m in mailoutbox if m.to == ["psc@example.nhs.uk"])
    assert email.subject.startswith("MHSIP weekly digest: North PSC")
    assert f"{trust.name}, Physical restraint (all positions)" in email.body
    assert f"- {trust.name}: 2 wards" in email.body


def test_the_digest_follows_the_schedule(charted, addressed, mailoutbox):
    assert send(MONDAY_8 + datetime.timedelta(hours=2)) == "Queued 0 digest emails.\n"
    assert send(MONDAY_8 + datetime.timedelta(hours=2), "--all") == "Queued 2 digest emails.\n"
    assert SentMessage.objects.filter(status=SentMessage.Status.SENT).count() == 2
