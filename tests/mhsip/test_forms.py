"""The one identifier guard on every free-text entry point: the weekly form's late-edit
reason, change ideas (web and API), phase breaks, token names and the import filename refuse
NHS numbers however they are written, and warn (saving anyway) about names and dates of birth.
"""

import datetime
import pathlib
import re

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from measures.forms_pdsa import ChangeIdeaNewForm, TextField
from measures.models import ReturnImport, WeeklyReturn
from measures.services import weekly_return_record
from mhsip.forms import FreeTextFormMixin, IsoDateInput, NhsukFormMixin
from mhsip.weeks import monday_of
from spc.forms import PhaseBreakForm
from tests.measures.import_helpers import csv_bytes

ROOT = pathlib.Path(__file__).resolve().parents[2]
DAY = datetime.date(2021, 6, 7)


def test_it_renders_a_saved_date_as_iso_under_en_gb():
    with translation.override("en-gb"):
        html = IsoDateInput().render("day", DAY)
    assert 'type="date"' in html and 'value="2021-06-07"' in html


@pytest.mark.django_db
def test_it_renders_every_date_box_of_the_forms_as_iso(ward):
    """A date box given 07/06/2021 shows blank: the next save would wipe the date."""
    with translation.override("en-gb"):
        idea = ChangeIdeaNewForm(initial={"started_on": DAY}, ward=ward).as_p()
        phase = PhaseBreakForm(initial={"starts_on": DAY}).as_p()
    assert 'value="2021-06-07"' in idea and 'value="2021-06-07"' in phase


def test_it_has_no_date_box_without_the_iso_widget():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("mhsip", "wards", "measures", "spc", "audit", "tokens")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "forms.py" or path.parent.name != "mhsip"
        if re.search(r"\bDateInput\(|DateTimeInput\(", path.read_text())
    ]
    assert offenders == []


class Sample(NhsukFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=[("a", "A")], help_text="Pick one")
    name = forms.CharField()
    notes = forms.CharField(widget=forms.Textarea, required=False)
    tick = forms.BooleanField(required=False)


def test_it_gives_controls_the_nhsuk_classes_and_their_error_variant():
    form = Sample(data={"kind": "a", "name": ""})
    assert not form.is_valid()
    select, name = str(form["kind"]), str(form["name"])
    assert 'class="nhsuk-select"' in select
    assert 'aria-describedby="id_kind-hint"' in select
    assert 'class="nhsuk-input nhsuk-input--error"' in name
    assert 'aria-describedby="id_name-error"' in name
    assert "nhsuk-textarea" in str(form["notes"])
    assert "nhsuk" not in str(form["tick"])


# --- the identifier guard ---

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


@pytest.mark.django_db
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


def test_the_change_idea_forms_text_fields_refuse_a_slashed_nhs_number():
    with pytest.raises(forms.ValidationError, match="looks like an NHS number"):
        TextField(label="Notes").clean("see 943/476/5919")


@pytest.mark.django_db
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


@pytest.mark.django_db
def test_the_import_filename_refuses_an_nhs_number_with_any_separator(client, qi_lead, ward):
    client.force_login(qi_lead)
    content = csv_bytes("RX4,Oak Ward,,2024-01-01,,130,,2,1")
    for name in ("datix_943_476_5919.csv", "datix 943.476.5919.csv", f"datix {HIDDEN}.csv"):
        response = client.post(reverse("measures:import"),
                               {"file": SimpleUploadedFile(name, content)})  # fmt: skip
        assert response.status_code == 400, name
        assert "The file name looks like it holds an NHS number" in response.content.decode()
    assert not ReturnImport.objects.exists()
