import datetime
import pathlib
import re

import pytest
from django import forms
from django.utils import translation

from measures.forms_pdsa import ChangeIdeaNewForm
from mhsip.forms import IsoDateInput, NhsukFormMixin
from spc.forms import PhaseBreakForm

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
