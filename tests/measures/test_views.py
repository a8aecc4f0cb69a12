import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.models import Enrolment, Programme, WeeklyCount, WeeklyReturn
from measures.services import weekly_return_record
from mhsip.weeks import monday_of
from tests.factories import answered

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_WEEK = monday_of(TODAY) - datetime.timedelta(weeks=1)


def url(ward, week=LAST_WEEK):
    return reverse("measures:weekly-entry", kwargs={"ward_id": ward.pk, "week_start": week})


def form_data(**overrides):
    data = {"version": "0", "beds": "20", "occupied_bed_days": "130"}
    data.update(overrides)
    return data


def saved_counts(ward, week=LAST_WEEK):
    return dict(
        WeeklyCount.objects.filter(
            weekly_return__ward=ward, weekly_return__week_start=week
        ).values_list("measure__code", "count")
    )


@pytest.fixture
def enrolled(ward):
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    Enrolment.objects.create(
        programme=programme, ward=ward, joined_on=LAST_WEEK - datetime.timedelta(weeks=3)
    )
    return ward


def test_it_shows_every_measure_of_the_ward_with_its_definition(client, staff, ward):
    client.force_login(staff)
    response = client.get(url(ward))
    assert response.status_code == 200
    content = response.content.decode()
    for label in ("Restrictive practice", "Self-harm &amp; suicide", "Sexual safety"):
        assert label in content
    assert "Prone restraint" in content
    assert 'class="nhsuk-details' in content
    assert "chest down (prone)" in content  # the operational definition, one tap away
    assert 'name="version" value="0"' in content


def test_it_shows_only_the_domains_of_the_wards_programmes(client, staff, enrolled):
    client.force_login(staff)
    content = client.get(url(enrolled)).content.decode()
    assert "Prone restraint" in content
    assert "Violence and aggression" in content  # the domain's balancing measure
    assert "Ligature incidents" not in content


def test_it_saves_a_draft_keeping_blanks_missing_and_none_as_zero(client, staff, ward):
    client.force_login(staff)
    response = client.post(
        url(ward),
        form_data(m_physical_restraint="3", none_seclusion="on", m_self_harm="", draft=""),
    )
    assert response.status_code == 302
    weekly_return = WeeklyReturn.objects.get(ward=ward)
    assert weekly_return.status == WeeklyReturn.Status.DRAFT
    assert saved_counts(ward) == {"physical_restraint": 3, "seclusion": 0}
    page = client.get(response["Location"]).content.decode()
    assert "saved as a draft" in page
    assert "left blank (missing)" in page


def test_it_submits_with_the_submit_button(client, staff, ward):
    client.force_login(staff)
    client.post(url(ward), form_data(m_self_harm="1", submit=""))
    weekly_return = WeeklyReturn.objects.get(ward=ward)
    assert weekly_return.status == WeeklyReturn.Status.SUBMITTED
    assert weekly_return.submitted_by == staff


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"m_seclusion": "two"}, "m_seclusion", "Seclusion must be a whole number"),
        ({"m_seclusion": "1.5"}, "m_seclusion", "Seclusion must be a whole number"),
        ({"m_seclusion": "-1"}, "m_seclusion", "Seclusion cannot be negative"),
        ({"m_seclusion": "2", "none_seclusion": "on"}, "m_seclusion", "you ticked"),
        (
            {"m_physical_restraint": "2", "m_prone_restraint": "3"},
            "m_prone_restraint",
            "cannot be more than physical restraint",
        ),
        ({"occupied_bed_days": "141"}, "occupied_bed_days", "20 × 7 = 140"),
        (
            {"occupied_bed_days": "0", "m_ligature": "1"},
            "occupied_bed_days",
            "cannot be 0 when incidents are recorded",
        ),
        ({"beds": "0"}, "beds", "Beds open must be at least 1"),
    ],
)
def test_it_refuses_bad_values_keeping_what_was_typed(client, staff, ward, data, field, message):
    client.force_login(staff)
    typed = form_data(m_self_harm="4", m_awol="1", **data)
    response = client.post(url(ward), typed)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    content = response.content.decode()
    assert "nhsuk-error-summary" in content
    assert f'href="#id_{field}"' in content  # the summary links to the field
    assert 'value="4"' in content and 'id="id_m_awol"' in content  # nothing typed is lost
    assert form["m_self_harm"].value() == "4"
    assert not WeeklyReturn.objects.exists()


