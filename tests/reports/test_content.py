import datetime

import pytest

from measures.models import ChangeIdea, Measure, PdsaCycle, WeeklyReturn
from reports import content
from reports.content import PackError
from tests.factories import TrustFactory, WardFactory, WeeklyReturnFactory
from tests.reports.conftest import MONTH

pytestmark = pytest.mark.django_db


def test_it_reads_the_matrix_and_a_page_per_measure(charted, trust, other_ward):
    pack = content.pack_content(trust, MONTH)
    assert pack.title == f"{trust.name}: board pack, March 2024"
    assert pack.units == ["Elm Ward", "Oak Ward"]
    restraint = next(line for line in pack.lines if line.measure.code == "physical_restraint")
    assert restraint.summary is not None
    assert "per 1,000 OBD" in restraint.latest
    assert restraint.coverage == "2 of 2 wards"
    oak = next(u for u in restraint.units if u.name == "Oak Ward")
    assert oak.variation_icon.startswith("improvement")
    assert len(pack.pages) == len(pack.lines)
    page = next(p for p in pack.pages if p.measure.code == "physical_restraint")
    assert page.figure is not None and page.sentence.startswith("Physical restraint")
    # The first pack compares with nothing: wards showing a signal now are listed.
    assert [c.unit for c in page.changes] == ["Oak Ward"]


def idea(ward, title, measures, cycles):
    made = ChangeIdea.objects.create(ward=ward, title=title, started_on=cycles[0][0])
    made.measures.set(Measure.objects.filter(code__in=measures))
    for number, (starts, ends) in enumerate(cycles, start=1):
        PdsaCycle.objects.create(idea=made, number=number, starts_on=starts, ends_on=ends,
                                 plan="Try it on the ward")  # fmt: skip
    return made


def test_it_lists_the_ideas_on_the_measure_tested_in_the_month(charted, trust, ward, other_ward,
                                                                outside_ward):  # fmt: skip
    d = datetime.date
    idea(ward, "Safewards calm-down box", ["physical_restraint"], [(d(2024, 3, 11), None)])
    idea(other_ward, "Huddles", ["physical_restraint"],
         [(d(2024, 1, 8), d(2024, 2, 5)), (d(2024, 2, 26), d(2024, 3, 4))])  # fmt: skip
    idea(ward, "Ended in February", ["physical_restraint"], [(d(2024, 2, 5), d(2024, 2, 26))])
    idea(ward, "Another measure", ["seclusion"], [(d(2024, 3, 11), None)])
    idea(outside_ward, "Not this trust", ["physical_restraint"], [(d(2024, 3, 11), None)])
    pack = content.pack_content(trust, MONTH)
    page = next(p for p in pack.pages if p.measure.code == "physical_restraint")
    assert [i.text for i in page.ideas] == [
        "Huddles (Elm Ward; PDSA 2 from 26 Feb 2024)",
        "Safewards calm-down box (Oak Ward; PDSA 1 from 11 Mar 2024)",
    ]
    marks = [a["text"] for a in page.figure["layout"]["annotations"] if "PDSA" in a["text"]]
    assert "Oak Ward: Safewards calm-down box (PDSA 1)" in marks
    seclusion = next(p for p in pack.pages if p.measure.code == "seclusion")
    assert [i.title for i in seclusion.ideas] == ["Another measure"]


def test_it_lists_only_the_wards_whose_signals_changed_since_the_last_pack(charted, trust):
    first = content.pack_content(trust, MONTH)
    again = content.pack_content(
        trust, MONTH, previous_signals=first.signals, compared_with=datetime.datetime(2024, 4, 1)
    )
    assert all(not page.changes for page in again.pages)
    code = "physical_restraint"
    oak = next(k for k, v in first.signals[code].items() if v[0].startswith("improvement"))
    older = {**first.signals, code: {**first.signals[code], oak: ["common_cause", ""]}}
    changed = content.pack_content(trust, MONTH, previous_signals=older)
    page = next(p for p in changed.pages if p.measure.code == code)
    assert [(c.unit, c.before) for c in page.changes] == [("Oak Ward", "Common cause variation")]


def test_it_refuses_a_month_with_no_returns(charted, trust):
    with pytest.raises(PackError, match="No returns were submitted .* in March 2020"):
        content.pack_content(trust, datetime.date(2020, 3, 1))


def test_it_refuses_a_trust_with_no_charts(region):
    empty = TrustFactory(region=region)
    ward = WardFactory(trust=empty)
    WeeklyReturnFactory(
        ward=ward, week_start=datetime.date(2024, 3, 4), status=WeeklyReturn.Status.SUBMITTED
    )
    with pytest.raises(PackError, match="has no charts yet"):
        content.pack_content(empty, MONTH)


def test_it_makes_a_region_pack_of_its_trusts(charted, region, trust):
    pack = content.pack_content(region, MONTH)
    assert pack.unit_label == "trust"
    assert pack.units == [trust.name]
    assert pack.lines[0].units[0].name == trust.name


def _content_of(lines: int, units: int) -> content.PackContent:
    return content.PackContent(
        title="t", scope_label="Trust", unit_label="ward", month=MONTH, data_to="",
        units=[f"Ward {i}" for i in range(units)], lines=[object()] * lines, pages=[],
        signals={},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("lines", "units", "pages"),
    [(0, 0, 1), (12, 8, 1), (13, 8, 2), (23, 3, 2), (23, 9, 4), (25, 17, 9)],
)
def test_the_matrix_splits_into_pages_of_twelve_measures_and_eight_wards(lines, units, pages):
    made = _content_of(lines, units)
    assert len(made.matrix_pages()) == made.page_count == pages
    cells = {(r, c) for rows, columns in made.matrix_pages() for r in rows for c in columns}
    assert cells == {(r, c) for r in range(lines) for c in range(units)}, "every cell once"
    first_rows, first_columns = made.matrix_pages()[0]
    assert len(first_rows) == min(lines, 12) and len(first_columns) == min(units, 8)
