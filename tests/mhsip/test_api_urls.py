import pytest

from tests.api_clients import make_return

pytestmark = pytest.mark.django_db


def test_it_answers_every_list(api, admin_user, ward):
    make_return(ward)
    client = api(admin_user)
    for path in ["regions", "trusts", "wards", "measures", "programmes", "returns",
                 "change-ideas"]:  # fmt: skip
        response = client.get(f"/api/v1/{path}/")
        assert response.status_code == 200, (path, response.content)
