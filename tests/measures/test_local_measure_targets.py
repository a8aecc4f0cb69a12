"""A trust's own target on its local measure: set on the local measure's page with the rules
of a programme's target (measures.targets), every error in one round, kept in history, and
drawn on the charts of its wards and the trust, where the assurance icon judges it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from measures.local_measures import local_measure_create
from measures.models import Measure, WeeklyReturn, WeeklyValue
from measures.rules import Proportion
from spc import figures, recompute
from spc.models import Scope
from tests.factories import WeeklyReturnFactory
from tests.measures.test_local_measures import add_url, measure_post
from tests.spc.helpers import TODAY, view, weeks

pytestmark = pytest.mark.django_db
DEADLINE = "2024-09-30"


def debrief_post(**overrides):
    """A local process measure: the share of restraints followed by a debrief in 72 hours."""
    return measure_post(
        name="Debriefs after restraint", code="rx4_debrief", value_type="proportion",
        improvement="increase", unit="restraints debriefed",
        definition="A restraint followed by a debrief with the patient within 72 hours.",
        includes="Debriefs by any trained member of staff.", excludes="Team-only huddles.",
        target_kind="increase", target_percent="50", target_deadline=DEADLINE,
    ) | overrides  # fmt: skip


def test_a_qi_lead_sets_an_increase_target_kept_in_history(client, qi_lead, trust, ward,
                                                            other_ward):  # fmt: skip
    client.force_login(qi_lead)
    response = client.post(add_url(trust), debrief_post(wards=[ward.pk, other_ward.pk]))
    assert response.status_code == 302, response.content.decode()
    local = Measure.objects.get(code="rx4_debrief").local
    assert (local.target_kind, local.target_percent, local.target_deadline) == (
        "increase", 50, datetime.date(2024, 9, 30))
    assert set(local.wards.all()) == {ward, other_ward}
    listing = client.get(reverse("measures:local-measures", args=[trust.pk])).content.decode()
    assert "Increase by 50% by 30 Sep 2024" in listing
    edit = reverse("measures:local-measure-edit", args=[trust.pk, "rx4_debrief"])
    page = client.get(edit).content.decode()
    assert 'value="2024-09-30"' in page and 'value="50"' in page
    response = client.post(edit, debrief_post(target_kind="value", target_percent="",
                                              target_value="80", wards=[ward.pk]))  # fmt: skip
    assert response.status_code == 302
    local.refresh_from_db()
    assert (local.target_kind, local.target_value, local.target_percent) == ("value", 80, None)
    assert [h.target_kind for h in local.history.order_by("history_date")][-1:] == ["value"]
    assert local.history.filter(target_kind="increase").exists()


def test_every_error_of_a_target_in_one_round_and_what_was_typed_kept(client, qi_lead, trust):
    client.force_login(qi_lead)
    response = client.post(add_url(trust), debrief_post(
        improvement="decrease", target_kind="increase", target_percent="", target_deadline="",
        target_value="12"))  # fmt: skip
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["target_kind"][0].startswith(
        "An increase target on a measure where a decrease is an improvement works against")
    assert "tick 'Confirm a target against the direction'" in errors["target_kind"][0]
    assert errors["target_percent"] == [
        "A target to increase by a percentage needs the percentage."]
    assert errors["target_deadline"] == ["A target needs a deadline."]
    assert errors["target_value"] == ["A value belongs only to a fixed-value target."]
    assert 'value="Debriefs after restraint"' in response.content.decode()
    assert not Measure.objects.filter(code="rx4_debrief").exists()


def test_a_neutral_measure_has_no_target_and_no_target_keeps_no_stray_numbers(client, qi_lead,
                                                                             trust):  # fmt: skip
    client.force_login(qi_lead)
    response = client.post(add_url(trust), debrief_post(improvement="neutral"))
    assert response.status_code == 400
    assert "no target" in response.context["form"].errors["target_kind"][0]
    response = client.post(add_url(trust), debrief_post(target_kind="none"))
    assert response.status_code == 302
    local = Measure.objects.get(code="rx4_debrief").local
    assert (local.target_kind, local.target_percent, local.target_deadline) == ("none", None, None)


def test_its_p_chart_draws_the_local_target_on_the_ward_and_the_trust(client, qi_lead, trust,
                                                                     ward):  # fmt: skip
    client.force_login(qi_lead)
    client.post(add_url(trust), debrief_post(wards=[ward.pk]))
    debrief = Measure.objects.get(code="rx4_debrief")
    for i, week in enumerate(weeks(26)):
        weekly = WeeklyReturnFactory(ward=ward, week_start=week, occupied_bed_days=120,
                                     status=WeeklyReturn.Status.SUBMITTED)  # fmt: skip
        share = Proportion(4 + i % 3, 10)
        WeeklyValue.objects.create(weekly_return=weekly, measure=debrief,
                                   numerator=share.numerator, denominator=share.denominator)
    recompute.charts_recompute(ward_ids=[ward.pk], today=TODAY)
    for scope, scope_id in ((Scope.WARD, ward.pk), (Scope.TRUST, trust.pk)):
        chart = view(scope, scope_id, code="rx4_debrief")
        assert chart.summary.chart == "p"
        assert chart.targets[0]["kind"] == "increase" and chart.targets[0]["percent"] == 50
        assert chart.summary.improvement_applied == "increase"
        assert chart.summary.target_value is not None
        names = [t["name"] for t in figures.figure(chart, "Debriefs")["data"]]
        assert any("50% increase target by 30 Sep 2024" in name for name in names), names


def test_the_model_keeps_the_rules_for_every_writer_the_admin_included(trust, ward, qi_lead):
    measure = local_measure_create(trust=trust, user=qi_lead, wards=[ward],
                                   fields=measure_post())  # a decrease measure, no target
    local = measure.local
    local.target_kind, local.target_percent = "increase", 50
    with pytest.raises(ValidationError) as refused:
        local.full_clean()
    assert set(refused.value.message_dict) == {"target_kind", "target_deadline"}
    local.target_kind, local.target_value = "none", 3.0
    local.full_clean()
    assert (local.target_percent, local.target_value) == (None, None)
