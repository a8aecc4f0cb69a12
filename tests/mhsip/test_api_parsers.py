"""JSON bodies with a nesting limit (mhsip/api_parsers.py): too deep is the API's JSON 400."""

import pytest

from mhsip.api_parsers import MAX_JSON_DEPTH, too_deep

pytestmark = pytest.mark.django_db


def nested(depth: int):
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_it_measures_nesting_without_recursion():
    assert not too_deep({"a": [1, {"b": []}]})
    assert not too_deep(nested(MAX_JSON_DEPTH))
    assert too_deep(nested(MAX_JSON_DEPTH + 1))
    assert too_deep(nested(50_000))  # deeper than the interpreter's stack: no RecursionError
    assert not too_deep("text") and not too_deep(3)


@pytest.mark.parametrize("path", ["/api/v1/returns/", "/api/v1/returns/bulk/",
                                  "/api/v1/change-ideas/"])  # fmt: skip
@pytest.mark.parametrize("body", ["[" * 100_000, "[" * 30 + "]" * 30, '{"a":' * 5000 + "1"
                                  + "}" * 5000])  # fmt: skip
def test_a_deeply_nested_body_is_a_json_400(api, qi_lead, ward, path, body):
    response = api(qi_lead).generic("POST", path, body, content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "parse_error"
    assert "levels deep" in response.json()["detail"]


def test_a_body_at_the_limit_is_parsed(api, staff, ward):
    body = f'{{"ward": {ward.pk}, "notes": {"[" * 5 + "]" * 5}}}'
    response = api(staff).generic("POST", "/api/v1/change-ideas/", body,
                                  content_type="application/json")  # fmt: skip
    assert response.status_code == 400
    assert "title" in response.json()["errors"]  # validated as usual, not refused as a body
