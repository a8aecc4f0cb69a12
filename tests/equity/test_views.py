"""Equity pages, export, API and import: scoping and suppression for each persona."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from equity.models import GroupBedDays, GroupCount
from tests.api_clients import token_client

from .helpers import breakdown, week

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(ward):
    for n in range(26):
        breakdown(ward, week(n), {"A": (100, 2), "N": (20, 1 if n < 5 else 0), "H": (20, 1)})
    return ward


def test_the_qi_lead_sees_every_count_and_the_sentence(client, qi_lead, data, trust):
    client.force_login(qi_lead)
    page = client.get(reverse("equity:trust", args=[trust.pk])).content.decode()
    assert "Black patients" in page and "<td class=\"nhsuk-table__cell--numeric\">5</td>" in page
    assert "You are outside this trust" not in page


def test_a_facilitator_sees_the_trust_and_region_suppressed(client, facilitator, data, trust,
                                                             region):
    client.force_login(facilitator)
    page = client.get(reverse("equity:trust", args=[trust.pk])).content.decode()
    assert "You are outside this trust" in page
    assert "<td class=\"nhsuk-table__cell--numeric\">5</td>" not in page
    assert "<abbr title=" in page
    region_page = client.get(reverse("equity:region", args=[region.pk])).content.decode()
    assert trust.name in region_page and "<abbr title=" in region_page


@pytest.mark.parametrize("user", ["outsider", "staff"])
def test_trust_pages_are_not_found_outside_their_readers(client, request, user, data, trust):
    client.force_login(request.getfixturevalue(user))
    for name in ("equity:trust", "equity:csv", "equity:import"):
        assert client.get(reverse(name, args=[trust.pk])).status_code == 404


def test_the_export_hides_small_numbers_outside_the_trust(client, facilitator, qi_lead, data,
                                                           trust):
    def rows(user):
        client.force_login(user)
        body = client.get(reverse("equity:csv", args=[trust.pk])).content.decode()
        return {(r["breakdown"], r["group"]): r for r in csv.DictReader(io.StringIO(body))}

    assert rows(qi_lead)[("ethnicity", "Black")]["events"] == "5"
    hidden = rows(facilitator)[("ethnicity", "Black")]
    assert hidden["events"] == "*" and hidden["rate_ratio"] == ""


def test_the_api_hides_small_numbers_outside_the_trust(facilitator, qi_lead, data, trust):
    url = reverse("api:trust-equity", args=[trust.pk])

    def black(user):
        ethnicity = token_client(user).get(url).json()[0]
        return next(g for g in ethnicity["groups"] if g["group"] == "Black")

    assert black(qi_lead)["events"] == 5
    assert black(facilitator)["events"] is None and black(facilitator)["suppressed"]


def _file(text):
    return SimpleUploadedFile("breakdowns.csv", text.encode(), content_type="text/csv")


HEADER = "ward_code,week_start,breakdown,group,occupied_bed_days,physical_restraint\n"


def test_an_import_is_previewed_then_committed_replacing_the_breakdown(client, qi_lead, ward,
                                                                       trust):
    breakdown(ward, week(0), {"A": (100, 3), "N": (20, 1)})
    client.force_login(qi_lead)
    url = reverse("equity:import", args=[trust.pk])
    body = HEADER + (f"{ward.code},2024-01-01,ethnicity,A,90,2\n"
                     f"{ward.code},2024-01-01,ethnicity,M,30,2\n")
    preview = client.post(url, {"file": _file(body)})
    assert preview.status_code == 200 and "Ready to import" in preview.content.decode()
    assert GroupCount.objects.filter(code="M").count() == 0
    client.post(reverse("equity:import-commit", args=[trust.pk]), {"action": "commit"})
    assert dict(GroupCount.objects.values_list("code", "count")) == {"A": 2, "M": 2}
    assert dict(GroupBedDays.objects.values_list("code", "occupied_bed_days")) == {"A": 90,
                                                                                   "M": 30}


def test_a_bad_import_saves_nothing_and_names_every_row(client, qi_lead, ward, outside_ward,
                                                        trust):
    outside_ward.code = "far-away"  # a ward of another trust: unknown in this trust's file
    outside_ward.save()
    breakdown(ward, week(0), {"A": (100, 3), "N": (20, 1)})
    client.force_login(qi_lead)
    body = HEADER + (f"{ward.code},2024-01-01,ethnicity,A,100,1\n"
                     f"{ward.code},2024-01-01,ethnicity,Q,20,1\n"
                     f"{outside_ward.code},2024-01-01,ethnicity,A,10,0\n")  # fmt: skip
    page = client.post(reverse("equity:import", args=[trust.pk]), {"file": _file(body)})
    text = page.content.decode()
    assert page.status_code == 400
    assert "Row 2: physical restraint (all positions) by ethnic group add up to 2, but the " \
        "return says 4 (2 short)" in text
    assert "Row 3: unknown NHS Data Dictionary ethnic category code" in text
    assert f"Row 4: unknown ward code &#x27;{outside_ward.code}&#x27;" in text
    assert GroupCount.objects.filter(code="Q").count() == 0
    assert dict(GroupCount.objects.values_list("code", "count")) == {"A": 3, "N": 1}


def test_cancel_keeps_what_was_saved(client, qi_lead, ward, trust):
    breakdown(ward, week(0), {"A": (100, 3), "N": (20, 1)})
    client.force_login(qi_lead)
    body = HEADER + f"{ward.code},2024-01-01,ethnicity,A,100,4\n"
    client.post(reverse("equity:import", args=[trust.pk]), {"file": _file(body)})
    client.post(reverse("equity:import-commit", args=[trust.pk]), {"action": "cancel"})
    assert dict(GroupCount.objects.values_list("code", "count")) == {"A": 3, "N": 1}
