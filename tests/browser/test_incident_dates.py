"""A ward staff member gives the day of each incident by keyboard, in real Chromium at 768 px:
date boxes appear as the count is typed, a day outside the week is refused with everything
typed kept, and the history lists the days."""

import datetime

import pytest

from measures.models import IncidentDate
from tests.browser.test_weekly_entry import LAST_WEEK, _catalogue, enrolled_ward, sign_in, tab

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
__all__ = ["_catalogue", "enrolled_ward"]  # fixtures shared with the weekly entry test


def day_order(page) -> str:
    """The order Chromium's date boxes take day, month and year in (its own locale's:
    dd/mm/yyyy on an en-GB machine, mm/dd/yyyy on an en-US one), found by typing into a
    scratch box (then removed, so the page's own boxes are typed into fresh)."""
    page.evaluate("""() => { const box = document.createElement("input");
                             box.type = "date"; box.id = "probe"; document.body.prepend(box); }""")
    page.focus("#probe")
    page.keyboard.type("01022003")
    order = "%d%m%Y" if page.input_value("#probe") == "2003-02-01" else "%m%d%Y"
    page.evaluate("document.getElementById('probe').remove()")
    return order


WEDNESDAY = LAST_WEEK + datetime.timedelta(days=2)
OUTSIDE = LAST_WEEK + datetime.timedelta(days=9)  # a day of the next week


def type_count_and_days(page, order: str) -> None:
    """Seclusion 2: two date boxes appear (and follow the count), behind one closed "Day of
    each incident" that Tab passes in one stop; a Wednesday, then a day of the next week."""
    page.focus("#id_occupied_bed_days")
    page.keyboard.type("120")
    page.focus("#id_m_seclusion")
    page.keyboard.type("2")
    slots = page.locator("[data-dates-for=id_m_seclusion] input[type=date]")
    assert slots.count() == 2  # one per incident, as the count is typed
    page.keyboard.press("Backspace")
    page.keyboard.type("3")
    assert slots.count() == 3
    page.keyboard.press("Backspace")
    page.keyboard.type("2")
    assert slots.count() == 2
    details = page.locator("[data-dates-for=id_m_seclusion] details")
    assert details.is_visible() and not details.evaluate("d => d.open")
    tab(page, 3)  # "none this week", "not collected this week", then "Day of each incident"
    page.keyboard.press("Enter")  # opens it
    tab(page)
    assert page.evaluate("document.activeElement.id") == "id_d_seclusion_0"
    page.keyboard.type(f"{WEDNESDAY:{order}}")
    tab(page, 2)  # the box's calendar button, then the next box
    assert page.evaluate("document.activeElement.id") == "id_d_seclusion_1"
    page.keyboard.type(f"{OUTSIDE:{order}}")


def assert_refused_with_everything_kept(page) -> None:
    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    assert "is not in this week" in summary.inner_text()
    assert page.input_value("#id_m_seclusion") == "2"
    assert page.input_value("#id_d_seclusion_0") == WEDNESDAY.isoformat()
    assert page.input_value("#id_d_seclusion_1") == OUTSIDE.isoformat()
    assert page.locator("#id_d_seclusion_1-error").is_visible()  # its disclosure is open
    assert not IncidentDate.objects.exists()


def test_it_enters_the_days_of_incidents_by_keyboard(live_server, page, screenshot, staff,
                                                     enrolled_ward):  # fmt: skip
    page.set_viewport_size({"width": 768, "height": 1000})
    sign_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/wards/{enrolled_ward.pk}/returns/{LAST_WEEK}/")
    assert page.locator("[data-dates-note-js]").is_visible()  # "when you enter a count"
    order = day_order(page)
    type_count_and_days(page, order)
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    screenshot("weekly-entry-dates")
    # A submitted return answers every measure: the others had none this week.
    page.locator("input[id^=id_m_]").evaluate_all(
        "els => els.forEach(e => { if (!e.value && !e.disabled) e.value = '0'; })")
    submit = page.get_by_role("button", name="Submit return")
    submit.click()  # Enter moves between boxes; only the button submits

    assert_refused_with_everything_kept(page)
    screenshot("weekly-entry-dates-error")
    page.keyboard.press("Tab")  # the link in the error summary goes to the box at fault
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_d_seclusion_1"
    page.keyboard.type(f"{LAST_WEEK:{order}}")
    submit.click()

    page.get_by_text("return submitted").wait_for()
    saved = sorted(IncidentDate.objects.values_list("occurred_on", flat=True))
    assert saved == [LAST_WEEK, WEDNESDAY]
    history = page.locator(".mhsip-history").inner_text()
    days = f"{LAST_WEEK.day} {LAST_WEEK:%b}, {WEDNESDAY.day} {WEDNESDAY:%b}"
    assert "Seclusion dates" in history and f"none → {days}" in history
    # After saving, the page keeps a box per incident with its day.
    assert page.input_value("#id_d_seclusion_0") == LAST_WEEK.isoformat()
