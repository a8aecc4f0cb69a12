"""A QI lead imports a file with one bad row, fixes it and commits, in real Chromium."""

import re

import pytest

from measures.catalogue import sync_catalogue
from measures.models import Measure, Programme, WeeklyCount, WeeklyReturn

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

HEADER = (
    "trust_ods,ward_name,ward_code,week_start,beds,occupied_bed_days,status,"
    "physical_restraint,prone_restraint,seclusion"
)


@pytest.fixture(autouse=True)
def _catalogue():

    sync_catalogue(Measure, Programme)


def upload(page, path):
    page.get_by_label("Upload a CSV or Excel (.xlsx) file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/imports/*/")


def test_it_shows_a_bad_row_then_imports_the_corrected_file(
    live_server, page, screenshot, qi_lead, ward, other_ward, tmp_path
):
    page.goto(live_server.url)
    page.get_by_label("Username").fill("qilead")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Import weekly returns").click()
    screenshot("import")

    bad = tmp_path / "returns.csv"
    bad.write_text(
        "\n".join(
            [
                HEADER,
                "RX4,Oak Ward,,2024-01-01,,130,,3,1,0",
                "RX4,Elm Ward,,2024-01-01,,80,,2,4,",  # prone above physical restraint
                "RX4,Oak Ward,,2024-01-08,,126,,1,0,0",
            ]
        ),
        encoding="utf-8-sig",
    )
    upload(page, bad)
    summary = page.locator(".nhsuk-error-summary")
    assert "nothing can be imported yet" in summary.inner_text()
    errors = page.locator(".mhsip-import-errors tbody tr")
    assert errors.count() == 1
    cells = errors.first.locator("td").all_inner_texts()
    assert cells[0] == "3" and cells[1] == "prone_restraint"
    assert "cannot be more than physical restraint" in cells[2]
    assert page.get_by_role("button", name=re.compile(r"^Import \d+ return")).count() == 0
    screenshot("import-preview-errors")
    assert not WeeklyReturn.objects.exists()

    bad.write_text(bad.read_text(encoding="utf-8-sig").replace(",2,4,", ",2,1,"), "utf-8-sig")
    page.get_by_role("link", name="Upload a corrected file").first.click()
    upload(page, bad)
    assert page.locator("[data-total=create]").inner_text() == "3"
    assert page.locator("[data-total=errors]").inner_text() == "0"
    screenshot("import-preview")
    page.get_by_role("button", name="Import 3 returns").click()
    page.get_by_text("3 returns created, 0 updated, 0 unchanged").wait_for()

    assert WeeklyReturn.objects.filter(status="submitted").count() == 3
    assert WeeklyCount.objects.filter(weekly_return__ward=other_ward).count() == 2  # blank: missing

    # The same file again changes nothing.
    upload(page, bad)
    assert page.locator("[data-total=unchanged]").inner_text() == "3"
    assert "would change nothing" in page.locator("main").inner_text()
