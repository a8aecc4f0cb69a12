"""Programme targets: the rules (measures/targets.py), the model, the admin inline with its
history, and the catalogue's targets."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from measures import rules, targets
from measures.catalogue_targets import FEEL_SAFE_CODE, sync_targets
from measures.models import Measure, Programme, ProgrammeTarget
from tests.conftest import verified_login

D = datetime.date


def errors(**overrides):
    fields = {"direction": "decrease", "kind": "reduce", "percent": 50, "value": None,
              "steps": [], "deadline": D(2024, 3, 31), "confirmed": False} | overrides  # fmt: skip
    return targets.target_errors(**fields)


def test_it_accepts_each_kind_of_target():
    assert errors() == {}
    assert errors(direction="increase", kind="increase", percent=50) == {}
    assert errors(kind="value", percent=None, value=2.5) == {}
    assert errors(kind="trajectory", percent=None,
                  steps=[(D(2023, 10, 2), 4.0), (D(2024, 1, 1), 3.0)]) == {}  # fmt: skip
    assert errors(direction="reporting", kind="none", percent=None) == {}
    assert rules.target_errors is targets.target_errors  # the one place, reached from rules


def test_it_refuses_an_increase_target_on_a_decrease_measure_unless_confirmed():
    refused = errors(kind="increase", percent=20)
    assert set(refused) == {"kind"}
    assert "Confirm a target against the direction" in refused["kind"]
    assert "a decrease is an improvement" in refused["kind"]
    assert errors(kind="increase", percent=20, confirmed=True) == {}
    assert "kind" in errors(direction="increase", kind="reduce", percent=20)


def test_it_refuses_trajectory_steps_out_of_order_or_repeated():
    steps = [(D(2024, 1, 1), 4.0), (D(2023, 12, 4), 3.0), (D(2023, 12, 4), 2.0)]
    message = errors(kind="trajectory", percent=None, steps=steps)["steps"]
    assert "Step 2 (4 Dec 2023) is before step 1 (1 Jan 2024): steps must be in date order" in (
        message)  # fmt: skip
    assert "Step 3 repeats the date 4 Dec 2023" in message


def test_it_refuses_trajectories_without_steps_after_the_deadline_or_negative():
    assert "at least one step" in errors(kind="trajectory", percent=None)["steps"]
    late = errors(kind="trajectory", percent=None, steps=[(D(2024, 6, 3), 1.0)])["steps"]
    assert "after the deadline (31 Mar 2024)" in late
    assert "cannot be negative" in errors(kind="trajectory", percent=None,
                                          steps=[(D(2024, 1, 1), -1.0)])["steps"]  # fmt: skip


def test_it_names_every_bad_field_in_one_round():
    found = errors(kind="value", percent=30, value=None, steps=[(D(2024, 1, 1), 1.0)],
                   deadline=None)  # fmt: skip
    assert set(found) == {"percent", "value", "steps", "deadline"}
    assert "between 1 and 100" in errors(percent=150)["percent"]
    assert "between 1 and 1000" in errors(direction="increase", kind="increase",
                                          percent=1001)["percent"]  # fmt: skip
    assert "needs the percentage" in errors(percent=None)["percent"]


def test_it_gives_a_reporting_measure_no_target():
    assert "no good direction" in errors(direction="reporting")["kind"]


def test_it_reads_typed_trajectory_lines_and_names_the_bad_ones():
    steps, problems = targets.parse_steps("2024-01-01 3.5\n\n2024-02-05, 3\n2024-13-01 2\nsoon")
    assert steps == [(D(2024, 1, 1), 3.5), (D(2024, 2, 5), 3.0)]
    assert problems == [
        "Step 3 ('2024-13-01 2') is not a date and a value, like 2024-01-01 3.5",
        "Step 4 ('soon') is not a date and a value, like 2024-01-01 3.5",
    ]
    assert targets.steps_text([["2024-01-01", 3.5]]) == "2024-01-01 3.5"


def test_it_knows_the_step_in_force_on_a_day():
    steps = [(D(2024, 1, 1), 4.0), (D(2024, 3, 4), 3.0)]
    assert targets.step_value_on(steps, D(2023, 12, 25)) is None
    assert targets.step_value_on(steps, D(2024, 3, 3)) == 4.0
    assert targets.step_value_on(steps, D(2024, 3, 4)) == 3.0


@pytest.mark.django_db
def test_it_loads_each_programmes_target_on_each_measure_as_the_charts_read_them_before():
    regional = Programme.objects.get(name="Restrictive practice: regional aim")
    target = ProgrammeTarget.objects.get(programme=regional, measure__code="seclusion")
    assert (target.direction, target.kind, target.percent, target.deadline) == (
        "decrease", "reduce", 25, D(2023, 4, 30))
    suicide = ProgrammeTarget.objects.get(programme__name="Suicide and self-harm",
                                          measure__code="self_harm")  # fmt: skip
    assert (suicide.kind, suicide.percent) == ("none", None)


@pytest.mark.django_db
def test_it_makes_sexual_safety_incident_reports_reporting_measures():
    sexual = ProgrammeTarget.objects.filter(programme__name="Sexual safety: national aim")
    codes = ("sexual_safety_incidents", "sexual_safety_patients", "sexual_safety_staff")
    # (sexual_safety_feel_safe, now in the catalogue, has its increase target: below)
    assert {t.measure.code: (t.direction, t.kind) for t in sexual
            if t.measure.code in codes} == dict.fromkeys(codes, ("reporting", "none"))
    assert Measure.objects.get(code="sexual_safety_incidents").improvement == "neutral"


@pytest.mark.django_db
def test_it_gives_feeling_safe_an_increase_by_half_once_the_measure_exists():
    programme = Programme.objects.get(name="Sexual safety: national aim")
    feel_safe = Measure.objects.filter(code=FEEL_SAFE_CODE).first() or Measure.objects.create(
        code=FEEL_SAFE_CODE, name="Patients who feel safe", domain="sexual_safety",
        improvement="increase", unit="patients", definition="Patients who say they feel safe.",
    )  # fmt: skip
    ProgrammeTarget.objects.filter(measure=feel_safe).delete()
    sync_targets(Programme, Measure)
    target = ProgrammeTarget.objects.get(programme=programme, measure=feel_safe)
    assert (target.direction, target.kind, target.percent) == ("increase", "increase", 50)
    assert programme.measures.filter(pk=feel_safe.pk).exists()


@pytest.mark.django_db
def test_it_keeps_targets_admins_changed_when_the_catalogue_syncs_again():
    target = ProgrammeTarget.objects.get(programme__name="Restrictive practice: national aim",
                                         measure__code="seclusion")  # fmt: skip
    target.percent = 40
    target.save()
    sync_targets(Programme, Measure)
    target.refresh_from_db()
    assert target.percent == 40


@pytest.mark.django_db
def test_the_model_applies_the_same_rules():
    target = ProgrammeTarget.objects.get(programme__name="Restrictive practice: national aim",
                                         measure__code="seclusion")  # fmt: skip
    target.kind, target.percent, target.steps = "trajectory", None, [["2024-01-01", 2],
                                                                      ["2023-01-02", 1]]
    with pytest.raises(ValidationError) as refused:
        target.full_clean()
    assert "steps must be in date order" in refused.value.message_dict["steps"][0]
    target.steps = [["soon", 1]]
    with pytest.raises(ValidationError) as malformed:
        target.full_clean()
    assert "Step 1 is not a date and a value" in malformed.value.message_dict["steps"][0]


def _programme_post(programme, target, **changes):
    """The admin's change form of a programme with its one target inline (enrolments none)."""
    data = {
        "name": programme.name, "description": programme.description,
        "reduction_percent": programme.reduction_percent or "",
        "deadline": programme.deadline.isoformat(),
        "measures": [str(m.pk) for m in programme.measures.all()],
        "targets-TOTAL_FORMS": "1", "targets-INITIAL_FORMS": "1",
        "targets-MIN_NUM_FORMS": "0", "targets-MAX_NUM_FORMS": "1000",
        "targets-0-id": str(target.pk), "targets-0-programme": str(programme.pk),
        "targets-0-measure": str(target.measure_id), "targets-0-direction": target.direction,
        "targets-0-kind": target.kind, "targets-0-percent": target.percent or "",
        "targets-0-value": "", "targets-0-steps": "",
        "targets-0-deadline": target.deadline.isoformat(),
        "enrolments-TOTAL_FORMS": "0", "enrolments-INITIAL_FORMS": "0",
        "enrolments-MIN_NUM_FORMS": "0", "enrolments-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    return data | changes


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw-1234567")


@pytest.fixture
def restraint_target():
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    return programme, programme.targets.get(measure__code="seclusion")


def _admin_url(programme):
    return f"/admin/measures/programme/{programme.pk}/change/"


@pytest.mark.django_db
def test_an_admin_edits_a_target_inline_with_history(client, superuser, restraint_target):
    programme, target = restraint_target
    verified_login(client, superuser)
    response = client.post(_admin_url(programme), _programme_post(
        programme, target, **{"targets-0-kind": "trajectory", "targets-0-percent": "",
                              "targets-0-steps": "2023-10-02 4\n2024-01-01 3"}))  # fmt: skip
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.kind, target.steps) == ("trajectory", [["2023-10-02", 4.0],
                                                         ["2024-01-01", 3.0]])  # fmt: skip
    assert target.history.first().history_user == superuser
    page = client.get(_admin_url(programme)).content.decode()
    assert "2023-10-02 4\n2024-01-01 3" in page


@pytest.mark.django_db
def test_the_admin_refuses_bad_targets_naming_the_rule_and_saves_nothing(
    client, superuser, restraint_target
):
    programme, target = restraint_target
    verified_login(client, superuser)
    unordered = client.post(_admin_url(programme), _programme_post(
        programme, target, name="Renamed", **{"targets-0-kind": "trajectory",
        "targets-0-percent": "", "targets-0-steps": "2024-01-01 3\n2023-10-02 4"}))  # fmt: skip
    assert unordered.status_code == 200
    assert "steps must be in date order" in unordered.content.decode()
    against = client.post(_admin_url(programme), _programme_post(
        programme, target, **{"targets-0-kind": "increase", "targets-0-percent": "20"}))
    assert "Confirm a target against the direction" in against.content.decode()
    programme.refresh_from_db()
    target.refresh_from_db()
    assert (programme.name, target.kind, target.percent) == (
        "Restrictive practice: national aim", "reduce", 50)
    confirmed = client.post(_admin_url(programme), _programme_post(
        programme, target, **{"targets-0-kind": "increase", "targets-0-percent": "20",
                              "targets-0-against_direction_confirmed": "on"}))  # fmt: skip
    assert confirmed.status_code == 302
