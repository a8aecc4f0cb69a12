import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from measures.models import Enrolment, Measure, Programme, WeeklyReturn
from spc import recompute
from tests.factories import PdsaCycleFactory, WeeklyCountFactory, WeeklyReturnFactory

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2024, 1, 1)


@pytest.fixture
def charted(ward, other_ward):
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    restraint = Measure.objects.get(code="physical_restraint")
    for w, count in ((ward, 3), (other_ward, 1)):
        Enrolment.objects.create(programme=programme, ward=w, joined_on=FIRST)
        for i in range(30):
            weekly_return = WeeklyReturnFactory(
                ward=w,
                week_start=FIRST + datetime.timedelta(weeks=i),
                status=WeeklyReturn.Status.SUBMITTED,
                occupied_bed_days=80,
            )
            WeeklyCountFactory(weekly_return=weekly_return, measure=restraint, count=count)
    recompute.charts_recompute(ward_ids=[ward.pk, other_ward.pk])
    return ward


def ward_url(ward):
    return reverse("spc:ward-dashboard", args=[ward.pk])


@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff", 200), ("qi_lead", 200), ("facilitator", 200), ("admin_user", 200),
     ("outsider", 404)],
)  # fmt: skip
def test_it_shows_the_ward_dashboard_to_those_in_scope(client, request, charted, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(ward_url(charted))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Physical restraint (all positions): " in page
        assert 'id="chart-physical_restraint-data"' in page
        assert "vendor/plotly/plotly-basic.min.js" in page


def test_it_hides_another_wards_dashboard_from_ward_staff(client, staff, charted, other_ward):
    client.force_login(staff)
    assert client.get(ward_url(other_ward)).status_code == 404


def test_it_reads_stored_results_in_a_bounded_number_of_queries(
    client, qi_lead, charted, django_assert_max_num_queries
):
    client.force_login(qi_lead)
    # Session, user, access checks, the header's trusts/regions/audit link, then the page's
    # own reads: a fixed number of queries, however many wards and measures.
    with django_assert_max_num_queries(16):
        assert client.get(ward_url(charted)).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("spc:trust-matrix", args=[charted.trust_id])).status_code == 200


@pytest.fixture
def two_charts(charted, other_ward):
    """Seclusion counted too, so that two charts of each ward are drawn."""
    seclusion = Measure.objects.get(code="seclusion")
    for weekly_return in WeeklyReturn.objects.all():
        WeeklyCountFactory(weekly_return=weekly_return, measure=seclusion, count=1)
    recompute.charts_recompute(ward_ids=[charted.pk, other_ward.pk])
    return charted


def idea_labels(panels) -> dict[str, list[str]]:
    """Measure code -> the change-idea labels drawn on its chart (the green dotted lines)."""
    drawn = {}
    for panel in panels:
        if panel.figure:
            layout = panel.figure["layout"]
            drawn[panel.measure.code] = [a["text"] for a in layout["annotations"]
                                         if a.get("y") == 0.88]  # fmt: skip
    return drawn


def test_it_draws_a_change_idea_only_on_the_charts_it_targets(client, staff, two_charts):
    cycle = PdsaCycleFactory(idea__ward=two_charts, idea__title="Safewards",
                             idea__started_on=FIRST + datetime.timedelta(weeks=10),
                             idea__measures=["physical_restraint"])  # fmt: skip
    PdsaCycleFactory(idea=cycle.idea, number=2, starts_on=FIRST + datetime.timedelta(weeks=16))
    client.force_login(staff)
    drawn = idea_labels(client.get(ward_url(two_charts)).context["panels"])
    assert drawn == {"physical_restraint": ["Safewards (PDSA 1)", "Safewards (PDSA 2)"],
                     "seclusion": []}  # fmt: skip


def test_it_draws_no_cycle_beyond_the_data(client, staff, charted):
    last_week = FIRST + datetime.timedelta(weeks=29)
    cycle = PdsaCycleFactory(idea__ward=charted, idea__title="Huddles",
                             idea__started_on=FIRST + datetime.timedelta(weeks=10))
    PdsaCycleFactory(idea=cycle.idea, number=2,
                     starts_on=timezone.localdate() + datetime.timedelta(days=200))
    client.force_login(staff)
    panel = next(p for p in client.get(ward_url(charted)).context["panels"]
                 if p.measure.code == "physical_restraint")  # fmt: skip
    assert idea_labels([panel]) == {"physical_restraint": ["Huddles (PDSA 1)"]}
    layout = panel.figure["layout"]
    assert "range" not in layout["xaxis"]  # plotly fits the axis to what is drawn
    assert max(s["x1"] for s in layout["shapes"]) <= last_week.isoformat()


