import codecs
import datetime
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from measures.errors import ImportRefused
from measures.import_commit import weekly_returns_import_commit
from measures.import_plan import returns_import_plan
from measures.importing import FileRefused, parse_returns_file
from measures.models import ReturnImport, WeeklyCount, WeeklyReturn
from measures.services import weekly_return_record
from mhsip.weeks import monday_of

pytestmark = pytest.mark.django_db

WEEK = datetime.date(2024, 1, 1)
HEADER = (
    "trust_ods,ward_name,ward_code,week_start,beds,occupied_bed_days,status,seclusion,self_harm"
)


def csv_bytes(*lines, header=HEADER, encoding="utf-8"):
    return ("\n".join([header, *lines]) + "\n").encode(encoding)


def parse(content, filename="returns.csv", **kwargs):
    return parse_returns_file(content=content, filename=filename, **kwargs)


def commit(user, content, filename="returns.csv", **kwargs):
    return weekly_returns_import_commit(
        user=user, parsed=parse(content, filename), source=filename, **kwargs
    )


def saved(ward, week=WEEK):
    return dict(
        WeeklyCount.objects.filter(
            weekly_return__ward=ward, weekly_return__week_start=week
        ).values_list("measure__code", "count")
    )


def test_it_creates_returns_from_a_csv_and_changes_nothing_on_reupload(qi_lead, ward):
    content = csv_bytes(
        "RX4,Oak Ward,,2024-01-01,,130,,2,",
        "rx4,oak ward,,2024-01-08,20,120,draft,0,1",
    )
    plan = commit(qi_lead, content)
    assert plan.totals == {"create": 2, "update": 0, "unchanged": 0}
    first = WeeklyReturn.objects.get(ward=ward, week_start=WEEK)
    assert first.status == WeeklyReturn.Status.SUBMITTED
    assert first.submitted_by == qi_lead
    assert saved(ward) == {"seclusion": 2}  # the blank self_harm is missing, not zero
    assert saved(ward, datetime.date(2024, 1, 8)) == {"seclusion": 0, "self_harm": 1}
    history = first.history.get()
    assert history.history_user == qi_lead
    assert history.history_change_reason == "Imported from returns.csv"
    assert WeeklyCount.history.filter(history_user=qi_lead).count() == 3

    versions = list(WeeklyReturn.objects.values_list("version", flat=True))
    plan = commit(qi_lead, content)
    assert plan.totals == {"create": 0, "update": 0, "unchanged": 2}
    assert list(WeeklyReturn.objects.values_list("version", flat=True)) == versions
    assert WeeklyReturn.history.count() == 2


def test_it_updates_changed_rows_and_removes_blanked_counts(qi_lead, staff, ward):
    weekly_return_record(
        ward=ward, week_start=WEEK, user=staff, counts={"seclusion": 1, "self_harm": 2,
        "awol": 4}, occupied_bed_days=130, submit=True,
    )  # fmt: skip
    plan = commit(qi_lead, csv_bytes("RX4,Oak Ward,,2024-01-01,,130,,3,"), reason="Datix recount")
    (row,) = plan.rows
    assert row.action == "update"
    assert row.changes == ["seclusion: 1 → 3", "self_harm: 2 → blank"]
    # awol is not a column of the file: its saved count is left alone.
    assert saved(ward) == {"seclusion": 3, "awol": 4}
    weekly_return = WeeklyReturn.objects.get()
    assert weekly_return.version == 2
    removed = WeeklyCount.history.filter(history_type="-").get()
    assert (removed.count, removed.history_user) == (2, qi_lead)


def test_it_reads_xlsx_with_real_dates_and_excel_date_serials(qi_lead, ward):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(["RX4", "Oak Ward", None, datetime.datetime(2024, 1, 1), None, 130, None, 1, 0])
    sheet.append(["RX4", "Oak Ward", None, 45299, None, 126, None, 2, None])  # 8 Jan 2024
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = commit(qi_lead, buffer.getvalue(), "returns.xlsx")
    assert plan.totals["create"] == 2
    assert saved(ward, datetime.date(2024, 1, 8)) == {"seclusion": 2}


