import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from measures.import_commit import weekly_returns_import_commit
from measures.importing import parse_returns_file
from measures.services import weekly_return_record

pytestmark = pytest.mark.django_db

WEEK = datetime.date(2024, 1, 1)


@pytest.fixture
def returns(ward, other_ward, staff, qi_lead):
    weekly_return_record(
        ward=ward, week_start=WEEK, user=staff, counts={"seclusion": 2, "self_harm": 0},
        occupied_bed_days=130, submit=True,
    )  # fmt: skip
    weekly_return_record(
        ward=other_ward, week_start=WEEK, user=qi_lead, counts={"awol": 1}, occupied_bed_days=None
    )


def test_it_exports_a_ward_as_csv_in_the_import_format(client, staff, ward, returns):
    client.force_login(staff)
    response = client.get(reverse("measures:ward-export", args=[ward.pk, "csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8-sig").splitlines()
    header = lines[0].split(",")
    assert header[:7] == [
        "trust_ods", "ward_name", "ward_code", "week_start", "beds", "occupied_bed_days", "status"
    ]  # fmt: skip
    row = dict(zip(header, lines[1].split(","), strict=True))
    assert row["week_start"] == "2024-01-01" and row["status"] == "submitted"
    assert row["seclusion"] == "2" and row["self_harm"] == "0" and row["awol"] == ""
    assert len(lines) == 2


def test_it_round_trips_a_trust_export_through_the_importer(client, qi_lead, returns):
    client.force_login(qi_lead)
    trust_id = qi_lead.memberships.get().trust_id
    for file_format in ("csv", "xlsx"):
        response = client.get(reverse("measures:trust-export", args=[trust_id, file_format]))
        parsed = parse_returns_file(content=response.content, filename=f"x.{file_format}")
        assert parsed.errors == []
        plan = weekly_returns_import_commit(user=qi_lead, parsed=parsed, source="export")
        assert plan.totals == {"create": 0, "update": 0, "unchanged": 2}


def test_it_writes_real_dates_in_xlsx(client, qi_lead, returns):
    client.force_login(qi_lead)
    trust_id = qi_lead.memberships.get().trust_id
    response = client.get(reverse("measures:trust-export", args=[trust_id, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["returns"]
    assert sheet["D2"].value == datetime.datetime(2024, 1, 1)


def test_it_scopes_exports_to_what_the_user_may_see(
    client, staff, facilitator, outsider, ward, other_ward, returns
):
    client.force_login(staff)
    assert (
        client.get(reverse("measures:ward-export", args=[other_ward.pk, "csv"])).status_code == 404
    )
    trust_id = ward.trust_id
    assert client.get(reverse("measures:trust-export", args=[trust_id, "csv"])).status_code == 404
    client.force_login(outsider)
    assert client.get(reverse("measures:ward-export", args=[ward.pk, "csv"])).status_code == 404
    client.force_login(facilitator)  # reading is allowed to the read-only persona
    assert client.get(reverse("measures:trust-export", args=[trust_id, "xlsx"])).status_code == 200
    assert client.get(reverse("measures:ward-export", args=[ward.pk, "pdf"])).status_code == 404