def test_the_trust_charts_draw_the_ideas_of_its_wards_for_that_measure(
    client, qi_lead, two_charts, other_ward
):
    PdsaCycleFactory(idea__ward=two_charts, idea__title="Safewards",
                     idea__measures=["seclusion"])  # fmt: skip
    PdsaCycleFactory(idea__ward=other_ward, idea__title="Huddles",
                     idea__measures=["physical_restraint", "seclusion"])  # fmt: skip
    client.force_login(qi_lead)
    response = client.get(reverse("spc:trust-charts", args=[two_charts.trust_id]))
    drawn = idea_labels(response.context["panels"])
    assert drawn["physical_restraint"] == ["Elm Ward: Huddles (PDSA 1)"]
    assert sorted(drawn["seclusion"]) == ["Elm Ward: Huddles (PDSA 1)",
                                          "Oak Ward: Safewards (PDSA 1)"]  # fmt: skip


def test_the_ward_dashboard_lists_its_ideas_and_links_to_record_one(client, staff, facilitator,
                                                                     charted):  # fmt: skip
    PdsaCycleFactory(idea__ward=charted, idea__title="Safewards", do="Tried")
    new = reverse("measures:change-idea-new", args=[charted.pk])
    client.force_login(staff)
    text = client.get(ward_url(charted)).content.decode()
    assert "PDSA 1: Do" in text and new in text
    client.force_login(facilitator)
    assert new not in client.get(ward_url(charted)).content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff", 404), ("qi_lead", 200), ("facilitator", 200), ("outsider", 404)],
)
def test_it_shows_the_trust_matrix_to_qi_leads_and_facilitators(
    client, request, charted, persona, status
):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("spc:trust-matrix", args=[charted.trust_id]))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Oak Ward" in page and "Elm Ward" in page and "(all wards)" in page


def test_it_filters_the_matrix_by_ward_type_and_exports_it(client, qi_lead, charted, other_ward):
    other_ward.ward_type = "picu"
    other_ward.save()
    client.force_login(qi_lead)
    url = reverse("spc:trust-matrix", args=[charted.trust_id])
    page = client.get(url, {"type": "picu"}).content.decode()
    assert "Elm Ward" in page and "Oak Ward" not in page
    response = client.get(url, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    labels = [row[0].value for row in sheet.iter_rows(min_row=3)]
    assert labels == ["Moorside NHS Foundation Trust (all wards)", "Elm Ward", "Oak Ward"]
    assert sheet.cell(row=4, column=2).value == pytest.approx(12.5)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff", 404), ("qi_lead", 404), ("facilitator", 200), ("admin_user", 200)],
)
def test_it_shows_the_region_comparison_to_facilitators(client, request, charted, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("spc:region-compare", args=[charted.trust.region_id]))
    assert response.status_code == status
    if status == 200:
        assert "Returns complete" in response.content.decode()


def test_it_downloads_chart_data_as_csv_within_scope(client, staff, outsider, charted):
    url = reverse("spc:chart-csv", args=["ward", charted.pk, "physical_restraint"])
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("date,period,count,occupied_bed_days,value,centre")
    assert lines[1].startswith("2024-01-01,week,3,80,37.5")
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    trust_url = reverse("spc:chart-csv", args=["trust", charted.trust_id, "physical_restraint"])
    assert client.get(trust_url).status_code == 404


def test_the_trust_charts_page_shows_the_trusts_own_charts_and_coverage(
    client, qi_lead, staff, charted
):
    client.force_login(qi_lead)
    response = client.get(reverse("spc:trust-charts", args=[charted.trust_id]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "SPC charts of the trust" in page and "enrolled wards reported" in page
    assert response.context["coverage"].enrolled >= 1
    assert reverse("spc:trust-charts", args=[charted.trust_id]) in client.get(
        reverse("spc:trust-matrix", args=[charted.trust_id])).content.decode()  # fmt: skip
    client.force_login(staff)  # ward staff see their wards, not their trust's pages
    assert client.get(reverse("spc:trust-charts", args=[charted.trust_id])).status_code == 404
