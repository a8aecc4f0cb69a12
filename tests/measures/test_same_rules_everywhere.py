"""The form, the file import and the bulk API give the same message for the same broken rule
(they all ask measures/rules.py), and a refusal writes nothing. Runs on SQLite and, in CI's
second pass, on PostgreSQL (where beds = 40,000 would not even fit the smallint column)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from measures import rules
from measures.errors import ImportRefused
from measures.import_commit import weekly_returns_import_commit
from measures.importing import parse_returns_file
from measures.models import WeeklyCount, WeeklyReturn
from measures.services import weekly_return_record
from mhsip.weeks import monday_of
from tests.api_clients import token_client

pytestmark = pytest.mark.django_db

LAST_WEEK = monday_of(timezone.localdate()) - datetime.timedelta(weeks=1)
TWO_YEARS_AGO = LAST_WEEK - datetime.timedelta(weeks=104)
HEADER = "trust_ods,ward_name,week_start,beds,occupied_bed_days,status,seclusion"
BEDS_MESSAGE = rules.number_error(40_000, label="Beds open", minimum=1, maximum=rules.MAX_BEDS)


def snapshot():
    return (
        sorted(WeeklyReturn.objects.values_list("id", "version", "beds", "status")),
        sorted(WeeklyCount.objects.values_list("id", "count")),
        WeeklyReturn.history.count() + WeeklyCount.history.count(),
    )


def submitted_week(ward, user, week):
    return weekly_return_record(ward=ward, week_start=week, user=user, counts={"seclusion": 1},
                                occupied_bed_days=130, submit=True)  # fmt: skip


def import_errors(user, line):
    parsed = parse_returns_file(content=f"{HEADER}\n{line}\n".encode(), filename="r.csv")
    with pytest.raises(ImportRefused) as refused:
        weekly_returns_import_commit(user=user, parsed=parsed, source="r.csv")
    plan = refused.value.plan
    return {(e.column): e.message for e in [*parsed.errors, *plan.errors]}, plan


def bulk_errors(user, item):
    response = token_client(user).post("/api/v1/returns/bulk/", {"items": [item]}, format="json")
    assert response.status_code == 400, response.content
    return {e["field"]: e["reason"] for e in response.json()["items"]}


def form_errors(client, user, ward, week, **data):
    client.force_login(user)
    url = reverse("measures:weekly-entry", kwargs={"ward_id": ward.pk, "week_start": week})
    page = client.get(url)
    version = page.context["form"]["version"].value()
    response = client.post(url, {"version": version, "beds": "20", "occupied_bed_days": "130",
                                 "submit": "", **data})  # fmt: skip
    assert response.status_code == 200
    return response.context["form"].errors


def test_beds_of_40000_get_the_forms_message_everywhere(client, qi_lead, ward):
    before = snapshot()
    assert form_errors(client, qi_lead, ward, LAST_WEEK, beds="40000")["beds"] == [BEDS_MESSAGE]
    errors, _ = import_errors(qi_lead, f"RX4,Oak Ward,{LAST_WEEK},40000,130,submitted,1")
    assert errors["beds"] == BEDS_MESSAGE
    item = {"ward": ward.pk, "week_start": LAST_WEEK.isoformat(), "beds": 40_000,
            "occupied_bed_days": 130, "counts": {"seclusion": 1}}  # fmt: skip
    assert bulk_errors(qi_lead, item)["beds"] == BEDS_MESSAGE
    assert snapshot() == before


def test_changing_a_two_year_old_submitted_week_needs_a_reason_everywhere(client, qi_lead, ward):
    submitted_week(ward, qi_lead, TWO_YEARS_AGO)
    before = snapshot()
    found = form_errors(client, qi_lead, ward, TWO_YEARS_AGO, m_seclusion="3")
    assert found["reason"] == [rules.LATE_REASON_MESSAGE]
    item = {"ward": ward.pk, "week_start": TWO_YEARS_AGO.isoformat(), "occupied_bed_days": 130,
            "counts": {"seclusion": 3}}  # fmt: skip
    assert bulk_errors(qi_lead, item)["reason"].startswith(rules.LATE_REASON_MESSAGE)
    _, plan = import_errors(qi_lead, f"RX4,Oak Ward,{TWO_YEARS_AGO},,130,,3")
    assert plan.late_rows == [2] and plan.needs_reason and not plan.errors
    assert snapshot() == before
    # One reason for the request (or the file) and it goes through, kept in the history.
    response = token_client(qi_lead).post(
        "/api/v1/returns/bulk/", {"items": [item], "reason": "Recounted from Datix"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    weekly_return = WeeklyReturn.objects.get(ward=ward, week_start=TWO_YEARS_AGO)
    reason = weekly_return.history.first().history_change_reason
    # The token the items came through, then the request's reason.
    assert reason.startswith("Imported from API bulk upload [API token 'test ")
    assert reason.endswith("']: Recounted from Datix")


def test_a_file_or_bulk_item_cannot_turn_a_submitted_week_into_a_draft(qi_lead, ward):
    submitted_week(ward, qi_lead, LAST_WEEK)
    before = snapshot()
    errors, _ = import_errors(qi_lead, f"RX4,Oak Ward,{LAST_WEEK},,130,draft,1")
    assert errors["status"] == rules.DRAFT_OVER_SUBMITTED_MESSAGE
    item = {"ward": ward.pk, "week_start": LAST_WEEK.isoformat(), "occupied_bed_days": 130,
            "status": "draft", "counts": {"seclusion": 1}}  # fmt: skip
    assert bulk_errors(qi_lead, item)["status"] == rules.DRAFT_OVER_SUBMITTED_MESSAGE
    assert snapshot() == before
    assert WeeklyReturn.objects.get(ward=ward, week_start=LAST_WEEK).status == "submitted"


def test_a_bulk_item_naming_a_stale_version_is_refused(qi_lead, ward):
    submitted_week(ward, qi_lead, LAST_WEEK)
    before = snapshot()
    item = {"ward": ward.pk, "week_start": LAST_WEEK.isoformat(), "occupied_bed_days": 130,
            "counts": {"seclusion": 2}, "version": 7}  # fmt: skip
    assert "now version 1" in bulk_errors(qi_lead, item)["version"]
    assert snapshot() == before
