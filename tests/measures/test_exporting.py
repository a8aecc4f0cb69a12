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
        occupied_bed_days=130, submit=True, not_collected=["ligature"],
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
    assert row["ligature"] == "NC"  # not collected this week: not blank, never 0
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


@pytest.fixture
def dated(ward, staff, returns):
    """Seclusion 2 with both days (complete); self-harm 3 with one day (incomplete)."""
    weekly_return_record(
        ward=ward, week_start=WEEK, user=staff,
        counts={"seclusion": 2, "self_harm": 3},
        incident_dates={"seclusion": [WEEK + datetime.timedelta(days=4), WEEK],
                        "self_harm": [WEEK]},
        occupied_bed_days=130, reason="Dates added from Datix",
    )  # fmt: skip


def test_it_exports_one_row_per_dated_incident_of_complete_counts(client, qi_lead, ward, dated):
    client.force_login(qi_lead)
    response = client.get(reverse("measures:trust-incidents-export", args=[ward.trust_id, "csv"]))
    assert response.content.decode("utf-8-sig").splitlines() == [
        "trust_ods,ward_name,ward_code,measure,incident_date",
        f"RX4,Oak Ward,{ward.code},seclusion,2024-01-01",
        f"RX4,Oak Ward,{ward.code},seclusion,2024-01-05",
    ]  # self-harm has 1 day of 3: as incident rows it would be a count of 1, so it is left out
    book = openpyxl.load_workbook(io.BytesIO(
        client.get(reverse("measures:trust-export", args=[ward.trust_id, "xlsx"])).content
    ))  # fmt: skip
    assert book.sheetnames[:2] == ["returns", "incidents"]
    assert book["incidents"].max_row == 3


def test_its_incidents_re_import_unchanged(client, qi_lead, ward, dated):
    client.force_login(qi_lead)
    for url in (reverse("measures:trust-incidents-export", args=[ward.trust_id, "csv"]),
                reverse("measures:trust-export", args=[ward.trust_id, "xlsx"]),
                reverse("measures:ward-incidents-export", args=[ward.pk, "xlsx"])):  # fmt: skip
        name = "x." + url.rsplit(".", 1)[1]
        parsed = parse_returns_file(content=client.get(url).content, filename=name)
        assert parsed.errors == [] and parsed.incidents
        plan = weekly_returns_import_commit(user=qi_lead, parsed=parsed, source="export")
        assert plan.errors == [] and plan.totals["create"] == plan.totals["update"] == 0, url
