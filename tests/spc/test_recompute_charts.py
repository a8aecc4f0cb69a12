import io

import pytest
from django.core.management import call_command

from tests.spc.helpers import fill

pytestmark = pytest.mark.django_db


def test_it_recomputes_from_the_command_with_a_summary(ward, other_ward, enrolled):
    fill(ward)
    out, err = io.StringIO(), io.StringIO()
    call_command("recompute_charts", "--all", stdout=out, stderr=err)
    assert "charts computed" in out.getvalue()
    assert "1/1 trusts" in err.getvalue()
    call_command("recompute_charts", "--trust", ward.trust.ods_code.lower(), stdout=out, stderr=err)
    with pytest.raises(Exception, match="No trust with ODS code"):
        call_command("recompute_charts", "--trust", "RQQ", stdout=out, stderr=err)
    with pytest.raises(Exception, match="No ward with id"):
        call_command("recompute_charts", "--ward", "999999", stdout=out, stderr=err)