def test_it_strips_nul_characters_postgresql_would_refuse(client, staff, ward):
    client.force_login(staff)
    response = client.post(url(ward), form_data(occupied_bed_days="9\x00", m_seclusion="\x001"))
    assert response.status_code == 302
    assert WeeklyReturn.objects.get().occupied_bed_days == 9
    assert saved_counts(ward) == {"seclusion": 1}


def test_it_asks_to_confirm_an_implausible_count_then_saves_it(client, staff, ward, settings):
    settings.MHSIP_IMPLAUSIBLE_PER_1000_BED_DAYS = 500  # 130 bed days: above 65 is implausible
    client.force_login(staff)
    response = client.post(url(ward), form_data(m_self_harm="300", m_awol="1"))
    assert response.status_code == 200
    assert "more than expected for this ward" in response.content.decode()
    assert 'name="confirm_implausible"' in response.content.decode()
    assert not WeeklyReturn.objects.exists()
    response = client.post(
        url(ward), form_data(m_self_harm="300", m_awol="1", confirm_implausible="on")
    )
    assert response.status_code == 302
    assert saved_counts(ward) == {"self_harm": 300, "awol": 1}


def test_it_refuses_a_stale_version_naming_who_changed_it(client, staff, qi_lead, ward):
    weekly_return_record(
        ward=ward, week_start=LAST_WEEK, user=qi_lead, counts={"seclusion": 2},
        occupied_bed_days=120,
    )  # fmt: skip
    client.force_login(staff)
    # The form was opened before the QI lead saved: it carries version 0 (no return yet).
    response = client.post(url(ward), form_data(version="0", m_seclusion="5", m_awol="3"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "changed by qilead" in content
    assert saved_counts(ward) == {"seclusion": 2}
    form = response.context["form"]
    assert form["m_seclusion"].value() == "5" and form["m_awol"].value() == "3"
    assert form["version"].value() == "1"  # saving again now overwrites, deliberately
    assert "Now saved: <strong>2</strong>" in content
    response = client.post(url(ward), form_data(version="1", m_seclusion="5"))
    assert response.status_code == 302
    assert saved_counts(ward)["seclusion"] == 5


def test_after_a_conflict_now_saved_shows_only_under_fields_that_differ(
    client, staff, qi_lead, ward
):
    weekly_return_record(
        ward=ward, week_start=LAST_WEEK, user=qi_lead, beds=20, occupied_bed_days=130,
        counts={"seclusion": 2, "awol": 3, "self_harm": 0},
    )  # fmt: skip
    client.force_login(staff)
    typed = form_data(version="0", m_seclusion="5", m_awol="3", none_self_harm="on")
    content = client.post(url(ward), typed).content.decode()
    assert "changed by qilead" in content
    # Only seclusion (5 typed, 2 saved): awol, self-harm (none = 0) and the blanks agree.
    assert content.count("Now saved:") == 1
    assert "Now saved: <strong>2</strong>" in content
    typed = form_data(version="0", occupied_bed_days="120", m_awol="3", m_self_harm="0")
    content = client.post(url(ward), typed).content.decode()
    assert content.count("Now saved:") == 2  # bed days (130) and seclusion (2, typed blank)
    assert "Now saved: <strong>130</strong>" in content


def test_it_shows_the_history_of_the_return(client, staff, qi_lead, ward):
    client.force_login(staff)
    client.post(url(ward), form_data(m_seclusion="1"))
    client.force_login(qi_lead)
    client.post(url(ward), form_data(version="1", m_seclusion="2", occupied_bed_days="120"))
    content = client.get(url(ward)).content.decode()
    assert "History of this return" in content
    assert "1 → 2" in content
    assert "130 → 120" in content
    assert "qilead" in content and "staff" in content


def test_it_needs_a_reason_to_change_an_old_submitted_return(client, staff, ward):
    old_week = monday_of(TODAY) - datetime.timedelta(weeks=8)
    weekly_return_record(
        ward=ward, week_start=old_week, user=staff, counts={"seclusion": 1},
        occupied_bed_days=130, submit=True,
    )  # fmt: skip
    client.force_login(staff)
    page = client.get(url(ward, old_week)).content.decode()
    assert "Why are you changing this return?" in page
    response = client.post(url(ward, old_week), form_data(version="1", m_seclusion="2"))
    assert response.status_code == 200
    assert "say why you are changing it" in response.content.decode()
    response = client.post(
        url(ward, old_week),
        form_data(version="1", m_seclusion="2", reason="Datix incident re-graded"),
    )
    assert response.status_code == 302
    weekly_return = WeeklyReturn.objects.get(ward=ward, week_start=old_week)
    assert weekly_return.history.first().history_change_reason == "Datix incident re-graded"
    count = weekly_return.counts.get()
    assert count.history.first().history_change_reason == "Datix incident re-graded"
    assert "Datix incident re-graded" in client.get(url(ward, old_week)).content.decode()


def test_it_snaps_a_non_monday_url_to_its_monday(client, staff, ward):
    client.force_login(staff)
    response = client.get(url(ward, LAST_WEEK + datetime.timedelta(days=2)))
    assert response.status_code == 302
    assert response["Location"] == url(ward)


def test_it_refuses_weeks_in_the_future_or_before_the_ward_opened(client, staff, ward):
    client.force_login(staff)
    response = client.get(url(ward, monday_of(TODAY) + datetime.timedelta(weeks=1)))
    assert response.status_code == 404
    assert "is in the future" in response.content.decode()
    response = client.get(url(ward, datetime.date(2014, 12, 1)))
    assert response.status_code == 404
    assert "opened on 1 January 2015" in response.content.decode()


def test_it_hides_other_wards_and_refuses_the_read_only_persona(
    client, staff, facilitator, outsider, ward, other_ward
):
    client.force_login(staff)
    assert client.get(url(other_ward)).status_code == 404
    assert client.post(url(other_ward), form_data(m_seclusion="1")).status_code == 404
    client.force_login(outsider)
    assert client.get(url(ward)).status_code == 404
    assert client.post(url(ward), form_data()).status_code == 404
    client.force_login(facilitator)
    response = client.get(url(ward))
    assert response.status_code == 200
    assert "view this ward" in response.content.decode()
    assert client.post(url(ward), form_data(m_seclusion="1")).status_code == 403
    assert not WeeklyReturn.objects.exists()


def test_it_sends_anonymous_users_to_sign_in(client, ward):
    assert client.get(url(ward)).status_code == 302


def test_it_lists_this_week_and_overdue_weeks_on_the_ward_home(client, staff, enrolled):
    weekly_return_record(
        ward=enrolled, week_start=LAST_WEEK - datetime.timedelta(weeks=1), user=staff,
        counts=answered(enrolled), occupied_bed_days=100, submit=True,
    )  # fmt: skip
    weekly_return_record(
        ward=enrolled, week_start=LAST_WEEK, user=staff, counts={}, occupied_bed_days=None
    )
    client.force_login(staff)
    content = client.get(reverse("home")).content.decode()
    this_week = monday_of(TODAY)
    assert url(enrolled, this_week) in content
    assert url(enrolled, LAST_WEEK) in content  # a draft is still overdue
    assert url(enrolled, LAST_WEEK - datetime.timedelta(weeks=2)) in content
    assert url(enrolled, LAST_WEEK - datetime.timedelta(weeks=1)) not in content  # submitted
    assert url(enrolled, LAST_WEEK - datetime.timedelta(weeks=4)) not in content  # before joining
    assert "Draft" in content and "Not started" in content


def test_it_lists_every_due_week_on_the_ward_page(client, staff, enrolled, other_ward):
    client.force_login(staff)
    response = client.get(reverse("measures:ward-returns", args=[enrolled.pk]))
    assert response.status_code == 200
    assert response.context["weeks"].due == 4
    assert client.get(reverse("measures:ward-returns", args=[other_ward.pk])).status_code == 404
