"""Every text field has one length limit: the form's, the API's and the database's agree."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.api.change_ideas import ChangeIdeaListApi
from measures.change_ideas import ChangeIdeaForm
from measures.models import NOTES_MAX_LENGTH, ChangeIdea
from mhsip.weeks import monday_of
from spc.forms import ChartSettingForm
from spc.models import ChartSetting

pytestmark = pytest.mark.django_db

LAST_WEEK = monday_of(timezone.localdate()) - datetime.timedelta(weeks=1)


def test_change_idea_notes_have_one_limit_in_form_api_and_database():
    assert NOTES_MAX_LENGTH == 2_000
    assert ChangeIdea._meta.get_field("notes").max_length == NOTES_MAX_LENGTH
    assert ChangeIdeaForm().fields["notes"].max_length == NOTES_MAX_LENGTH
    api = ChangeIdeaListApi.InputSerializer().fields["notes"]
    assert api.max_length == NOTES_MAX_LENGTH
    for name in ("title", "driver_area"):
        limit = ChangeIdea._meta.get_field(name).max_length
        assert ChangeIdeaForm().fields[name].max_length == limit
        assert ChangeIdeaListApi.InputSerializer().fields[name].max_length == limit


def test_two_megabytes_of_notes_are_refused_on_the_web_and_the_api(client, staff, ward):
    client.force_login(staff)
    notes = "n" * (NOTES_MAX_LENGTH + 1)
    url = reverse("spc:change-idea-add", args=[ward.pk])
    response = client.post(url, {"title": "Huddles", "started_on": LAST_WEEK, "stage": "plan",
                                 "notes": notes})  # fmt: skip
    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()
    body = {"ward": ward.pk, "title": "Huddles", "started_on": LAST_WEEK.isoformat(),
            "notes": notes}  # fmt: skip
    response = client.post("/api/v1/change-ideas/", body, content_type="application/json")
    assert response.status_code == 400
    assert not ChangeIdea.objects.exists()


def test_a_chart_settings_reason_fits_the_history_it_is_kept_in(ward):
    limit = ChartSetting.history.model._meta.get_field("history_change_reason").max_length
    measure = ChartSetting._meta.get_field("measure").related_model.objects.first()
    assert ChartSettingForm(measure=measure).fields["reason"].max_length == limit
