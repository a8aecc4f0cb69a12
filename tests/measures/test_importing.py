"""Reading files of returns (measures/importing.py, import_rows.py): formats, refusals."""

import codecs
import datetime
import io
import re
import zipfile

import openpyxl
import pytest

from measures.importing import FileRefused
from tests.measures.import_helpers import HEADER, WEEK, commit, csv_bytes, parse, saved

pytestmark = pytest.mark.django_db



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


def test_it_snaps_dates_to_monday_when_asked(qi_lead, ward):
    parsed = parse(csv_bytes("RX4,Oak Ward,,2024-01-03,,130,,1,"), snap_to_monday=True)
    assert parsed.errors == [] and parsed.snapped == 1
    assert parsed.rows[0].week_start == WEEK


def xlsx_declaring(dimension: str) -> bytes:

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
