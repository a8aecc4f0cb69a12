"""The weekly return form under hostile input (measures/views.py, forms.py): a POST without
the version it read is refused, never a silent overwrite; out-of-range dates are 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.forms import VERSION_MISSING_MESSAGE
from measures.models import WeeklyCount
from measures.services import weekly_return_record
from mhsip.weeks import monday_of

pytestmark = pytest.mark.django_db

LAST_WEEK = monday_of(timezone.localdate()) - datetime.timedelta(weeks=1)


def url(ward, week=LAST_WEEK):
    return reverse("measures:weekly-entry", kwargs={"ward_id": ward.pk, "week_start": week})


def test_a_post_without_version_overwrites_nothing(client, staff, qi_lead, ward):
    weekly_return_record(ward=ward, week_start=LAST_WEEK, user=qi_lead, counts={"seclusion": 2},
                         occupied_bed_days=120)  # fmt: skip
    client.force_login(staff)
    for version in (None, ""):
        data = {"beds": "20", "occupied_bed_days": "130", "m_seclusion": "5"}
        if version is not None:
            data["version"] = version
        response = client.post(url(ward), data)
        assert response.status_code == 200
        assert response.context["form"].errors["version"] == [VERSION_MISSING_MESSAGE]
        assert response.context["form"]["m_seclusion"].value() == "5"  # typed values kept
        assert VERSION_MISSING_MESSAGE.split(",")[0] in response.content.decode()
    assert WeeklyCount.objects.get(weekly_return__ward=ward).count == 2


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-27", "9999-12-31", "2014-12-29",
                                 "1900-01-01"])  # fmt: skip
def test_an_out_of_range_week_in_the_url_is_404(client, staff, ward, day):
    client.force_login(staff)
    response = client.get(f"/wards/{ward.pk}/returns/{day}/")
    assert response.status_code == 404
    assert client.post(f"/wards/{ward.pk}/returns/{day}/", {"version": "0"}).status_code == 404


def test_the_first_week_of_the_programme_range_opens(client, staff, ward):
    client.force_login(staff)
    assert client.get(f"/wards/{ward.pk}/returns/2015-01-05/").status_code == 200
