import datetime

import pytest
from django.urls import reverse

from measures.models import Measure
from spc.models import ChartSetting, PhaseBreak
from tests.factories import WeeklyCountFactory, WeeklyReturnFactory

pytestmark = pytest.mark.django_db


def settings_url(ward, code="seclusion"):
    return reverse("spc:chart-settings", args=[ward.pk, code])


def break_url(ward, code="seclusion"):
    return reverse("spc:phase-break-add", args=[ward.pk, code])


def test_it_lets_the_qi_lead_change_chart_settings_with_history(client, qi_lead, ward):
    client.force_login(qi_lead)
    assert client.get(settings_url(ward)).status_code == 200
    response = client.post(
        settings_url(ward),
        {"chart_type": "c", "baseline_start": "2024-01-03", "baseline_weeks": "15"},
    )
    assert response.status_code == 302
    setting = ChartSetting.objects.get(ward=ward, measure__code="seclusion")
    assert setting.chart_type == "c"
    assert setting.baseline_start == datetime.date(2024, 1, 1)  # snapped to the Monday
    assert setting.updated_by == qi_lead
    assert setting.history.count() == 2  # created, then changed
    page = client.get(settings_url(ward)).content.decode()
    assert "History" in page and "qilead" in page


@pytest.mark.parametrize(
    ("persona", "status"), [("staff", 403), ("facilitator", 403), ("outsider", 404)]
)
def test_it_refuses_everyone_but_the_trust_qi_lead(client, request, ward, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(settings_url(ward)).status_code == status
    assert client.post(settings_url(ward), {"chart_type": "c"}).status_code == status
    assert client.post(break_url(ward), {"starts_on": "2024-03-04", "reason": "x"}).status_code == (
        status
    )
    assert not ChartSetting.objects.exists()


def test_it_refuses_anonymous_users(client, ward):
    response = client.get(settings_url(ward))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_keeps_typed_values_when_a_setting_is_refused(client, qi_lead, ward):
    client.force_login(qi_lead)
    response = client.post(settings_url(ward), {"chart_type": "u", "baseline_weeks": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a baseline of 2 to 104 weeks" in page
    assert 'value="1"' in page


def test_it_adds_a_phase_break_only_with_a_reason(client, qi_lead, ward):
    client.force_login(qi_lead)
    response = client.post(break_url(ward), {"starts_on": "2024-03-06", "reason": "  "})
    assert response.status_code == 400
    assert not PhaseBreak.objects.exists()
    response = client.post(
        break_url(ward), {"starts_on": "2024-03-06", "reason": "New seclusion policy"}
    )
    assert response.status_code == 302
    phase_break = PhaseBreak.objects.get()
    assert phase_break.starts_on == datetime.date(2024, 3, 4)
    assert phase_break.created_by == qi_lead


def test_it_refuses_an_nhs_number_in_a_reason(client, qi_lead, ward):
    client.force_login(qi_lead)
    response = client.post(
        break_url(ward), {"starts_on": "2024-03-04", "reason": "after 943 476 5919 absconded"}
    )
    assert response.status_code == 400
    assert "looks like an NHS number" in response.content.decode()
    assert not PhaseBreak.objects.exists()


def test_it_refuses_a_break_before_the_chart_starts(client, qi_lead, ward):
    client.force_login(qi_lead)
    response = client.post(break_url(ward), {"starts_on": "2015-01-01", "reason": "Old policy"})
    assert response.status_code == 400
    assert "must start after the chart&#x27;s first week" in response.content.decode()


def test_it_removes_a_phase_break(client, qi_lead, ward):
    client.force_login(qi_lead)
    client.post(break_url(ward), {"starts_on": "2024-03-04", "reason": "New policy"})
    phase_break = PhaseBreak.objects.get()
    url = reverse("spc:phase-break-delete", args=[ward.pk, "seclusion", phase_break.pk])
    assert client.post(url).status_code == 302
    assert not PhaseBreak.objects.exists()


def test_it_states_the_configured_default_baseline_length(client, qi_lead, ward, settings):
    settings.MHSIP_DEFAULT_BASELINE_WEEKS = 13
    client.force_login(qi_lead)
    assert "Blank: the default, 13 weeks" in client.get(settings_url(ward)).content.decode()


def test_a_baseline_change_needs_a_reason_kept_in_the_history(client, qi_lead, ward):
    client.force_login(qi_lead)
    client.post(settings_url(ward), {"chart_type": "auto", "baseline_weeks": "20"})
    response = client.post(settings_url(ward), {"chart_type": "auto", "baseline_weeks": "30"})
    assert response.status_code == 400
    assert "Say why the baseline changes" in response.content.decode()
    client.post(settings_url(ward), {"chart_type": "auto", "baseline_weeks": "30",
                                     "reason": "Ward reopened after refurbishment"})  # fmt: skip
    setting = ChartSetting.objects.get(ward=ward, measure__code="seclusion")
    assert setting.baseline_weeks == 30
    assert setting.history.first().history_change_reason == "Ward reopened after refurbishment"


def test_the_saved_baseline_start_renders_as_an_iso_date_for_the_date_box(client, qi_lead, ward):
    """The browser's date box reads only ISO dates: a 07/06/2021 value shows blank, and the
    next save would wipe the baseline."""
    client.force_login(qi_lead)
    client.post(settings_url(ward), {"chart_type": "auto", "baseline_start": "2024-01-01"})
    page = client.get(settings_url(ward)).content.decode()
    assert 'value="2024-01-01"' in page


def test_a_chart_of_gaps_is_refused_without_incident_dates(client, qi_lead, ward):
    client.force_login(qi_lead)
    WeeklyCountFactory(weekly_return=WeeklyReturnFactory(ward=ward, status="submitted"),
                       measure=Measure.objects.get(code="seclusion"), count=2)  # fmt: skip
    response = client.post(settings_url(ward), {"chart_type": "g"})
    assert response.status_code == 400
    assert "A g chart needs the date of every incident" in response.content.decode()
    assert not ChartSetting.objects.exists()
