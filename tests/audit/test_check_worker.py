import io

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db


def test_it_prints_what_the_worker_saw_of_the_database():
    out = io.StringIO()
    call_command("check_worker", stdout=out)  # eager here: the task runs in this process
    assert "Worker answered" in out.getvalue()
    assert f"database {connection.vendor}, 0 weekly returns." in out.getvalue()
