import datetime

import pytest
from django.urls import reverse

from reports import mail
from reports.models import BoardPack, Kind, ReminderSchedule, SentMessage, Unsubscribe
from tests.factories import UserFactory
from tests.reports.conftest import MONTH

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _months_of_the_data(monkeypatch):
    # The form offers the 12 months before "today": make today fall after the charted data.
    monkeypatch.setattr("reports.views.timezone.localdate", lambda: datetime.date(2024, 8, 1))


def packs_url(trust):
    return reverse("reports:trust-packs", args=[trust.pk])


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("qi_lead", 200),
        ("facilitator", 200),
        ("admin_user", 200),
        ("staff", 404),
        ("outsider", 404),
    ],
)
def test_it_shows_the_trust_packs_page_to_trust_readers_only(
    client, request, trust, persona, status
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(packs_url(trust)).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("facilitator", 200), ("admin_user", 200), ("qi_lead", 404), ("outsider", 404)],
)
def test_it_shows_the_region_packs_page_to_region_readers_only(
    client, request, region, persona, status
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("reports:region-packs", args=[region.pk])).status_code == status


def test_a_qi_lead_makes_and_downloads_a_pack(
    client, charted, trust, qi_lead, no_chromium, django_capture_on_commit_callbacks, mailoutbox
):
    qi_lead.email = "lead@example.nhs.uk"
    qi_lead.save()
    client.force_login(qi_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(packs_url(trust), {"month": MONTH.isoformat()})
    pack = BoardPack.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:pack", args=[pack.pk])
    page = client.get(response.url).content.decode()
    assert "Download PowerPoint" in page and "sent to lead@example.nhs.uk" in page
    pptx = client.get(reverse("reports:pack-file", args=[pack.pk, "pptx"]))
    assert pptx["Content-Type"].endswith("presentationml.presentation")
    assert 'filename="board-pack-RX4-2024-03.pptx"' in pptx["Content-Disposition"]
    assert client.get(reverse("reports:pack-file", args=[pack.pk, "pdf"])).content.startswith(
        b"%PDF"
    )
    assert client.get(reverse("reports:pack-file", args=[pack.pk, "doc"])).status_code == 404
    assert [m.subject for m in mailoutbox] == [f"Board pack ready: {pack}"]


def test_the_page_polls_while_the_pack_is_being_made(client, trust, qi_lead):
    pack = BoardPack.objects.create(
        trust=trust,
        month=MONTH,
        requested_by=qi_lead,
        status=BoardPack.Status.RUNNING,
        progress=40,
        step="Drawing chart 3 of 13",
    )
    client.force_login(qi_lead)
    page = client.get(reverse("reports:pack", args=[pack.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "Drawing chart 3 of 13 (40%)" in page and 'value="40"' in page
    assert client.get(reverse("reports:pack-file", args=[pack.pk, "pdf"])).status_code == 404


def test_it_says_on_the_page_when_the_ready_email_failed(client, trust, qi_lead):
    pack = BoardPack.objects.create(
        trust=trust,
        month=MONTH,
        requested_by=qi_lead,
        status=BoardPack.Status.READY,
        pptx=b"x",
        pdf=b"%PDF",
    )
    SentMessage.objects.create(
        kind=Kind.PACK_READY,
        key="k",
        user=qi_lead,
        pack=pack,
        subject="s",
        body="b",
        status=SentMessage.Status.RETRYING,
        error="SMTPConnectError: refused (will retry)",
    )
    client.force_login(qi_lead)
    page = client.get(reverse("reports:pack", args=[pack.pk])).content.decode()
    assert "the mail server did not take it" in page and "The pack is safe here" in page


@pytest.mark.parametrize("persona", ["facilitator", "outsider", "admin_user"])
def test_a_pack_is_its_requesters_only(client, request, trust, qi_lead, persona):
    pack = BoardPack.objects.create(
        trust=trust,
        month=MONTH,
        requested_by=qi_lead,
        status=BoardPack.Status.READY,
        pptx=b"x",
        pdf=b"%PDF",
    )
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("reports:pack", args=[pack.pk])).status_code == 404
    assert client.get(reverse("reports:pack-file", args=[pack.pk, "pdf"])).status_code == 404


def test_it_refuses_a_month_with_no_data_on_the_form(client, charted, trust, qi_lead):
    client.force_login(qi_lead)
    response = client.post(packs_url(trust), {"month": "2023-08-01"})
    assert response.status_code == 400
    assert "No returns were submitted for Moorside NHS Foundation Trust in August 2023" in (
        response.content.decode()
    )
    assert not BoardPack.objects.exists()


def test_it_refuses_a_trust_with_no_charts_on_the_form(client, trust, qi_lead, ward):
    from tests.factories import WeeklyReturnFactory  # noqa: PLC0415

    WeeklyReturnFactory(ward=ward, week_start=datetime.date(2024, 3, 4), status="submitted")
    client.force_login(qi_lead)
    response = client.post(packs_url(trust), {"month": MONTH.isoformat()})
    assert response.status_code == 400 and "has no charts yet" in response.content.decode()


def test_it_refuses_a_month_not_offered(client, trust, qi_lead):
    client.force_login(qi_lead)
    response = client.post(packs_url(trust), {"month": "1999-01-01"})
    assert response.status_code == 400 and "Choose one of the months listed" in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("qi_lead", 200),
        ("admin_user", 200),
        ("facilitator", 403),
        ("staff", 404),
        ("outsider", 404),
    ],
)
def test_the_schedule_and_the_sent_log_are_for_qi_leads(client, request, trust, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("reports:schedule", args=[trust.pk])).status_code == status
    assert client.get(reverse("reports:messages", args=[trust.pk])).status_code == status


def test_a_qi_lead_changes_the_times_with_history(client, trust, qi_lead):
    client.force_login(qi_lead)
    url = reverse("reports:schedule", args=[trust.pk])
    data = {
        "reminders_on": "on",
        "first_weekday": 3,
        "first_hour": 9,
        "second_after_days": 1,
        "digest_on": "on",
        "digest_weekday": 1,
        "digest_hour": 7,
    }
    assert client.post(url, data).status_code == 302
    schedule = ReminderSchedule.objects.get(trust=trust)
    assert (schedule.first_weekday, schedule.first_hour, schedule.updated_by) == (3, 9, qi_lead)
    page = client.get(url).content.decode()
    assert "Wednesday 9:00, second after 1 days" in page and "now on Thursday" in page
    bad = client.post(url, data | {"first_hour": 24, "second_after_days": 9})
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "An hour is 0 to 23." in page and "At most 5 days." in page
    assert 'value="24"' in page  # what was typed survives
    assert ReminderSchedule.objects.get(trust=trust).first_hour == 9


def test_the_sent_log_lists_the_trusts_messages(client, trust, qi_lead, outside_ward):
    SentMessage.objects.create(
        kind=Kind.REMINDER,
        key="a",
        user=qi_lead,
        trust=trust,
        to_address="a@example.nhs.uk",
        subject="Weekly return missing",
        body="b",
        status=SentMessage.Status.SKIPPED,
        error=mail.NO_ADDRESS,
    )
    SentMessage.objects.create(
        kind=Kind.REMINDER, key="b", trust=outside_ward.trust, subject="Elsewhere", body="b"
    )
    client.force_login(qi_lead)
    page = client.get(reverse("reports:messages", args=[trust.pk])).content.decode()
    assert "Weekly return missing" in page and "ask an admin to add one" in page
    assert "Elsewhere" not in page


def test_the_unsubscribe_link_is_honoured_without_signing_in(client):
    user = UserFactory()
    url = reverse("reports:unsubscribe", args=[mail.unsubscribe_token(user.pk, Kind.DIGEST)])
    assert (
        "Stop getting <strong>weekly digest of signals</strong>" in client.get(url).content.decode()
    )
    assert not Unsubscribe.objects.exists()  # a GET (a mail scanner) changes nothing
    assert "Done" in client.post(url).content.decode()
    assert list(Unsubscribe.objects.values_list("user", "kind")) == [(user.pk, Kind.DIGEST)]
    forged = mail.unsubscribe_token(user.pk, Kind.DIGEST)[:-3] + "abc"
    assert client.get(reverse("reports:unsubscribe", args=[forged])).status_code == 404


def test_the_home_page_links_to_packs_and_reminders(client, trust, qi_lead, facilitator, region):
    client.force_login(qi_lead)
    page = client.get(reverse("home")).content.decode()
    assert reverse("reports:trust-packs", args=[trust.pk]) in page
    assert reverse("reports:schedule", args=[trust.pk]) in page
    client.force_login(facilitator)
    page = client.get(reverse("home")).content.decode()
    assert reverse("reports:region-packs", args=[region.pk]) in page
    assert reverse("reports:schedule", args=[trust.pk]) not in page


def test_a_change_of_times_is_in_the_audit_log(client, trust, qi_lead):
    client.force_login(qi_lead)
    data = {"reminders_on": "on", "first_weekday": 4, "first_hour": 11, "second_after_days": 2,
            "digest_weekday": 1, "digest_hour": 8}  # fmt: skip
    client.post(reverse("reports:schedule", args=[trust.pk]), data)
    page = client.get(reverse("audit") + "?kind=reminder_schedule").content.decode()
    assert "Reminder times" in page and "Reminders of Moorside NHS Foundation Trust" in page


def test_the_form_offers_the_last_complete_month_first(client, trust, qi_lead):
    client.force_login(qi_lead)
    page = client.get(packs_url(trust)).content.decode()
    options = page[page.index('<select class="nhsuk-select" id="id_month"') :]
    assert options.index("July 2024") < options.index("June 2024") < options.index("August 2023")
    assert "August 2024 (in progress)" in options
    assert "July 2023" not in options
