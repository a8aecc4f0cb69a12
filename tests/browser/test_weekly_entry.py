"""A ward staff member enters an overdue week with the keyboard only, in real Chromium."""

import datetime

import pytest
from django.utils import timezone

from measures.catalogue import sync_catalogue
from measures.models import Enrolment, Measure, Programme, WeeklyCount, WeeklyReturn
from mhsip.weeks import monday_of

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LAST_WEEK = monday_of(timezone.localdate()) - datetime.timedelta(weeks=1)


def day_month_year(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


@pytest.fixture(autouse=True)
def _catalogue():
    # Transactional tests flush every table between tests, the migrated catalogue included.

    sync_catalogue(Measure, Programme)


@pytest.fixture
def enrolled_ward(ward):
    Enrolment.objects.create(
        programme=Programme.objects.get(name="Restrictive practice: national aim"),
        ward=ward,
        joined_on=LAST_WEEK - datetime.timedelta(weeks=2),
    )
    return ward


def sign_in(page, live_server, username):
    page.goto(live_server.url)
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def tab(page, times: int = 1) -> None:
    for _ in range(times):
        page.keyboard.press("Tab")


def not_collected_for_the_rest(page) -> None:
    """Every measure left without an answer is marked "not collected this week"."""
    for box in page.locator("[data-not-collected-for]").all():
        count = box.get_attribute("data-not-collected-for")
        if page.input_value(f"#{count}") == "" and not box.is_checked():
            box.check()


def submit_by_keyboard(page) -> None:
    page.locator("button[name=submit]").focus()
    page.keyboard.press("Enter")


def type_return_by_keyboard(page) -> None:
    """The cursor starts in occupied bed days; Enter moves to the next box, and Tab walks
    count → "none" → "not collected" → "what counts" → next, and after a count of 1 or more
    also its (closed) "day of each incident", one stop; the prone count is above the
    restraint count, so the form refuses it."""
    assert page.evaluate("document.activeElement.id") == "id_occupied_bed_days"
    page.keyboard.type("120")
    page.keyboard.press("Enter")  # the next box, never a submitted return
    page.keyboard.type("2")  # physical restraint
    tab(page, 5)
    assert page.evaluate("document.activeElement.id") == "id_m_prone_restraint"
    page.keyboard.type("3")  # more prone restraints than restraints: refused
    tab(page, 5)
    page.keyboard.type("1")  # rapid tranquillisation
    tab(page, 5)
    assert page.evaluate("document.activeElement.id") == "id_m_seclusion"
    tab(page)
    page.keyboard.press("Space")  # no seclusion this week: a real zero
    assert page.input_value("#id_m_seclusion") == "0"
    not_collected_for_the_rest(page)
    submit_by_keyboard(page)


def assert_error_shown_and_typing_kept(page) -> None:
    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    assert "cannot be more than physical restraint" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('nhsuk-error-summary')")
    # Nothing typed is lost.
    assert page.input_value("#id_occupied_bed_days") == "120"
    assert page.input_value("#id_m_physical_restraint") == "2"
    assert page.input_value("#id_m_prone_restraint") == "3"
    assert page.input_value("#id_m_rapid_tranquillisation") == "1"
    assert page.is_checked("#id_none_seclusion")
    assert page.locator("#id_m_prone_restraint-error").is_visible()


def test_it_enters_an_overdue_week_by_keyboard_fixes_an_error_and_submits(
    live_server, page, screenshot, staff, enrolled_ward
):
    page.set_viewport_size({"width": 768, "height": 1000})  # a tablet on the ward
    sign_in(page, live_server, "staff")
    overdue = page.get_by_role("link", name=f"w/c {day_month_year(LAST_WEEK)}")
    assert overdue.is_visible()
    screenshot("ward-home")
    overdue.click()
    page.wait_for_url(f"**/returns/{LAST_WEEK:%Y-%m-%d}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Week commencing")
    # The page is usable at 768 px: nothing overflows sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    screenshot("weekly-entry")

    type_return_by_keyboard(page)

    assert_error_shown_and_typing_kept(page)
    screenshot("weekly-entry-error")
    assert not WeeklyReturn.objects.exists()

    page.keyboard.press("Tab")  # the link in the error summary
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_m_prone_restraint"
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    submit_by_keyboard(page)

    page.get_by_text("return submitted").wait_for()
    assert page.locator(".nhsuk-tag", has_text="Submitted").first.is_visible()
    history = page.locator(".mhsip-history")
    assert "Prone restraint" in history.inner_text()
    assert "blank → 1" in history.inner_text()
    assert "started (submitted)" in history.inner_text()
    screenshot("weekly-entry-submitted")

    weekly_return = WeeklyReturn.objects.get()
    assert weekly_return.status == WeeklyReturn.Status.SUBMITTED
    assert weekly_return.occupied_bed_days == 120
    assert dict(WeeklyCount.objects.values_list("measure__code", "count")) == {
        "physical_restraint": 2,
        "prone_restraint": 1,
        "rapid_tranquillisation": 1,
        "seclusion": 0,
    }  # the measures not collected stay missing
    assert weekly_return.not_collected and "seclusion" not in weekly_return.not_collected


def test_enter_moves_to_the_next_box_and_only_the_button_submits(
    live_server, page, staff, enrolled_ward
):
    """An accidental Enter after the bed days used to submit a return of blanks."""
    sign_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/wards/{enrolled_ward.pk}/returns/{LAST_WEEK:%Y-%m-%d}/")
    page.keyboard.type("120")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_m_physical_restraint"
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_m_prone_restraint"
    page.wait_for_timeout(300)  # a submission would have started by now
    assert not WeeklyReturn.objects.exists()
    # Without JavaScript, Enter presses the form's first submit button, which is disabled.
    assert page.locator("form.mhsip-return-form button[type=submit]").first.is_disabled()
    # Submitting with blanks asks for an answer for every measure; nothing is saved.
    submit_by_keyboard(page)
    page.locator(".nhsuk-error-summary").wait_for()
    assert "Seclusion has no answer" in page.locator(".nhsuk-error-summary").inner_text()
    assert page.input_value("#id_m_physical_restraint") == "2"
    assert not WeeklyReturn.objects.exists()


def test_it_keeps_another_ward_out_of_reach(live_server, page, staff, enrolled_ward, other_ward):
    sign_in(page, live_server, "staff")
    response = page.goto(f"{live_server.url}/wards/{other_ward.pk}/returns/{LAST_WEEK}/")
    assert response.status == 404
