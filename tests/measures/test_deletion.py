"""Deleting a return: QI leads and admins only, with a reason; off every chart, completeness
page, export and API list at once; restorable from the audit page for 90 days."""

import datetime

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from measures.completeness import ward_weeks
from measures.deletion import weekly_return_delete, weekly_return_restore
from measures.errors import ReturnRefused
from measures.exporting import returns_export_rows
from measures.models import (
    DeletedReturn,
    Enrolment,
    IncidentDate,
    Measure,
    Programme,
    WeeklyCount,
    WeeklyReturn,
)
from measures.services import weekly_return_record
from measures.tasks import deleted_returns_purge_task
from mhsip.weeks import monday_of
from spc.inputs import ward_series
from wards.models import Ward

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_WEEK = monday_of(TODAY) - datetime.timedelta(weeks=1)


@pytest.fixture
def saved(ward, staff):
    weekly_return = weekly_return_record(
        ward=ward, week_start=LAST_WEEK, user=staff, occupied_bed_days=100, submit=True,
        counts={"seclusion": 2, "physical_restraint": 5},
        incident_dates={"seclusion": [LAST_WEEK, LAST_WEEK + datetime.timedelta(days=2)]},
    )  # fmt: skip
    return weekly_return


def delete(weekly_return, user, reason="Entered for the wrong ward"):
    return weekly_return_delete(weekly_return=weekly_return, user=user,
                                expected_version=weekly_return.version, reason=reason)  # fmt: skip


def test_ward_staff_cannot_delete_and_a_qi_lead_needs_a_reason(saved, staff, qi_lead):
    with pytest.raises(PermissionDenied):
        delete(saved, staff)
    with pytest.raises(ReturnRefused, match="Say why"):
        delete(saved, qi_lead, reason="  ")
    assert WeeklyReturn.objects.filter(pk=saved.pk).exists()


def test_a_deleted_return_leaves_charts_completeness_exports_and_the_api(
    saved, ward, qi_lead, api
):
    seclusion = Measure.objects.get(code="seclusion")
    Enrolment.objects.create(programme=Programme.objects.first(), ward=ward,
                             joined_on=LAST_WEEK - datetime.timedelta(weeks=4))  # fmt: skip
    assert ward_weeks([ward], today=TODAY)[0].submitted == 1
    delete(saved, qi_lead)
    assert not WeeklyReturn.objects.exists() and not WeeklyCount.objects.exists()
    assert not IncidentDate.objects.exists()
    assert len(returns_export_rows(wards=Ward.objects.filter(pk=ward.pk))) == 1  # the header
    series = ward_series([ward], [seclusion.pk], TODAY)[(ward.pk, seclusion.pk)]
    assert np.isnan(series.counts).all()
    assert ward_weeks([ward], today=TODAY)[0].submitted == 0
    assert api(qi_lead).get("/api/v1/returns/").json()["results"] == []


def test_restoring_puts_back_the_same_return_counts_and_days_with_history(saved, qi_lead):
    count_ids = set(saved.counts.values_list("pk", flat=True))
    date_ids = set(IncidentDate.objects.values_list("pk", flat=True))
    deleted = delete(saved, qi_lead)
    restored = weekly_return_restore(deleted=deleted, user=qi_lead)
    assert restored.pk == saved.pk and restored.version == saved.version + 1
    assert restored.status == "submitted" and restored.occupied_bed_days == 100
    assert dict(restored.counts.values_list("measure__code", "count")) == {
        "seclusion": 2, "physical_restraint": 5}  # fmt: skip
    assert set(restored.counts.values_list("pk", flat=True)) == count_ids
    assert set(IncidentDate.objects.values_list("pk", flat=True)) == date_ids
    history = list(WeeklyReturn.history.filter(id=saved.pk).order_by("history_id"))
    assert [h.history_type for h in history] == ["+", "-", "+"]
    assert history[-1].history_change_reason.startswith("Restored (deleted ")
    assert not DeletedReturn.objects.exists()


def test_a_restore_is_refused_when_the_week_has_a_new_return(saved, ward, staff, qi_lead):
    deleted = delete(saved, qi_lead)
    weekly_return_record(ward=ward, week_start=LAST_WEEK, user=staff, occupied_bed_days=90,
                         counts={})  # fmt: skip
    with pytest.raises(ReturnRefused, match="new return"):
        weekly_return_restore(deleted=deleted, user=qi_lead)
    assert DeletedReturn.objects.exists()


def test_deleted_returns_are_purged_after_90_days(saved, qi_lead):
    deleted = delete(saved, qi_lead)
    assert deleted_returns_purge_task() == 0
    DeletedReturn.objects.filter(pk=deleted.pk).update(
        deleted_at=timezone.now() - datetime.timedelta(days=91)
    )
    assert deleted_returns_purge_task() == 1
    assert WeeklyReturn.history.filter(id=saved.pk, history_type="-").exists()  # history stays


def test_the_audit_page_shows_the_counts_and_restores_within_scope(
    client, saved, qi_lead, staff, outsider, admin_user
):
    deleted = delete(saved, qi_lead)
    client.force_login(qi_lead)
    page = client.get(reverse("audit")).content.decode()
    assert "Deleted returns you can restore" in page
    assert "seclusion: 2" in page and "physical_restraint: 5" in page
    assert "Entered for the wrong ward" in page
    entries = client.get(reverse("audit"), {"kind": "count"}).context["entries"]
    assert {e.action for e in entries} >= {"deleted"}  # the counts' deletion, in its trust
    url = reverse("deleted-return-restore", args=[deleted.pk])
    for other, status in ((staff, 403), (outsider, 404)):  # in scope, not manager: 403
        client.force_login(other)
        assert client.post(url).status_code == status
    client.force_login(qi_lead)
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "its counts are back on the charts" in response.content.decode()
    assert WeeklyReturn.objects.filter(pk=saved.pk).exists()
