"""Every text field has one length limit: the form's, the API's and the database's agree."""

import datetime

import pytest
from django.utils import timezone

from measures import pdsa_rules
from measures.forms_pdsa import ChangeIdeaNewForm
from measures.models import NOTES_MAX_LENGTH, ChangeIdea
from mhsip.weeks import monday_of
from spc.forms import ChartSettingForm
from spc.models import ChartSetting

pytestmark = pytest.mark.django_db

LAST_WEEK = monday_of(timezone.localdate()) - datetime.timedelta(weeks=1)


def test_change_idea_notes_have_one_limit_in_rules_form_and_database(ward):
    assert NOTES_MAX_LENGTH == pdsa_rules.MAX_TEXT == 2_000
    assert ChangeIdea._meta.get_field("notes").max_length == NOTES_MAX_LENGTH
    assert ChangeIdeaNewForm(ward=ward).fields["notes"].limit == NOTES_MAX_LENGTH


def test_two_megabytes_of_notes_are_refused_by_the_api(client, staff, ward):
    client.force_login(staff)
    body = {"ward": ward.pk, "title": "Huddles", "started_on": LAST_WEEK.isoformat(),
            "notes": "n" * (NOTES_MAX_LENGTH + 1)}  # fmt: skip
    response = client.post("/api/v1/change-ideas/", body, content_type="application/json")
    assert response.status_code == 400
    assert not ChangeIdea.objects.exists()


def test_a_chart_settings_reason_fits_the_history_it_is_kept_in(ward):
    limit = ChartSetting.history.model._meta.get_field("history_change_reason").max_length
    measure = ChartSetting._meta.get_field("measure").related_model.objects.first()
    assert ChartSettingForm(measure=measure).fields["reason"].max_length == limit
