import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from measures.models import ChangeIdea, Enrolment, Measure, Programme, WeeklyReturn
from spc import recompute
from tests.factories import WeeklyCountFactory, WeeklyReturnFactory

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
        assert "vendor/plotly/plotly.min.js" in page


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


def test_it_adds_a_change_idea_that_shows_on_the_charts(client, staff, charted):
    client.force_login(staff)
    response = client.post(
        reverse("spc:change-idea-add", args=[charted.pk]),
        {"title": "Safewards calm-down methods", "started_on": "2024-03-04",
         "driver_area": "Safewards", "stage": "do", "notes": ""},
    )  # fmt: skip
    assert response.status_code == 302
    idea = ChangeIdea.objects.get()
    assert idea.created_by == staff
    page = client.get(ward_url(charted)).content.decode()
    assert page.count("Safewards calm-down methods") >= 2  # the list and the chart markers


@pytest.mark.parametrize(("persona", "status"), [("facilitator", 403), ("outsider", 404)])
def test_it_refuses_change_ideas_from_read_only_and_outside_users(
    client, request, charted, persona, status
):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        reverse("spc:change-idea-add", args=[charted.pk]),
        {"title": "x", "started_on": "2024-03-04", "stage": "do"},
    )
    assert response.status_code == status
    assert not ChangeIdea.objects.exists()


def test_it_keeps_the_typed_change_idea_when_refusing_an_nhs_number(client, staff, charted):
    client.force_login(staff)
    response = client.post(
        reverse("spc:change-idea-add", args=[charted.pk]),
        {"title": "Huddle", "started_on": "2024-03-04", "stage": "do",
         "notes": "after patient 943 476 5919 was restrained"},
    )  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert "looks like an NHS number" in page
    assert 'value="Huddle"' in page
    assert not ChangeIdea.objects.exists()


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
    headers = [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    # The composite (restrictive practice total) is the first measure: composites come first.
    assert headers[1] == "Restrictive practice (total): latest 12 weeks"
    column = headers.index("Physical restraint (all positions): latest 12 weeks") + 1
    assert sheet.cell(row=4, column=column).value == pytest.approx(12.5)


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
