"""Property-based run of the whole API against its own OpenAPI schema (schemathesis).

Bounded: a few examples per operation, no shrinking, so it takes well under a minute. It runs
as a QI lead (who may write) with a token, on a small demo-like data set with computed
charts; ids in paths, queries and bodies are mostly mapped to real objects so the requests
reach real code paths rather than 404s. Every response must be documented, match its
schema, and none may be a 5xx."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from measures.models import ChangeIdea, Enrolment, Programme
from spc import recompute
from tests.api_clients import make_return, weeks_back
from tests.factories import PdsaCycleFactory
from tokens.services import api_token_create

pytestmark = pytest.mark.slow
EXAMPLES = 12
schemathesis.checks.load_all_checks()
EXCLUDED = [
    schemathesis.checks.positive_data_acceptance,
    schemathesis.checks.negative_data_rejection,
]
REAL: dict[str, list[int]] = {}

ID_NAMES = {
    "ward_id": "ward", "ward": "ward", "trust_id": "trust", "trust": "trust",
    "region_id": "region", "region": "region", "return_id": "return", "idea_id": "idea",
    "programme_id": "programme", "number": "cycle",
}  # fmt: skip


def _real(name: str, value):
    kind = ID_NAMES.get(name)
    if kind is None or not REAL.get(kind) or not isinstance(value, int) or value % 7 == 0:
        return value  # keep some random ids: they must be clean 404s / 400s
    return REAL[kind][value % len(REAL[kind])]


@pytest.fixture
def demo_data(
    db, _keep_the_test_connection, settings_fixture_for_api, qi_lead, ward, other_ward, outside_ward
):
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    returns = []
    for w in (ward, other_ward, outside_ward):
        Enrolment.objects.create(programme=programme, ward=w, joined_on=weeks_back(30))
        for i in range(30, -1, -1):
            counts = {"physical_restraint": (i * 7 + w.pk) % 5, "seclusion": i % 2}
            returns.append(make_return(w, weeks_back(i), counts=counts))
    PdsaCycleFactory(idea__ward=ward, idea__title="Safewards", idea__started_on=weeks_back(10))
    recompute.charts_recompute_all()
    REAL.clear()
    REAL.update(
        ward=[ward.pk, other_ward.pk, outside_ward.pk],
        trust=[ward.trust_id, outside_ward.trust_id],
        region=[ward.trust.region_id, outside_ward.trust.region_id],
        programme=[programme.pk],
        idea=list(ChangeIdea.objects.values_list("pk", flat=True)),
        cycle=[1],
        **{"return": [r.pk for r in returns]},
    )


@pytest.fixture
def _keep_the_test_connection():
    """As Django's test client does: requests must not close the connection that holds the
    test's transaction (with CONN_MAX_AGE, as on PostgreSQL, the request signals would)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def settings_fixture_for_api(settings):
    # No throttling here: hundreds of requests in seconds are the point of this test.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": None, "token_bulk": None},
    }


@pytest.fixture
def token_headers(qi_lead):
    _, key = api_token_create(user=qi_lead, name="schemathesis")
    return {"Authorization": f"Bearer {key}"}


schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


@schema.hook
def map_path_parameters(context, path_parameters):
    if not path_parameters:
        return path_parameters
    return {k: _real(k, v) for k, v in path_parameters.items()}


@schema.hook
def map_query(context, query):
    return {k: _real(k, v) for k, v in query.items()} if query else query


@schema.hook
def map_body(context, body):
    if isinstance(body, dict) and isinstance(body.get("ward"), int):
        body["ward"] = _real("ward", body["ward"])
    return body


# One test per operation, parametrized by pytest (not by schemathesis' own collector, whose
# items share one node id, so a parallel run, pytest-xdist, would run just one of them).
OPERATIONS = {op.label: op for op in (result.ok() for result in schema.get_all_operations())}
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_it_answers_every_operation_as_its_schema_says(label, demo_data, token_headers):
    # Whether the API rejects every schema-invalid input (or accepts every schema-valid one,
    # e.g. a start after the end) is not judged here: 5xx, undocumented statuses, headers or
    # content types, and responses that break their schema are.
    operation = OPERATIONS[label]
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    cases = st.one_of([operation.as_strategy(generation_mode=mode) for mode in modes])

    @SETTINGS
    @given(case=cases)
    def check(case):
        case.call_and_validate(headers=token_headers, excluded_checks=EXCLUDED)

    check()
