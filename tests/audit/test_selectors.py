"""The audit log's reads: one UNION query over every history table, scoped by trust."""

import datetime
from decimal import Decimal

import pytest

from audit.erasure import user_deactivate
from audit.selectors import audit_entries_for_user, audit_page_entries
from measures.deletion import weekly_return_delete
from measures.models import ChangeIdea, IncidentDate, Measure, WeeklyReturn
from measures.rules import Proportion
from measures.services import weekly_return_record
from spc.models import ChartSetting, PhaseBreak
from tests.factories import MembershipFactory, UserFactory, WardFactory, WeeklyCountFactory
from tokens.services import api_token_create
from wards.models import Membership

pytestmark = pytest.mark.django_db


def kinds(keys):
    return {kind for _, kind, _ in keys}


def test_it_scopes_a_qi_lead_to_their_trust_and_leaves_tokens_out(qi_lead, staff, outsider):
    api_token_create(user=staff, name="Datix push")
    keys = list(audit_entries_for_user(qi_lead))
    whats = [e.what for e in audit_page_entries(keys)]
    assert any("staff" in w and "Oak Ward" in w for w in whats)
    assert not any("Far Ward" in w for w in whats)
    assert "token" not in kinds(keys)


def test_an_admin_reads_every_row_newest_first(admin_user, staff, outsider):
    api_token_create(user=staff, name="Datix push")
    keys = list(audit_entries_for_user(admin_user))
    assert {"membership", "token"} <= kinds(keys)
    assert [when for when, _, _ in keys] == sorted((when for when, _, _ in keys), reverse=True)
    assert any("Far Ward" in e.what for e in audit_page_entries(keys))


def test_it_filters_by_trust_kind_and_who(admin_user, qi_lead, ward, outside_ward):
    MembershipFactory(user=UserFactory(username="nurse"), role=Membership.Role.WARD_STAFF,
                      ward=outside_ward)  # fmt: skip
    keys = list(audit_entries_for_user(admin_user, trust=ward.trust, kind="membership"))
    assert kinds(keys) == {"membership"}
    assert not any("nurse" in e.what for e in audit_page_entries(keys))
    keys = list(audit_entries_for_user(admin_user, who="nobody"))
    assert keys == []  # the factories save outside a request: no history user


def test_incident_dates_are_a_kind_scoped_like_counts(qi_lead, admin_user, staff, outsider,
                                                      ward, outside_ward):  # fmt: skip
    week, day = datetime.date(2024, 1, 1), datetime.date(2024, 1, 3)
    for user, where in ((staff, ward), (outsider, outside_ward)):
        weekly_return_record(ward=where, week_start=week, user=user, occupied_bed_days=120,
                             counts={"seclusion": 1},
                             incident_dates={"seclusion": [day]})  # fmt: skip
    (entry,) = audit_page_entries(list(audit_entries_for_user(qi_lead, kind="incident_date")))
    assert entry.kind == "Incident date" and entry.action == "created"
    assert entry.what == "Seclusion incident on 03 Jan 2024 (Oak Ward, week of 01 Jan 2024)"
    weekly_return_delete(weekly_return=WeeklyReturn.objects.get(ward=ward), user=admin_user,
                         expected_version=1, reason="Entered twice")  # fmt: skip
    entries = audit_page_entries(list(audit_entries_for_user(admin_user, kind="incident_date")))
    assert sorted(e.action for e in entries) == ["created", "created", "deleted"]
    assert "An incident on 03 Jan 2024 (of a deleted count)" in {e.what for e in entries}


def test_it_lists_changes_to_proportions_durations_and_scores(qi_lead, staff, ward):
    weekly_return_record(
        ward=ward, week_start=datetime.date(2024, 1, 1), user=staff, counts={},
        occupied_bed_days=100, values={"restraint_debrief_72h": Proportion(2, 3),
                                       "seclusion_hours": Decimal("4.5")},
    )  # fmt: skip
    keys = list(audit_entries_for_user(qi_lead, kind="value"))
    assert kinds(keys) == {"value"}
    whats = {e.what for e in audit_page_entries(keys)}
    assert "Restraints debriefed within 72 hours = 2 of 3 (Oak Ward, week of 01 Jan 2024)" in whats
    assert "Hours in seclusion = 4.5 (Oak Ward, week of 01 Jan 2024)" in whats


def _everything_then_gone(trust, admin_user):
    """One row of every audited kind about one ward and one user, then every one of those
    rows deleted (the ward, the user, the return, its count and its day, the chart setting,
    the token): the history rows stay, naming rows that are gone."""
    ward = WardFactory(trust=trust, name="Doomed Ward")
    user = UserFactory(username="leaver")
    MembershipFactory(user=user, role=Membership.Role.WARD_STAFF, ward=ward)
    count = WeeklyCountFactory(weekly_return__ward=ward, count=1)
    IncidentDate.objects.create(count=count, occurred_on=count.weekly_return.week_start)
    setting = ChartSetting.objects.create(
        ward=ward, measure=Measure.objects.get(code="seclusion"), chart_type="c"
    )
    PhaseBreak.objects.create(setting=setting, starts_on=datetime.date(2024, 1, 8),
                              reason="New policy")  # fmt: skip
    ChangeIdea.objects.create(ward=ward, title="Safewards", started_on=datetime.date(2024, 1, 1))
    api_token_create(user=user, name="Laptop")
    user_deactivate(user=user, by=admin_user)
    count.weekly_return.delete()
    setting.delete()
    ward.delete()
    user.delete()


ALL_KINDS = {"return", "count", "incident_date", "chart_setting", "phase_break",
             "change_idea", "ward", "membership", "token", "event"}  # fmt: skip


def test_every_history_row_stays_readable_when_what_it_names_is_gone(trust, admin_user):
    _everything_then_gone(trust, admin_user)
    keys = list(audit_entries_for_user(admin_user))
    assert kinds(keys) == ALL_KINDS
    for kind in ALL_KINDS:
        entries = audit_page_entries([k for k in keys if k[1] == kind])
        assert entries and all(e.what for e in entries), kind
    whats = " | ".join(e.what for e in audit_page_entries(keys))
    assert "A deleted user" in whats and "a deleted return" in whats
    assert "Doomed Ward" in whats  # the ward's own history keeps its name


def test_a_qi_lead_still_reads_their_trusts_rows_of_deleted_wards_and_returns(
    trust, admin_user, qi_lead, outsider
):
    _everything_then_gone(trust, admin_user)
    keys = list(audit_entries_for_user(qi_lead))
    assert kinds(keys) == ALL_KINDS - {"token", "event"}
    assert not any("Far Ward" in e.what for e in audit_page_entries(keys))


@pytest.mark.parametrize("kind", sorted(ALL_KINDS))
def test_the_audit_page_shows_each_kind_with_its_related_rows_gone(
    client, trust, admin_user, kind
):
    _everything_then_gone(trust, admin_user)
    client.force_login(admin_user)
    response = client.get("/audit/", {"kind": kind})
    assert response.status_code == 200
    assert response.context["entries"]
