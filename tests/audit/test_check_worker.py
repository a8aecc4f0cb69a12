import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_it_prints_what_the_worker_saw_of_the_database():
    out = io.StringIO()
    call_command("check_worker", stdout=out)
    assert "Worker answered (eager (no REDIS_URL)): database sqlite, 0 weekly returns." in (
        out.getvalue()
    )
