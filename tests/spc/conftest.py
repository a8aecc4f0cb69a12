import pytest

from measures.models import Enrolment, Programme
from tests.spc.helpers import FIRST


@pytest.fixture
def enrolled(ward, other_ward):
    programme = Programme.objects.get(name="Restrictive practice: national aim")
    for w in (ward, other_ward):
        Enrolment.objects.create(programme=programme, ward=w, joined_on=FIRST)
    return programme