def test_it_reads_a_bom_semicolons_uk_dates_and_csv_date_serials(qi_lead, ward):
    content = codecs.BOM_UTF8 + csv_bytes(
        "RX4;Oak Ward;;01/01/2024;;130;;1;0",
        "RX4;Oak Ward;;45299;;126;;2;",
        header=HEADER.replace(",", ";"),
    )
    parsed = parse(content)
    assert parsed.errors == []
    assert [r.week_start for r in parsed.rows] == [WEEK, datetime.date(2024, 1, 8)]


def test_it_reads_utf16_tab_separated_text(qi_lead, ward):
    content = "\t".join(HEADER.split(",")) + "\nRX4\tOak Ward\t\t2024-01-01\t\t130\t\t1\t\n"
    parsed = parse(codecs.BOM_UTF16_LE + content.encode("utf-16-le"))
    assert parsed.errors == [] and len(parsed.rows) == 1


def test_it_matches_wards_by_code(qi_lead, ward):
    ward.code = "rx4-oak"
    ward.save()
    plan = returns_import_plan(
        user=qi_lead, parsed=parse(csv_bytes("RX4,,RX4-OAK,2024-01-01,,130,,1,"))
    )
    assert plan.errors == [] and plan.rows[0].ward == ward


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"\n\n", "The file is empty"),
        (HEADER.encode() + b"\n", "no data rows"),
        ("trust_ods,ward_name,week_start,Séclusion\nRX4,Oak Ward,2024-01-01,1\n".encode("cp1252"),
         "not UTF-8 text: line 1"),
        (b"trust_ods,ward_name,week_start,restraints\nRX4,Oak,2024-01-01,1\n",
         "Unknown column 'restraints'"),
        (b"ward_name,week_start\nOak,2024-01-01\n", "no trust_ods column"),
        (b"\xd0\xcf\x11\xe0rest-of-an-xls", "old Excel 97-2003 (.xls)"),
        (b"PK\x03\x04not-really-a-zip", "could not be read as an Excel workbook"),
        (b"trust_ods,ward_name,week_start\x00\x00\n", "NUL characters"),
    ],
)  # fmt: skip
def test_it_refuses_unusable_files_with_a_clear_message(content, message):
    with pytest.raises(FileRefused, match=re.escape(message)):
        parse(content)


def test_it_lists_row_errors_with_row_column_and_reason(qi_lead, ward, outside_ward):
    future = monday_of(timezone.localdate()) + datetime.timedelta(weeks=2)
    content = csv_bytes(
        "RX4,Oak Ward,,2024-01-01,,130,,1,",  # row 2: fine
        "RX4,Nowhere Ward,,2024-01-01,,130,,1,",  # 3
        "RY9,Far Ward,,2024-01-01,,130,,1,",  # 4: another trust's ward, not the QI lead's
        "RX4,Oak Ward,,2024-01-01,,130,,2,",  # 5: duplicate of row 2
        "RX4,Oak Ward,,2024-01-03,,130,,1,",  # 6: a Wednesday
        "RX4,Oak Ward,,yesterday,,130,,1,",  # 7
        "RX4,Oak Ward,,2024-01-15,,130,,-1,x",  # 8
        f"RX4,Oak Ward,,{future:%Y-%m-%d},,130,,1,",  # 9
        "RX4,Oak Ward,,2014-12-01,,130,,1,",  # 10: before the ward opened
        "RX4,Oak Ward,,2024-01-22,,141,,1,",  # 11: bed days above 20 × 7
        "RX4,Oak Ward,,2024-01-29,,,,1,",  # 12: submitted without bed days
        "RX4,Oak Ward,,2024-02-05,,130,pending,1,",  # 13
    )
    plan = returns_import_plan(user=qi_lead, parsed=parse(content))
    errors = {(e.row, e.column): e.message for e in plan.errors}
    assert errors[(3, "ward_name")] == "No ward with 'Nowhere Ward' in trust RX4."
    assert "Unknown trust ODS code 'RY9'" in errors[(4, "trust_ods")]
    assert "Duplicate row: row 2 has the same ward and week" in errors[(5, "week_start")]
    assert "Wednesday 3 January 2024 is not a Monday" in errors[(6, "week_start")]
    assert "The Monday of that week is 1 January 2024" in errors[(6, "week_start")]
    assert "'yesterday' is not a date" in errors[(7, "week_start")]
    assert "cannot be negative" in errors[(8, "seclusion")]
    assert "whole number" in errors[(8, "self_harm")]
    assert "is in the future" in errors[(9, "week_start")]
    assert "opened on 1 January 2015" in errors[(10, "week_start")]
    assert "20 × 7 = 140" in errors[(11, "occupied_bed_days")]
    assert "a submitted return needs them" in errors[(12, "occupied_bed_days")]
    assert "not 'pending'" in errors[(13, "status")]
    assert [r.row for r in plan.rows] == [2]
    with pytest.raises(ImportRefused):
        commit(qi_lead, content)
    assert not WeeklyReturn.objects.exists()  # all or nothing


