"""A trust's local measure is written only by the wards enrolled in it, while it is collected:
the same rule (measures/rules_fit.py) in the weekly form's service, the file import and the
bulk API. Another trust's local measure reads as an unknown code: nothing of it is revealed."""

import datetime

import pytest

from measures import rules
from measures.errors import ImportRefused, ReturnRefused
from measures.local_measures import local_measure_create, local_measure_retire
from measures.models import WeeklyCount, WeeklyReturn
from measures.services import weekly_return_record
from tests.api_clients import weeks_back
from tests.measures.import_helpers import HEADER, WEEK, commit, csv_bytes, saved
from tests.measures.test_local_measures import measure_post

pytestmark = pytest.mark.django_db
BULK = "/api/v1/returns/bulk/"
NOT_ENROLLED = "is a local measure Elm Ward is not enrolled in"


@pytest.fixture
def falls(trust, ward, qi_lead):
    """Moorside's local measure, Oak Ward enrolled, Elm Ward (other_ward) not."""
    return local_measure_create(trust=trust, user=qi_lead, wards=[ward], fields=measure_post())


@pytest.fixture
def faraway_falls(outside_ward):
    fields = measure_post(code="ry9_falls", name="Faraway falls")
    return local_measure_create(trust=outside_ward.trust, user=None, wards=[outside_ward],
                                fields=fields)  # fmt: skip


def scope(trust_id=1, wards=(1,), retired_on=None):
    return {"falls": rules.LocalScope(trust_id=trust_id, ward_ids=frozenset(wards),
                                      retired_on=retired_on)}  # fmt: skip


class _Ward:
    pk, trust_id, name = 1, 1, "Oak Ward"


class _Measure:
    name = "Falls on the ward"


@pytest.mark.parametrize(
    ("scopes", "week", "message"),
    [
        (scope(), WEEK, None),
        (scope(trust_id=2), WEEK, "Unknown measure code 'falls'."),
        (scope(wards=(7,)), WEEK, "Falls on the ward is a local measure Oak Ward is not enrolled"),
        (scope(retired_on=WEEK), WEEK, "Falls on the ward was retired on 1 January 2024"),
        (scope(retired_on=WEEK), WEEK - datetime.timedelta(weeks=1), None),
    ],
)
def test_the_rule_names_the_trust_the_enrolment_or_the_retirement(scopes, week, message):
    errors = rules.local_measure_errors(ward=_Ward(), week_start=week, codes={"falls", "x"},
                                        measures={"falls": _Measure()}, scopes=scopes)  # fmt: skip
    assert (errors.get("falls", "")[: len(message or "")] or None) == message
    assert "x" not in errors, "a national or unknown code is not this rule's"


def test_a_blank_for_a_ward_not_enrolled_writes_nothing_and_is_not_an_error():
    errors = rules.with_local_measure_errors(
        {"falls.numerator": "hidden", "beds": "kept"}, ward=_Ward(), week_start=WEEK,
        measures={"falls": _Measure()}, scopes=scope(trust_id=2),
        written=[("falls", 3)],
    )  # fmt: skip
    assert errors == {"beds": "kept", "falls": "Unknown measure code 'falls'."}
    blanks = [("falls", None), ("falls", [])]
    assert rules.with_local_measure_errors({}, ward=_Ward(), week_start=WEEK, written=blanks,
                                           measures={"falls": _Measure()},
                                           scopes=scope(trust_id=2)) == {}  # fmt: skip


def test_an_import_writes_it_for_enrolled_wards_and_blank_cells_elsewhere(
    qi_lead, ward, other_ward, falls
):
    header = f"{HEADER},rz1_falls"
    commit(qi_lead, csv_bytes("RX4,Oak Ward,,2024-01-01,,130,,2,1,3",
                              "RX4,Elm Ward,,2024-01-01,,70,,0,0,", header=header))  # fmt: skip
    assert saved(ward)["rz1_falls"] == 3
    assert "rz1_falls" not in saved(other_ward)


def test_an_import_refuses_it_for_a_ward_not_enrolled_and_writes_nothing(
    qi_lead, ward, other_ward, falls
):
    header = f"{HEADER},rz1_falls"
    with pytest.raises(ImportRefused) as refused:
        rows = ("RX4,Oak Ward,,2024-01-01,,130,,2,1,3", "RX4,Elm Ward,,2024-01-01,,70,,0,0,1")
        commit(qi_lead, csv_bytes(*rows, header=header))
    errors = refused.value.plan.errors
    assert [(e.row, e.column) for e in errors] == [(3, "rz1_falls")]
    assert NOT_ENROLLED in errors[0].message
    assert not WeeklyReturn.objects.exists()


def test_an_import_reads_another_trusts_local_measure_as_unknown(qi_lead, ward, faraway_falls):
    header = f"{HEADER},ry9_falls"
    with pytest.raises(ImportRefused) as refused:
        commit(qi_lead, csv_bytes("RX4,Oak Ward,,2024-01-01,,130,,2,1,4", header=header))
    messages = [e.message for e in refused.value.plan.errors]
    assert messages == ["Unknown measure code 'ry9_falls'."]
    assert "Faraway" not in " ".join(messages)
    assert not WeeklyCount.objects.exists()


def test_the_bulk_api_refuses_both_and_changes_nothing(api, qi_lead, ward, other_ward, falls,
                                                      faraway_falls):  # fmt: skip
    items = [
        {"ward": ward.pk, "week_start": weeks_back(1).isoformat(), "occupied_bed_days": 120,
         "counts": {"rz1_falls": 2, "ry9_falls": 1}},
        {"ward": other_ward.pk, "week_start": weeks_back(1).isoformat(),
         "occupied_bed_days": 70, "counts": {"rz1_falls": 1}},
    ]  # fmt: skip
    response = api(qi_lead).post(BULK, {"items": items}, format="json")
    assert response.status_code == 400, response.content
    reported = {(e["index"], e["field"]): e["reason"] for e in response.json()["items"]}
    assert set(reported) == {(0, "counts.ry9_falls"), (1, "counts.rz1_falls")}
    assert reported[(0, "counts.ry9_falls")] == "Unknown measure code 'ry9_falls'."
    assert NOT_ENROLLED in reported[(1, "counts.rz1_falls")]
    assert not WeeklyReturn.objects.exists()


def test_a_retired_measure_is_refused_from_its_retirement_on(qi_lead, ward, falls):
    local_measure_retire(measure=falls, today=WEEK)
    with pytest.raises(ReturnRefused) as refused:
        weekly_return_record(ward=ward, week_start=WEEK, user=qi_lead, occupied_bed_days=100,
                             counts={"rz1_falls": 1})  # fmt: skip
    assert "was retired on 1 January 2024" in refused.value.errors["rz1_falls"]
    before = WEEK - datetime.timedelta(weeks=1)
    weekly_return_record(ward=ward, week_start=before, user=qi_lead, occupied_bed_days=100,
                         counts={"rz1_falls": 1})  # fmt: skip
    assert saved(ward, before) == {"rz1_falls": 1}
