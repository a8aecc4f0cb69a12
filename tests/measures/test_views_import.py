"""The import pages (measures/views.py): upload, preview, commit, cancel."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from measures.models import ReturnImport, WeeklyReturn
from measures.services import weekly_return_record
from measures.tasks import return_imports_purge_task
from mhsip.weeks import monday_of
from tests.measures.import_helpers import WEEK, csv_bytes, saved

pytestmark = pytest.mark.django_db



def test_it_lets_only_qi_leads_and_admins_import(client, staff, facilitator, qi_lead, admin_user):
    for user in (staff, facilitator):
        client.force_login(user)
        assert client.get(reverse("measures:import")).status_code == 403
    for user in (qi_lead, admin_user):
        client.force_login(user)
        assert client.get(reverse("measures:import")).status_code == 200


def upload(client, content, name="returns.csv", **extra):
    return client.post(
        reverse("measures:import"), {"file": SimpleUploadedFile(name, content), **extra}
    )


def test_it_previews_then_commits_an_upload(client, qi_lead, ward):
    client.force_login(qi_lead)
    response = upload(client, csv_bytes("RX4,Oak Ward,,2024-01-01,,130,,2,1"))
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.context["totals"] == {"create": 1, "update": 0, "unchanged": 0}
    assert "Import 1 return" in preview.content.decode()
    assert not WeeklyReturn.objects.exists()  # a preview writes nothing
    response = client.post(response["Location"], {"commit": ""})
    assert response.status_code == 302
    assert saved(ward) == {"seclusion": 2, "self_harm": 1}
    assert not ReturnImport.objects.exists()
    assert "1 returns created" in client.get(response["Location"]).content.decode()


def test_it_shows_row_errors_and_offers_to_snap_dates(client, qi_lead, ward):
    client.force_login(qi_lead)
    location = upload(client, csv_bytes("RX4,Oak Ward,,2024-01-03,,130,,2,1"))["Location"]
    preview = client.get(location).content.decode()
    assert "is not a Monday" in preview
    assert "Move dates to the Monday of their week" in preview
    client.post(location, {"snap": ""})
    preview = client.get(location)
    assert preview.context["plan"].errors == []
    assert preview.context["totals"]["create"] == 1


def test_it_shows_a_refused_file(client, qi_lead):
    client.force_login(qi_lead)
    response = upload(client, b"nonsense,columns\n1,2\n")
    assert response.status_code == 400
    assert "Unknown columns" in response.content.decode()
    assert "Nothing of the file was kept" in response.content.decode()
    assert not ReturnImport.objects.exists()


def test_it_keeps_each_upload_private_to_its_uploader(client, qi_lead, admin_user, ward):
    client.force_login(qi_lead)
    location = upload(client, csv_bytes("RX4,Oak Ward,,2024-01-01,,130,,2,1"))["Location"]
    client.force_login(admin_user)
    assert client.get(location).status_code == 404
    assert client.post(location, {"commit": ""}).status_code == 404
    assert not WeeklyReturn.objects.exists()


def test_it_serves_the_template_in_both_formats(client, qi_lead, ward):
    client.force_login(qi_lead)
    response = client.get(reverse("measures:import-template", args=["csv"]))
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("trust_ods,ward_name,ward_code,week_start,beds,occupied_bed_days")
    assert "prone_restraint" in header
    response = client.get(reverse("measures:import-template", args=["xlsx"]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["returns", "incidents", "measures", "wards"]
    assert [c.value for c in workbook["incidents"][1]] == [
        "trust_ods", "ward_name", "ward_code", "measure", "incident_date",
    ]  # fmt: skip
    assert [c.value for c in workbook["wards"][2]][:2] == ["RX4", "Oak Ward"]


def test_a_file_changing_late_weeks_asks_for_one_reason(client, qi_lead, ward):
    weekly_return_record(ward=ward, week_start=WEEK, user=qi_lead, counts={"seclusion": 1},
                         occupied_bed_days=130, submit=True)  # fmt: skip
    client.force_login(qi_lead)
    location = upload(client, csv_bytes("RX4,Oak Ward,,2024-01-01,,130,,3,"))["Location"]
    preview = client.get(location).content.decode()
    assert "Why are you changing submitted weeks that ended more than 4 weeks ago?" in preview
    refused = client.post(location, {"commit": ""})
    assert refused.status_code == 200
    assert "say why, once for the whole file" in refused.content.decode()
    assert saved(ward) == {"seclusion": 1}
    client.post(location, {"commit": "", "reason": "Recounted from Datix"})
    assert saved(ward) == {"seclusion": 3}
    reason = WeeklyReturn.objects.get(ward=ward, week_start=WEEK).history.first()
    assert reason.history_change_reason == "Imported from returns.csv: Recounted from Datix"


def test_a_week_changed_since_the_preview_is_not_overwritten(client, qi_lead, staff, ward):
    week = monday_of(timezone.localdate()) - datetime.timedelta(weeks=1)
    client.force_login(qi_lead)
    location = upload(client, csv_bytes(f"RX4,Oak Ward,,{week},,130,,3,"))["Location"]
    assert client.get(location).context["totals"]["create"] == 1
    weekly_return_record(ward=ward, week_start=week, user=staff, counts={"seclusion": 5},
                         occupied_bed_days=130, submit=True)  # meanwhile, on the ward  # fmt: skip
    response = client.post(location, {"commit": ""})
    assert "Someone changed some of these weeks since your preview" in response.content.decode()
    assert saved(ward, week) == {"seclusion": 5}
    assert response.context["totals"]["update"] == 1  # the preview as it is now
    client.post(location, {"commit": ""})  # imported after looking again
    assert saved(ward, week) == {"seclusion": 3}


def test_an_upload_over_the_limit_is_refused_before_anything_is_stored(
    client, qi_lead, monkeypatch
):
    monkeypatch.setattr("measures.forms_import.MAX_BYTES", 1000)
    client.force_login(qi_lead)
    response = upload(client, csv_bytes(*["RX4,Oak Ward,,2024-01-01,,130,,2,1"] * 40))
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not ReturnImport.objects.exists()


def test_a_file_or_filename_with_an_nhs_number_is_refused_and_nothing_kept(client, qi_lead, ward):
    client.force_login(qi_lead)
    response = upload(client, csv_bytes("RX4,Oak Ward 943 476 5919,,2024-01-01,,130,,2,1"))
    assert response.status_code == 400
    assert "Row 2 holds what looks like an NHS number" in response.content.decode()
    response = upload(client, csv_bytes("RX4,Oak Ward,,2024-01-01,,130,,2,1"),
                      name="datix 9434765919.csv")  # fmt: skip
    assert response.status_code == 400
    assert "The file name looks like it holds an NHS number" in response.content.decode()
    assert not ReturnImport.objects.exists()


def test_an_upload_keeps_its_rows_never_the_file_and_is_purged_after_a_day(
    client, qi_lead, ward
):

    client.force_login(qi_lead)
    upload(client, csv_bytes("RX4,Oak Ward,,2024-01-01,,130,,2,1"))
    kept = ReturnImport.objects.get()
    assert not hasattr(kept, "content")
    assert kept.parsed["rows"][0]["counts"] == {"seclusion": 2, "self_harm": 1}
    assert return_imports_purge_task() == 0
    ReturnImport.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert return_imports_purge_task() == 1
    assert not ReturnImport.objects.exists()


INCIDENT_FILE = (
    b"trust_ods,ward_name,measure,incident_date\n"
    b"RX4,Oak Ward,seclusion,2024-01-02\nRX4,Oak Ward,seclusion,2024-01-17\n"
)


def test_it_previews_incidents_as_drafts_and_asks_before_filling_zeros(client, qi_lead, ward):
    client.force_login(qi_lead)
    location = upload(client, INCIDENT_FILE, "datix.csv")["Location"]
    preview = client.get(location)
    page = preview.content.decode()
    assert preview.context["totals"]["create"] == 2 and preview.context["plan"].new_drafts == 2
    assert "drafts without bed days" in page and "Create draft" in page
    statement = ("This file covers every incident from w/c 1 January 2024 to w/c 15 January 2024: "
                 "weeks with none get a count of 0 for these measures (seclusion)")  # fmt: skip
    assert statement in page and "a 0 is never assumed" in page
    assert 'id="zero_fill" name="zero_fill" type="checkbox" value="on">' in page  # off
    client.post(location, {"zero_fill": ["off", "on"]})
    preview = client.get(location)
    assert preview.context["plan"].zero_filled and preview.context["totals"]["create"] == 3
    assert "You said this file covers every incident" in preview.content.decode()
    client.post(location, {"commit": ""})
    assert saved(ward, datetime.date(2024, 1, 8)) == {"seclusion": 0}
    assert saved(ward) == {"seclusion": 1}
    assert WeeklyReturn.objects.filter(status="draft").count() == 3
