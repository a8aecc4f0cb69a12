"""Writes to a return carry the version read (measures/api/common.py `expected_version`):
PUT, PATCH and DELETE without one are 428, a stale one 412, and `If-Match: *` ("any
version") names none, so it is refused too. Creating is POST, which needs no version."""

import pytest

from measures.models import WeeklyCount
from tests.api_clients import make_return

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize(("header", "status"), [(None, 428), ("*", 428), ('"nonsense"', 428),
                                                ('"7"', 412), ('W/"7"', 412)])  # fmt: skip
def test_every_write_needs_the_current_version(api, qi_lead, ward, method, header, status):
    weekly_return = make_return(ward, status="draft", counts={"physical_restraint": 2})
    extra = {} if header is None else {"HTTP_IF_MATCH": header}
    body = {"occupied_bed_days": 100, "counts": {"physical_restraint": 5}}
    client = api(qi_lead)
    url = f"/api/v1/returns/{weekly_return.pk}/?reason=Entered+twice"
    response = getattr(client, method)(url, body, format="json", **extra)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    weekly_return.refresh_from_db()
    assert weekly_return.version == 1 and weekly_return.occupied_bed_days == ward.beds * 6
    assert WeeklyCount.objects.get(weekly_return=weekly_return).count == 2


def test_the_current_version_writes(api, qi_lead, ward):
    weekly_return = make_return(ward, status="draft")
    client = api(qi_lead)
    url = f"/api/v1/returns/{weekly_return.pk}/"
    response = client.patch(url, {"occupied_bed_days": 100}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200 and response["ETag"] == '"2"'
    assert client.delete(url + "?reason=Entered+twice", HTTP_IF_MATCH='W/"2"').status_code == 204


def test_a_put_to_a_missing_return_is_404_whatever_if_match_says(api, staff):
    response = api(staff).put("/api/v1/returns/999999/", {"occupied_bed_days": 1},
                              format="json", HTTP_IF_MATCH="*")  # fmt: skip
    assert response.status_code == 404