def test_it_snaps_dates_to_monday_when_asked(qi_lead, ward):
    parsed = parse(csv_bytes("RX4,Oak Ward,,2024-01-03,,130,,1,"), snap_to_monday=True)
    assert parsed.errors == [] and parsed.snapped == 1
    assert parsed.rows[0].week_start == WEEK


def test_it_checks_sub_measures_against_their_parent(qi_lead, ward):
    content = csv_bytes(
        "RX4,Oak Ward,,2024-01-01,,130,,2,3",
        header="trust_ods,ward_name,ward_code,week_start,beds,occupied_bed_days,status,"
        "physical_restraint,prone_restraint",
    )
    plan = returns_import_plan(user=qi_lead, parsed=parse(content))
    assert "cannot be more than physical restraint" in plan.errors[0].message
    assert plan.errors[0].column == "prone_restraint"


def test_it_needs_confirmation_for_implausible_counts(qi_lead, ward, settings):
    settings.MHSIP_IMPLAUSIBLE_PER_1000_BED_DAYS = 500
    content = csv_bytes("RX4,Oak Ward,,2024-01-01,,130,,300,")
    with pytest.raises(ImportRefused) as error:
        commit(qi_lead, content)
    assert error.value.plan.warnings[0].column == "seclusion"
    assert not WeeklyReturn.objects.exists()
    commit(qi_lead, content, confirm_implausible=True)
    assert saved(ward) == {"seclusion": 300}


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
    assert workbook.sheetnames == ["returns", "measures", "wards"]
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
    monkeypatch.setattr("measures.forms.MAX_BYTES", 1000)
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
    from measures.tasks import return_imports_purge_task

    client.force_login(qi_lead)
    upload(client, csv_bytes("RX4,Oak Ward,,2024-01-01,,130,,2,1"))
    kept = ReturnImport.objects.get()
    assert not hasattr(kept, "content")
    assert kept.parsed["rows"][0]["counts"] == {"seclusion": 2, "self_harm": 1}
    assert return_imports_purge_task() == 0
    ReturnImport.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert return_imports_purge_task() == 1
    assert not ReturnImport.objects.exists()


def xlsx_declaring(dimension: str) -> bytes:
    import zipfile

    book = openpyxl.Workbook()
    book.active.append(["trust_ods", "ward_name", "week_start"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="{dimension}"/>'
                              .encode(), data)  # fmt: skip
                assert dimension.encode() in data
            target.writestr(item, data)
    return out.getvalue()


def test_a_workbook_declaring_a_huge_sheet_is_refused_at_once(ward):
    content = xlsx_declaring("A1:XFD1048576")
    assert len(content) < 10_000
    with pytest.raises(FileRefused, match="1,048,576 rows and 16,384 columns"):
        parse(content, "huge.xlsx")
