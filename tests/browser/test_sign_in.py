import pytest

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_it_signs_in_with_the_keyboard_and_lists_the_users_wards(
    live_server, page, screenshot, staff, ward, other_ward
):
    page.goto(live_server.url)
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    # The stylesheet is served locally: the NHS header is styled (blue), not plain HTML.
    header_colour = page.eval_on_selector(
        ".nhsuk-header", "el => getComputedStyle(el).backgroundColor"
    )
    assert header_colour == "rgb(0, 94, 184)"
    screenshot("sign-in")

    page.keyboard.type("staff")
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")

    assert page.get_by_role("heading", name="Your wards").is_visible()
    assert page.get_by_role("cell", name="Oak Ward").is_visible()
    assert page.get_by_role("cell", name="Elm Ward").count() == 0
    screenshot("home")


def test_it_shows_a_clear_error_for_a_wrong_password(live_server, page, staff):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".nhsuk-error-summary")
    assert summary.is_visible()
    assert "correct username and password" in summary.inner_text()
