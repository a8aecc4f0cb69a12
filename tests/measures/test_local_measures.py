"""A trust's local measures: add, edit, retire (pages and services), the weekly form, charts
(ward and trust only, labelled, never region or national) and who may do what."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.local_measures import local_measure_create, local_measure_fields
from measures.models import LocalMeasure, Measure, WeeklyReturn
from mhsip.weeks import monday_of
from spc import dashboards, recompute
from spc.models import Scope, StoredChart
from tests.factories import WeeklyCountFactory, WeeklyReturnFactory
from tests.spc.helpers import TODAY as CHART_TODAY
from tests.spc.helpers import weeks

pytestmark = pytest.mark.django_db
LAST_WEEK = monday_of(timezone.localdate()) - datetime.timedelta(weeks=1)


def add_url(trust):
    return reverse("measures:local-measure-add", args=[trust.pk])


def measure_post(**overrides):
    data = {"name": "Falls on the ward", "code": "rz1_falls", "domain": "self_harm_suicide",
            "improvement": "decrease", "unit": "falls",
            "definition": "A patient falls to the floor, witnessed or not.",
            "includes": "Falls found after the event.",
            "excludes": "Controlled descents.", "value_type": "count"}  # fmt: skip
    return data | overrides


@pytest.fixture
def falls(trust, ward, qi_lead):
    return local_measure_create(trust=trust, user=qi_lead, wards=[ward], fields=measure_post())


def test_a_qi_lead_adds_a_local_measure_with_its_wards_and_history(client, qi_lead, trust, ward):
    client.force_login(qi_lead)
    response = client.post(add_url(trust), measure_post(wards=[ward.pk]))
    assert response.status_code == 302
    measure = Measure.objects.get(code="rz1_falls")
    assert (measure.local.trust, list(measure.local.wards.all())) == (trust, [ward])
    assert measure.history.first().history_user == qi_lead
    assert measure.local.history.exists()
    listing = client.get(reverse("measures:local-measures", args=[trust.pk])).content.decode()
    assert "Falls on the ward" in listing and "In use" in listing
    matrix = client.get(reverse("spc:trust-matrix", args=[trust.pk])).content.decode()
    assert "Local measures" in matrix


def test_it_refuses_a_code_of_a_national_measure_and_keeps_what_was_typed(
    client, qi_lead, trust
):
    client.force_login(qi_lead)
    response = client.post(add_url(trust), measure_post(code="seclusion", unit=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "&#x27;seclusion&#x27; is the code of the national measure &#x27;Seclusion&#x27;" in page
    assert "This field is required" in page  # every error in one round
    assert 'value="Falls on the ward"' in page
    assert not LocalMeasure.objects.exists()


def test_it_refuses_a_code_of_another_local_measure_and_nhs_numbers(client, qi_lead, trust,
                                                                    falls):  # fmt: skip
    client.force_login(qi_lead)
    response = client.post(add_url(trust), measure_post(name="Other", definition="943 476 5919"))
    page = response.content.decode()
    assert "already the code of another local measure" in page
    assert "This looks like an NHS number" in page
    assert LocalMeasure.objects.count() == 1


def test_each_value_type_asks_for_what_it_needs(client, qi_lead, trust):
    assert {"value_type", "numerator_label", "duration_unit", "score_min"} <= set(
        local_measure_fields())
    client.force_login(qi_lead)
    response = client.post(add_url(trust), measure_post(value_type="duration"))
    assert response.status_code == 400
    assert response.context["form"].errors["duration_unit"] == [
        "A duration measure needs its unit: hours or days."]
    response = client.post(add_url(trust), measure_post(value_type="score", score_min="5",
                                                        score_max="1"))  # fmt: skip
    assert "lowest score below its highest" in response.context["form"].errors["score_max"][0]
    response = client.post(add_url(trust), measure_post(
        value_type="proportion", numerator_label="restraints debriefed in 72 hours",
        denominator_label="restraints"))  # fmt: skip
    assert response.status_code == 302
    assert Measure.objects.get(code="rz1_falls").denominator_label == \
        "restraints"  # fmt: skip


def test_enrolled_ward_staff_see_it_in_their_weekly_form_until_it_is_retired(
    client, staff, qi_lead, ward, other_ward, trust, falls
):
    client.force_login(staff)
    form_url = reverse("measures:weekly-entry", kwargs={"ward_id": ward.pk,
                                                        "week_start": LAST_WEEK})  # fmt: skip
    page = client.get(form_url).content.decode()
    assert 'name="m_rz1_falls"' in page and "Local measure" in page
    response = client.post(form_url, {"version": "0", "beds": "20", "occupied_bed_days": "130",
                                      "m_rz1_falls": "2", "submit": ""})  # fmt: skip
    assert response.status_code == 302
    assert WeeklyReturn.objects.get(ward=ward).counts.get(measure=falls).count == 2
    other = reverse("measures:weekly-entry", kwargs={"ward_id": other_ward.pk,
                                                     "week_start": LAST_WEEK})  # fmt: skip
    client.force_login(qi_lead)
    assert 'name="m_rz1_falls"' not in client.get(other).content.decode()
    response = client.post(reverse("measures:local-measure-retire", args=[trust.pk, "rz1_falls"]))
    assert response.status_code == 302
    falls.local.refresh_from_db()
    assert falls.local.retired_on == timezone.localdate()
    assert falls.local.history.first().retired_on == falls.local.retired_on
    client.force_login(staff)
    assert 'name="m_rz1_falls"' not in client.get(form_url).content.decode()
    assert WeeklyReturn.objects.get(ward=ward).counts.filter(measure=falls).exists()


def test_a_qi_lead_edits_it_but_never_its_code(client, qi_lead, trust, ward, other_ward, falls):
    client.force_login(qi_lead)
    edit = reverse("measures:local-measure-edit", args=[trust.pk, "rz1_falls"])
    response = client.post(edit, measure_post(code="changed", unit="falls (any)",
                                              wards=[ward.pk, other_ward.pk]))  # fmt: skip
    assert response.status_code == 302
    falls.refresh_from_db()
    assert (falls.code, falls.unit) == ("rz1_falls", "falls (any)")
    assert set(falls.local.wards.all()) == {ward, other_ward}


def test_it_is_charted_on_its_wards_and_trust_only_and_labelled(ward, trust, qi_lead, falls):
    for i, week in enumerate(weeks(26)):
        weekly = WeeklyReturnFactory(ward=ward, week_start=week, occupied_bed_days=120,
                                     status=WeeklyReturn.Status.SUBMITTED)  # fmt: skip
        WeeklyCountFactory(weekly_return=weekly, measure=falls, count=i % 3)
    recompute.charts_recompute(ward_ids=[ward.pk], today=CHART_TODAY)
    charted = set(StoredChart.objects.filter(measure=falls).values_list("scope", "scope_id"))
    assert charted == {(Scope.WARD, ward.pk), (Scope.TRUST, trust.pk)}
    panel = next(p for p in dashboards.chart_panels(Scope.TRUST, trust.pk)
                 if p.measure == falls)  # fmt: skip
    assert panel.is_local and panel.view is not None
    assert "sums 1 of 1 enrolled wards" in panel.coverage
    assert falls not in dashboards.active_measures()
    assert falls not in dashboards.scope_measures(Scope.REGION, trust.region_id)
    assert recompute.stale_ward_ids() == []  # its charts count as computed


def test_a_retired_measures_charts_stay_readable(client, qi_lead, ward, falls):
    falls.local.retired_on = datetime.date(2024, 6, 1)
    falls.local.save()
    recompute.charts_recompute(ward_ids=[ward.pk], today=CHART_TODAY)
    client.force_login(qi_lead)
    page = client.get(reverse("spc:ward-dashboard", args=[ward.pk])).content.decode()
    assert "Falls on the ward" in page and "Retired 1 Jun 2024" in page


@pytest.mark.parametrize("path", ["list", "add", "edit", "retire"])
def test_outsiders_get_404_ward_staff_403_facilitators_read_only(
    client, path, trust, staff, outsider, facilitator, falls
):
    urls = {"list": reverse("measures:local-measures", args=[trust.pk]),
            "add": add_url(trust),
            "edit": reverse("measures:local-measure-edit", args=[trust.pk, "rz1_falls"]),
            "retire": reverse("measures:local-measure-retire",
                              args=[trust.pk, "rz1_falls"])}  # fmt: skip
    send = client.post if path == "retire" else client.get
    client.force_login(outsider)
    assert send(urls[path]).status_code == 404
    client.force_login(staff)
    assert send(urls[path]).status_code == 403
    client.force_login(facilitator)
    assert send(urls[path]).status_code == (200 if path == "list" else 403)


def test_another_trusts_measure_is_not_found_under_this_trust(client, qi_lead, outside_ward,
                                                              admin_user):  # fmt: skip
    theirs = local_measure_create(trust=outside_ward.trust, user=admin_user, wards=[],
                                  fields=measure_post(code="far_falls", name="Far falls"))
    client.force_login(qi_lead)
    url = reverse("measures:local-measure-edit", args=[qi_lead.memberships.get().trust_id,
                                                       theirs.code])  # fmt: skip
    assert client.get(url).status_code == 404


def test_the_api_catalogue_shows_local_measures_only_to_their_trust(client, staff, outsider,
                                                                    falls):  # fmt: skip
    client.force_login(staff)
    assert "rz1_falls" in client.get("/api/v1/measures/").content.decode()
    assert client.get("/api/v1/measures/rz1_falls/").status_code == 200
    client.force_login(outsider)
    assert "rz1_falls" not in client.get("/api/v1/measures/").content.decode()
    assert client.get("/api/v1/measures/rz1_falls/").status_code == 404
