import datetime

from mhsip.weeks import is_monday, latest_complete_week, monday_of, week_end, weeks_between


def test_it_knows_the_latest_complete_week():
    assert latest_complete_week(datetime.date(2026, 11, 25)) == datetime.date(2026, 11, 16)
    assert latest_complete_week(datetime.date(2026, 11, 23)) == datetime.date(2026, 11, 16)
    assert latest_complete_week(datetime.date(2026, 11, 22)) == datetime.date(2026, 11, 9)


def test_it_names_a_week_by_its_monday_and_ends_it_on_sunday():
    assert monday_of(datetime.date(2026, 12, 6)) == datetime.date(2026, 11, 30)  # a Sunday
    assert monday_of(datetime.date(2026, 11, 30)) == datetime.date(2026, 11, 30)
    assert week_end(datetime.date(2026, 11, 30)) == datetime.date(2026, 12, 6)
    assert is_monday(datetime.date(2026, 11, 30)) and not is_monday(datetime.date(2026, 12, 1))


def test_it_lists_the_weeks_between_two_mondays():
    first, last = datetime.date(2026, 11, 2), datetime.date(2026, 11, 23)
    assert weeks_between(first, last) == (
        first, datetime.date(2026, 11, 9), datetime.date(2026, 11, 16), last
    )
    assert weeks_between(last, first) == ()
