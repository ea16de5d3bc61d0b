"""The pages refuse what the database cannot hold with an error, never a 500."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from applicants.models import Application
from tests.factories import id_number_for

pytestmark = pytest.mark.django_db

NUMBER = id_number_for(55, birth=dt.date(1970, 6, 1), male=False)


def apply_post(**extra):
    return {
        "size": "1",
        "village": "371002001002",
        "m0-relation": "applicant",
        "m0-name": "李桂英",
        "m0-id_number": NUMBER,
        "m0-monthly_income": "100",
        **extra,
    }


def test_nul_in_a_page_form_is_a_400(client, accounts):
    client.force_login(accounts["caseworker"])
    response = client.post("/apply/", apply_post(**{"m0-name": "李\x00英"}))
    assert response.status_code == 400
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("m0-name", "李" * 51), ("m0-phone", "1" * 21), ("m0-self_care", "bogus")],
)
def test_apply_page_refuses_what_the_household_file_cannot_hold(client, accounts, field, value):
    client.force_login(accounts["caseworker"])
    response = client.post("/apply/", apply_post(**{field: value}))
    assert response.status_code == 200
    assert not Application.objects.exists()


def test_apply_page_still_saves_a_draft(client, accounts):
    client.force_login(accounts["caseworker"])
    response = client.post("/apply/", apply_post())
    assert response.status_code == 302
    assert Application.objects.get().data["members"][0]["name"] == "李桂英"


def _accepted_case(accounts):
    cw = APIClient()
    cw.force_authenticate(accounts["caseworker"])
    body = {
        "village": "371002001002",
        "members": [{"relation": "applicant", "name": "李桂英", "id_number": NUMBER}],
    }
    pk = cw.post("/api/v1/applications/", body, format="json").json()["id"]
    for action, payload in (("submit", {"signers": [NUMBER]}), ("accept", {}), ("verify", {})):
        response = cw.post(f"/api/v1/applications/{pk}/{action}/", payload, format="json")
        assert response.status_code == 200, response.content
    return pk


@pytest.mark.parametrize(
    "values",
    [
        {"value_houses": "abc"},
        {"value_houses": str(2**40)},
        {"value_vehicles": "-1"},
        {"value_financial": "1e30"},
        {"value_financial": "NaN"},
        {"value_financial": "-1"},
    ],
)
def test_case_page_verification_refuses_bad_numbers(client, accounts, catalog, values):
    pk = _accepted_case(accounts)
    client.force_login(accounts["caseworker"])
    response = client.post(
        f"/cases/{pk}/",
        {"action": "verification", "summary": "核对", **values, "reason_houses": "更正"},
        follow=True,
    )
    assert response.status_code == 200
    assert not Application.objects.get(pk=pk).verifications.exists()


def test_household_page_reads_at_most_one_households_member_forms(client, accounts, settings):
    client.force_login(accounts["caseworker"])
    post = {"village": "", "m-TOTAL_FORMS": "1000", "m-INITIAL_FORMS": "0"}
    response = client.post("/households/new/", post)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) <= settings.HOUSEHOLD_MAX_MEMBERS


@pytest.mark.parametrize("odd", ["²", "١٢", "9" * 30])
def test_unicode_digits_in_a_page_number_are_ignored_not_a_500(client, accounts, catalog, odd):
    """str.isdigit() takes "²", which int() refuses: a family size or a household chosen by
    such a number is no number at all (the page as without it)."""
    assert client.get("/selfcheck/", {"n": odd}).status_code == 200
    client.force_login(accounts["caseworker"])
    assert client.get("/households/new/", {"n": odd}).status_code == 200
    assert client.get("/apply/", {"household": odd}).status_code in (200, 404)
