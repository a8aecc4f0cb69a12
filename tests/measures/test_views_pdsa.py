"""The pages of change ideas and PDSA cycles: who sees and changes what (outsider 404,
read-only 403), the forms' rules in one round with typed values kept, filters and history."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.models import ChangeIdea, PdsaCycle
from tests.factories import ChangeIdeaFactory, PdsaCycleFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(weeks=8)


@pytest.fixture
def idea(ward):
    cycle = PdsaCycleFactory(idea__ward=ward, idea__title="Safewards calm-down methods",
                             idea__driver_area="Safewards", idea__started_on=START)
    return cycle.idea


def page(client, user, name, *args, data=None):
    client.force_login(user)
    url = reverse(f"measures:{name}", args=args)
    return client.post(url, data) if data is not None else client.get(url)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff", 200), ("qi_lead", 200), ("facilitator", 200), ("admin_user", 200),
     ("outsider", 404)],
)  # fmt: skip
def test_it_lists_a_wards_ideas_to_those_who_see_the_ward(client, request, idea, persona, status):
    response = page(client, request.getfixturevalue(persona), "ward-change-ideas", idea.ward_id)
    assert response.status_code == status
    if status == 200:
        assert "Safewards calm-down methods" in response.content.decode()


def test_it_offers_a_new_idea_only_to_those_who_may_change_the_ward(client, staff, facilitator,
                                                                     idea):  # fmt: skip
    new = reverse("measures:change-idea-new", args=[idea.ward_id])
    assert new in page(client, staff, "ward-change-ideas", idea.ward_id).content.decode()
    assert new not in page(client, facilitator, "ward-change-ideas", idea.ward_id).content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff", 404), ("qi_lead", 200), ("facilitator", 200), ("outsider", 404)],
)
def test_it_lists_a_trusts_ideas_to_its_qi_lead_and_facilitator(
    client, request, idea, other_ward, persona, status
):
    PdsaCycleFactory(idea__ward=other_ward, idea__title="Twice-daily safety huddle")
    response = page(client, request.getfixturevalue(persona), "trust-change-ideas",
                    idea.ward.trust_id)  # fmt: skip
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert "Safewards calm-down methods" in text and "Twice-daily safety huddle" in text
        assert "Elm Ward" in text


def test_it_filters_the_list_by_stage_and_driver_area(client, qi_lead, idea, other_ward):
    running = PdsaCycleFactory(idea__ward=other_ward, idea__title="Huddle",
                               idea__driver_area="Safety huddles", do="Tried")  # fmt: skip
    client.force_login(qi_lead)
    url = reverse("measures:trust-change-ideas", args=[idea.ward.trust_id])
    assert [i.pk for i in client.get(url, {"stage": "do"}).context["ideas"]] == [running.idea_id]
    assert [i.pk for i in client.get(url, {"stage": "plan"}).context["ideas"]] == [idea.pk]
    assert [i.pk for i in client.get(url, {"driver": "safewards"}).context["ideas"]] == [idea.pk]
    assert client.get(url, {"stage": "act"}).context["ideas"] == []
    # An unknown filter shows everything rather than nothing.
    assert len(client.get(url, {"stage": "bogus", "driver": "x"}).context["ideas"]) == 2


@pytest.mark.parametrize(("persona", "status"), [("facilitator", 200), ("outsider", 404)])
def test_it_shows_an_idea_with_its_cycles_to_those_who_see_its_ward(
    client, request, idea, persona, status
):
    response = page(client, request.getfixturevalue(persona), "change-idea", idea.pk)
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert "PDSA cycle 1: Plan" in text and "Calm-down box on the late shift" in text
        assert reverse("measures:change-idea-edit", args=[idea.pk]) not in text  # read-only


@pytest.mark.parametrize(
    "name", ["change-idea-edit", "pdsa-cycle-new", "pdsa-cycle-edit", "pdsa-cycle-close"]
)
@pytest.mark.parametrize(("persona", "status"), [("facilitator", 403), ("outsider", 404)])
def test_it_refuses_changes_from_read_only_and_outside_users(
    client, request, idea, name, persona, status
):
    args = [idea.pk] if name in ("change-idea-edit", "pdsa-cycle-new") else [idea.pk, 1]
    user = request.getfixturevalue(persona)
    assert page(client, user, name, *args).status_code == status
    assert page(client, user, name, *args, data={"title": "x", "plan": "x"}).status_code == status
    assert ChangeIdea.objects.get().title == "Safewards calm-down methods"


def test_it_refuses_a_new_idea_from_read_only_and_outside_users(client, facilitator, outsider,
                                                                ward):  # fmt: skip
    assert page(client, facilitator, "change-idea-new", ward.pk).status_code == 403
    assert page(client, outsider, "change-idea-new", ward.pk, data={}).status_code == 404
    assert not ChangeIdea.objects.exists()


NEW = {"title": "Supine-first restraint policy", "started_on": START.isoformat(),
       "driver_area": "Reducing prone restraint", "measures": ["physical_restraint",
       "prone_restraint"], "owner_role": "Ward manager", "plan": "Supine first on every shift",
       "prediction": "Prone restraint halves in six weeks"}  # fmt: skip


def test_it_records_a_new_idea_with_its_first_cycle(client, staff, ward):
    response = page(client, staff, "change-idea-new", ward.pk, data=NEW)
    idea = ChangeIdea.objects.get()
    assert response.status_code == 302 and response.url == f"/change-ideas/{idea.pk}/"
    assert sorted(idea.measures.values_list("code", flat=True)) == ["physical_restraint",
                                                                    "prone_restraint"]
    cycle = idea.cycles.get()
    assert (cycle.owner_role, cycle.starts_on, cycle.created_by) == ("Ward manager", START, staff)


def test_it_gives_every_error_of_a_new_idea_at_once_and_keeps_what_was_typed(client, staff, ward):
    data = NEW | {"title": "", "measures": [], "started_on": "2014-02-03",
                  "ends_on": "31/02/2025", "notes": "patient 943 476 5919"}  # fmt: skip
    response = page(client, staff, "change-idea-new", ward.pk, data=data)
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"title", "measures", "started_on", "ends_on", "notes"}
    text = response.content.decode()
    assert "looks like an NHS number" in text
    assert 'value="Supine first on every shift"' not in text  # a textarea: its text is inside
    assert "Supine first on every shift</textarea>" in text
    assert 'value="Ward manager"' in text
    assert not ChangeIdea.objects.exists() and not PdsaCycle.objects.exists()


def test_it_changes_an_idea_showing_its_saved_dates_and_keeping_history(client, staff, idea):
    form = page(client, staff, "change-idea-edit", idea.pk).content.decode()
    # A date box holds YYYY-MM-DD: anything else shows as blank and would be lost on save.
    assert f'value="{START.isoformat()}"' in form
    data = {"title": "Safewards", "started_on": START.isoformat(), "driver_area": "Safewards",
            "measures": ["seclusion"], "notes": ""}  # fmt: skip
    assert page(client, staff, "change-idea-edit", idea.pk, data=data).status_code == 302
    idea.refresh_from_db()
    assert idea.title == "Safewards"
    assert list(idea.measures.values_list("code", flat=True)) == ["seclusion"]
    detail = page(client, staff, "change-idea", idea.pk)
    changes = {(c.what, c.field, c.old, c.new) for c in detail.context["history"]}
    assert ("Change idea", "Title", "Safewards calm-down methods", "Safewards") in changes
    assert ("Change idea", "Measures", "none", "Seclusion") in changes


def test_it_records_the_stages_and_closes_a_cycle_with_its_outcome(client, staff, idea):
    edit = {"owner_role": "Charge nurse", "starts_on": START.isoformat(), "ends_on": "",
            "plan": "Calm-down box on the late shift", "prediction": "Fewer restraints",
            "do": "Tried on 20 late shifts", "study": "", "act": "", "outcome": ""}
    assert page(client, staff, "pdsa-cycle-edit", idea.pk, 1, data=edit).status_code == 302
    assert PdsaCycle.objects.get().stage == "do"
    close = {"study": "Restraint fell on the late shift", "act": "", "outcome": "adopt",
             "ends_on": (TODAY + datetime.timedelta(days=3)).isoformat()}  # fmt: skip
    response = page(client, staff, "pdsa-cycle-close", idea.pk, 1, data=close)
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"act", "ends_on"}
    close |= {"act": "Keep it on every shift", "ends_on": TODAY.isoformat()}
    response = page(client, staff, "pdsa-cycle-close", idea.pk, 1, data=close)
    assert response.status_code == 302 and response.url.endswith("#cycle-1")
    cycle = PdsaCycle.objects.get()
    assert (cycle.outcome, cycle.ends_on, cycle.stage) == ("adopt", TODAY, "closed")
    history = page(client, staff, "change-idea", idea.pk).context["history"]
    assert ("PDSA 1", "Outcome", "blank", "Adopt: keep the change") in {
        (c.what, c.field, c.old, c.new) for c in history
    }


def test_it_refuses_an_outcome_before_act_on_the_cycle_form(client, staff, idea):
    edit = {"owner_role": "", "starts_on": START.isoformat(), "plan": "Calm-down box",
            "prediction": "Fewer", "do": "Tried", "study": "", "act": "", "outcome": "abandon"}
    response = page(client, staff, "pdsa-cycle-edit", idea.pk, 1, data=edit)
    assert response.status_code == 400
    assert "once it has reached Act" in response.context["form"].errors["outcome"][0]
    assert PdsaCycle.objects.get().do == ""


def test_it_starts_the_next_cycle_once_the_last_is_closed(client, staff, idea):
    data = {"owner_role": "Ward manager", "starts_on": TODAY.isoformat(),
            "plan": "Every shift", "prediction": "Halves"}  # fmt: skip
    response = page(client, staff, "pdsa-cycle-new", idea.pk, data=data)
    assert response.status_code == 400
    assert "Cycle 1 is still open" in response.content.decode()
    PdsaCycle.objects.update(do="x", study="x", act="x", outcome="adapt", ends_on=TODAY)
    response = page(client, staff, "pdsa-cycle-new", idea.pk, data=data)
    assert response.status_code == 302 and response.url.endswith("#cycle-2")
    assert idea.cycles.count() == 2


def test_it_shows_a_cycle_of_another_idea_as_missing(client, staff, idea, ward):
    other = ChangeIdeaFactory(ward=ward)
    assert page(client, staff, "pdsa-cycle-edit", other.pk, 1).status_code == 404
    assert page(client, staff, "pdsa-cycle-edit", idea.pk, 2).status_code == 404
