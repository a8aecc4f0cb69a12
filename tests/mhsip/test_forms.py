"""The one identifier guard on every free-text entry point: the weekly form's late-edit
reason, change ideas (web and API), phase breaks, token names and the import filename refuse
NHS numbers however they are written, and warn (saving anyway) about names and dates of birth.
"""

import datetime

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from measures.models import ChangeIdea, ReturnImport, WeeklyReturn
from measures.services import weekly_return_record
from mhsip.forms import FreeTextFormMixin
from mhsip.weeks import monday_of
from tests.measures.import_helpers import csv_bytes

pytestmark = pytest.mark.django_db

HIDDEN = "943\u00a0476\u00a05919"  # an NHS number with non-breaking spaces
DOTTED = "943.476.5919"
LAST_WEEK = monday_of(timezone.localdate()) - datetime.timedelta(weeks=1)


class NoteForm(FreeTextFormMixin, forms.Form):
    title = forms.CharField()
    notes = forms.CharField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput, required=False)
    when = forms.DateField(required=False)


def test_the_mixin_checks_every_text_field_and_reports_all_errors_in_one_round():
    form = NoteForm({"title": f"Idea {DOTTED}", "notes": HIDDEN, "secret": "9434765919",
                     "when": "nonsense"})  # fmt: skip
    assert not form.is_valid()
    assert set(form.errors) == {"title", "notes", "when"}  # a password is not free text
    assert "looks like an NHS number" in form.errors["notes"][0]


def test_the_mixin_warns_without_refusing():
    form = NoteForm({"title": "Huddles", "notes": "Asked Mrs J Jones"})
    assert form.is_valid()
    assert list(form.text_warnings) == ["notes"]


def test_the_late_edit_reason_of_the_weekly_form_refuses_an_nhs_number(client, staff, ward):
    old_week = monday_of(timezone.localdate()) - datetime.timedelta(weeks=8)
    weekly_return_record(ward=ward, week_start=old_week, user=staff, counts={"seclusion": 1},
                         occupied_bed_days=130, submit=True)  # fmt: skip
    client.force_login(staff)
    url = reverse("measures:weekly-entry", args=[ward.pk, old_week])
    body = {"version": "1", "beds": "20", "occupied_bed_days": "130", "m_seclusion": "2",
            "reason": f"Patient {HIDDEN} re-graded"}  # fmt: skip
    response = client.post(url, body)
    assert response.status_code == 200
    assert "looks like an NHS number" in response.content.decode()
    assert WeeklyReturn.objects.get(ward=ward, week_start=old_week).version == 1
    response = client.post(url, {**body, "reason": "Re-graded after Mr Smith's review"},
                           follow=True)  # fmt: skip
    assert "may name a person" in response.content.decode()
    assert WeeklyReturn.objects.get(ward=ward, week_start=old_week).version == 2


def test_a_change_idea_refuses_a_dotted_nhs_number_on_the_web_and_the_api(client, staff, ward):
    client.force_login(staff)
    url = reverse("spc:change-idea-add", args=[ward.pk])
    idea = {"title": f"Idea for {DOTTED}", "started_on": LAST_WEEK, "stage": "plan"}
    assert client.post(url, idea).status_code == 400
    body = {"ward": ward.pk, "title": "Huddles", "started_on": LAST_WEEK.isoformat(),
            "notes": "see 943/476/5919"}  # fmt: skip
    response = client.post("/api/v1/change-ideas/", body, content_type="application/json")
    assert response.status_code == 400
    assert "NHS number" in str(response.json())
    assert not ChangeIdea.objects.exists()
    response = client.post(url, {**idea, "title": "Born to be calm: DOB checks"}, follow=True)
    assert "may name a person" in response.content.decode()
    assert ChangeIdea.objects.count() == 1


def test_a_phase_break_reason_and_a_token_name_refuse_hidden_nhs_numbers(
    client, qi_lead, staff, ward
):
    client.force_login(qi_lead)
    url = reverse("spc:phase-break-add", args=[ward.pk, "physical_restraint"])
    response = client.post(url, {"starts_on": LAST_WEEK, "reason": f"After {HIDDEN}"})
    assert response.status_code == 400 and "looks like an NHS number" in response.content.decode()
    client.force_login(staff)
    response = client.post("/profile/tokens/", {"name": "Laptop 9434\u200b765919"})
    assert "looks like an NHS number" in response.content.decode()


def test_the_import_filename_refuses_an_nhs_number_with_any_separator(client, qi_lead, ward):
    client.force_login(qi_lead)
    content = csv_bytes("RX4,Oak Ward,,2024-01-01,,130,,2,1")
    for name in ("datix_943_476_5919.csv", "datix 943.476.5919.csv", f"datix {HIDDEN}.csv"):
        response = client.post(reverse("measures:import"),
                               {"file": SimpleUploadedFile(name, content)})  # fmt: skip
        assert response.status_code == 400, name
        assert "The file name looks like it holds an NHS number" in response.content.decode()
    assert not ReturnImport.objects.exists()
