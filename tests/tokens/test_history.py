"""A change made through an API token says which token in its history."""

import datetime

import pytest
from django.utils import timezone

from measures.models import WeeklyCount, WeeklyReturn
from mhsip.weeks import monday_of
from tests.tokens.test_services import client_with
from tokens.history import with_token_name
from tokens.services import api_token_create

pytestmark = pytest.mark.django_db

LAST_WEEK = monday_of(timezone.localdate()) - datetime.timedelta(weeks=1)


def test_a_return_written_with_a_token_names_the_token_in_its_history(staff, ward):
    _, key = api_token_create(user=staff, name="Datix nightly push")
    body = {"ward": ward.pk, "week_start": LAST_WEEK.isoformat(), "occupied_bed_days": 100,
            "counts": {"physical_restraint": 3}, "submit": True}  # fmt: skip
    response = client_with(key).post("/api/v1/returns/", body, format="json")
    assert response.status_code == 201
    saved = WeeklyReturn.history.get()
    assert saved.history_user == staff
    assert saved.history_change_reason == "[API token 'Datix nightly push']"
    assert WeeklyCount.history.get().history_change_reason == "[API token 'Datix nightly push']"


def test_a_signed_in_change_names_no_token(client, staff, ward):
    client.force_login(staff)
    body = {"ward": ward.pk, "week_start": LAST_WEEK.isoformat(), "occupied_bed_days": 100,
            "counts": {"physical_restraint": 3}}  # fmt: skip
    assert client.post("/api/v1/returns/", body, "application/json").status_code == 201
    assert WeeklyReturn.history.get().history_change_reason is None


def test_a_bulk_upload_with_a_token_names_it_in_every_history_row(qi_lead, ward):
    _, key = api_token_create(user=qi_lead, name="Ulysses")
    items = [{"ward": ward.pk, "week_start": LAST_WEEK.isoformat(), "occupied_bed_days": 90,
              "counts": {"seclusion": 1}}]  # fmt: skip
    response = client_with(key).post("/api/v1/returns/bulk/", {"items": items, "source": "Nightly"},
                                     format="json")  # fmt: skip
    assert response.status_code == 200, response.json()
    reasons = {h.history_change_reason for h in WeeklyReturn.history.all()}
    reasons |= {h.history_change_reason for h in WeeklyCount.history.all()}
    assert reasons == {"Imported from Nightly [API token 'Ulysses']"}


def test_the_token_name_fits_the_history_column_after_a_long_reason():
    token = type("Token", (), {"name": "Power BI"})()
    text = with_token_name("x" * 150, token)
    assert len(text) == 100 and text.endswith(" [API token 'Power BI']")
    assert with_token_name(text, token) == text
