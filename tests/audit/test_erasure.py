"""Erasing a person keeps the history of their changes under a pseudonym; purging a string
removes it from rows and history; both are in the audit log without the erased data."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from audit.selectors import audit_entries_for_user, audit_page_entries
from measures.models import ChangeIdea, ReturnImport, WeeklyReturn
from measures.services import weekly_return_record
from spc.models import ChartSetting, PhaseBreak
from tokens.models import ApiToken
from tokens.services import api_token_create
from wards.models import Membership

pytestmark = pytest.mark.django_db

WEEK = datetime.date(2024, 1, 1)


def test_erase_user_removes_the_person_and_keeps_their_history(admin_user, staff, ward):
    weekly_return_record(ward=ward, week_start=WEEK, user=staff, counts={"seclusion": 1},
                         occupied_bed_days=100, submit=True)  # fmt: skip
    WeeklyReturn.history.update(history_user=staff)  # as the web form's middleware records it
    api_token_create(user=staff, name="Jane's laptop")
    ReturnImport.objects.create(user=staff, filename="x.csv")
    staff.email, staff.first_name = "jane@example.org", "Jane"
    staff.save()
    call_command("erase_user", "staff", "--by", admin_user.username, "--yes")
    person = get_user_model().objects.get(pk=staff.pk)
    pseudonym = f"erased-user-{staff.pk}"
    assert (person.username, person.email, person.first_name) == (pseudonym, "", "")
    assert not person.is_active and not person.has_usable_password()
    assert not Membership.objects.filter(user=person).exists()
    assert not ApiToken.objects.filter(user=person).exists()
    assert not ReturnImport.objects.exists()
    assert not ApiToken.history.filter(name__contains="Jane").exists()
    history = WeeklyReturn.history.get()
    assert history.history_user == person  # the change is still theirs, under the pseudonym
    event = AuditEvent.objects.get(action="erase")
    assert event.actor == admin_user and "staff" not in event.detail and "Jane" not in event.detail
    entries = audit_page_entries(list(audit_entries_for_user(admin_user)))
    assert pseudonym in {e.who for e in entries if e.kind == "Weekly return"}
    assert not any(e.what.startswith("staff") or "Jane" in e.what for e in entries)


def test_erase_user_needs_an_operator_and_will_not_erase_them(admin_user, staff):
    with pytest.raises(CommandError, match="--by"):
        call_command("erase_user", "staff", "--by", "nobody", "--yes")
    with pytest.raises(CommandError, match="yourself"):
        call_command("erase_user", admin_user.username, "--by", admin_user.username, "--yes")
    assert get_user_model().objects.get(pk=staff.pk).username == "staff"


def test_purge_text_redacts_rows_and_history_and_records_where_not_what(admin_user, ward):
    idea = ChangeIdea.objects.create(ward=ward, title="Huddles", started_on=WEEK,
                                     notes="Asked Jane Doe-Smith first")  # fmt: skip
    idea.notes = "Asked Jane Doe-Smith first, then the team"
    idea.save()
    setting = ChartSetting.objects.create(ward=ward, measure_id=1)
    PhaseBreak.objects.create(setting=setting, starts_on=WEEK, reason="Jane Doe-Smith left")
    call_command("purge_text", "Jane Doe-Smith", "--by", admin_user.username)
    idea.refresh_from_db()
    assert idea.notes == "Asked [removed] first, then the team"
    assert not ChangeIdea.history.filter(notes__contains="Jane").exists()
    assert ChangeIdea.history.count() == 2  # no new history rows: the old ones are cleaned
    assert PhaseBreak.objects.get().reason == "[removed] left"
    assert not PhaseBreak.history.filter(reason__contains="Jane").exists()
    event = AuditEvent.objects.get(action="purge_text")
    assert event.actor == admin_user and "Jane" not in event.detail
    assert "measures.ChangeIdea.notes (1 row(s))" in event.detail
    assert "measures.HistoricalChangeIdea.notes (2 row(s))" in event.detail


def test_purge_text_dry_run_changes_nothing_and_short_strings_are_refused(admin_user, ward):
    ChangeIdea.objects.create(ward=ward, title="Jane's idea", started_on=WEEK)
    call_command("purge_text", "Jane", "--by", admin_user.username, "--dry-run")
    assert ChangeIdea.objects.get().title == "Jane's idea"
    assert not AuditEvent.objects.exists()
    with pytest.raises(CommandError, match="at least 4"):
        call_command("purge_text", "Ja", "--by", admin_user.username)
