"""Every input the issue 14 attack run answered with a 500 is a 400 field error now."""

import datetime as dt
import json
import time

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from applicants.models import Application, Household, Person
from tests.factories import id_number_for

pytestmark = pytest.mark.django_db

NUMBER = id_number_for(77, birth=dt.date(1985, 2, 3), male=False)


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def body(**member):
    return {
        "village": "371002001001",
        "members": [
            {
                "relation": "applicant",
                "name": "孙丽",
                "id_number": NUMBER,
                "monthly_income": "100.00",
                **member,
            }
        ],
        "assets": {"financial": "1000.00", "houses": 1},
    }


def draft_then_submit(client, payload):
    """The issue's 500s came at either step: the edge must refuse at the first."""
    created = client.post("/api/v1/applications/", payload, format="json")
    if created.status_code != 201:
        return created
    pk = created.json()["id"]
    return client.post(f"/api/v1/applications/{pk}/submit/", {"signers": [NUMBER]}, format="json")


@pytest.mark.parametrize(
    ("member", "field"),
    [
        ({"name": "张" * 51}, "name"),
        ({"phone": "1" * 21}, "phone"),
        ({"bank_account": "6" * 41}, "bank_account"),
        ({"self_care": "partially"}, "self_care"),
        ({"self_care": "bogus"}, "self_care"),
        ({"serious_illness": "maybe"}, "serious_illness"),
        ({"monthly_income": "1e15"}, "monthly_income"),
        ({"monthly_income": "NaN"}, "monthly_income"),
        ({"monthly_income": "-1"}, "monthly_income"),
        ({"disability_grade": 2**40}, "disability_grade"),
        ({"name": "孙\u0000丽"}, "name"),
        ({"relation": "applicant\u0000"}, "relation"),
    ],
)
def test_bad_member_field_is_a_field_error_not_a_500(accounts, catalog, member, field):
    response = draft_then_submit(api(accounts["caseworker"]), body(**member))
    assert response.status_code == 400, response.content
    assert field in response.json()["members"][0]
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("section", "values"),
    [
        ("assets", {"financial": "1e30"}),
        ("assets", {"financial": "Infinity"}),
        ("assets", {"houses": 2**40}),
        ("assets", {"houses": "x\u0000"}),
        ("rigid_expenditure_12m", {"medical": "1e30"}),
        ("supporter", {"monthly_payment": "-5"}),
    ],
)
def test_bad_fact_is_a_field_error_not_a_500(accounts, catalog, section, values):
    payload = body() | {section: values}
    response = draft_then_submit(api(accounts["caseworker"]), payload)
    assert response.status_code == 400, response.content
    assert section in response.json()


def test_lone_surrogate_in_a_name_is_a_field_error(accounts, catalog):
    raw = json.dumps(body(name="孙X丽")).replace("X", "\\ud800")
    response = api(accounts["caseworker"]).post(
        "/api/v1/applications/", raw, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert "name" in response.json()["members"][0]


def test_unknown_key_with_a_nul_is_refused(accounts, catalog):
    payload = body() | {"assets": {"financial": "1.00", "x\u0000": "y"}}
    response = api(accounts["caseworker"]).post("/api/v1/applications/", payload, format="json")
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_nul_in_a_household_member_name_is_a_field_error(accounts):
    payload = {"village": "371002001002", "members": [body(name="王\u0000")["members"][0]]}
    response = api(accounts["caseworker"]).post("/api/v1/households/", payload, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["members"][0]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/households/?q=%00",
        "/api/v1/households/?region=%00",
        "/api/v1/applications/?state=%00",
        "/api/v1/enrollments/?household=%00",
        "/api/v1/enrollments/?policy_code=%00",
        "/api/v1/reviews/?household=%00",
    ],
)
def test_nul_in_a_query_parameter_is_a_field_error(accounts, url):
    response = api(accounts["caseworker"]).get(url)
    assert response.status_code == 400
    name = url.split("?")[1].split("=")[0]
    assert name in response.json()


def test_nul_in_a_page_query_is_a_400(client, accounts):
    client.force_login(accounts["caseworker"])
    assert client.get("/households/?q=%00").status_code == 400


def test_typed_verification_figures_are_refused_and_corrections_are_checked(accounts, catalog):
    """Figures are no longer typed into verify (issue 10); a correction on confirmation that
    is out of range or without a reason is a field error, and nothing is recorded."""
    cw = api(accounts["caseworker"])
    pk = cw.post("/api/v1/applications/", body(), format="json").json()["id"]
    for action, payload in (("submit", {"signers": [NUMBER]}), ("accept", {})):
        response = cw.post(f"/api/v1/applications/{pk}/{action}/", payload, format="json")
        assert response.status_code == 200
    response = cw.post(
        f"/api/v1/applications/{pk}/verify/",
        {"summary": "核对", "houses_found": 2**40, "financial_assets_found": "1e15"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"houses_found", "financial_assets_found"}
    assert Application.objects.get(pk=pk).state == "accepted"  # nothing moved
    assert cw.post(f"/api/v1/applications/{pk}/verify/", {}, format="json").status_code == 200
    url = f"/api/v1/applications/{pk}/verification-confirm/"
    for values, reasons, field in (
        ({"houses": str(2**40)}, {"houses": "实地核实"}, "houses"),
        ({"financial": "1e15"}, {"financial": "x"}, "financial"),
        ({"financial": "5.00"}, {}, "financial"),  # changed without a reason
    ):
        response = cw.post(
            url, {"summary": "核对", "values": values, "reasons": reasons}, format="json"
        )
        assert response.status_code == 400, response.json()
        assert field in response.json()
    response = cw.post(url, {"summary": "核对\x00", "values": {}}, format="json")
    assert response.status_code == 400 and "summary" in response.json()
    assert not Application.objects.get(pk=pk).verifications.exists()


def test_accepting_a_draft_without_a_household_is_a_400(accounts, catalog):
    cw = api(accounts["caseworker"])
    pk = cw.post("/api/v1/applications/", body(), format="json").json()["id"]
    assert Application.objects.get(pk=pk).household_id is None
    response = cw.post(f"/api/v1/applications/{pk}/accept/", {}, format="json")
    assert response.status_code == 400
    assert "state" in response.json()


def test_json_nested_100000_deep_answers_400_fast(accounts):
    raw = "[" * 100_000 + "]" * 100_000
    started = time.perf_counter()
    response = api().post("/api/v1/assessments/", raw, content_type="application/json")
    assert response.status_code == 400
    assert time.perf_counter() - started < 1.0


def test_json_a_little_too_deep_is_a_400(accounts):
    nested = {"a": 1}
    for _ in range(40):
        nested = {"a": nested}
    response = api(accounts["caseworker"]).post(
        "/api/v1/applications/", body() | {"assets": nested}, format="json"
    )
    assert response.status_code == 400


def test_body_over_the_limit_is_refused(accounts, settings):
    settings.API_MAX_BODY_BYTES = 1000
    payload = body(name="x" * 2000)
    response = api(accounts["caseworker"]).post("/api/v1/applications/", payload, format="json")
    assert response.status_code == 413


def test_nan_literal_is_not_json(accounts):
    raw = '{"region": "371002", "area": "urban", "members": [{"relation": "applicant", '
    raw += '"birth_date": "1980-01-01", "monthly_income": NaN}]}'
    response = api().post("/api/v1/assessments/", raw, content_type="application/json")
    assert response.status_code == 400


def test_survey_and_other_texts_refuse_nul(accounts, catalog):
    cw = api(accounts["caseworker"])
    pk = cw.post("/api/v1/applications/", body(), format="json").json()["id"]
    response = cw.post(
        f"/api/v1/applications/{pk}/return/", {"missing_items": ["户口\u0000簿"]}, format="json"
    )
    assert response.status_code == 400
    assert "missing_items" in response.json()
    response = cw.post(
        f"/api/v1/applications/{pk}/survey/",
        {
            "visited_on": timezone.localdate().isoformat(),
            "staff": ["王\u0000强", "赵敏"],
            "findings": "属实",
            "signed": True,
        },
        format="json",
    )
    assert response.status_code == 400


def test_a_good_application_still_goes_through(accounts, catalog):
    response = draft_then_submit(api(accounts["caseworker"]), body(self_care="partial"))
    assert response.status_code == 200, response.content
    assert Household.objects.get().members.get().self_care == "partial"


def test_lone_surrogate_quoted_in_an_error_is_still_a_400(accounts, catalog):
    raw = json.dumps(body(relation="X")).replace('"X"', '"\\udc80"')
    response = api(accounts["caseworker"]).post(
        "/api/v1/applications/", raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert "relation" in response.json()["members"][0]


def _household(size):
    return {
        "region": "371002",
        "area": "urban",
        "members": [
            {"relation": "applicant" if i == 0 else "child", "birth_date": "1980-01-01"}
            for i in range(size)
        ],
    }


def test_assessment_takes_a_household_up_to_the_cap(catalog, settings):
    response = api().post(
        "/api/v1/assessments/", _household(settings.HOUSEHOLD_MAX_MEMBERS), format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["household_size"] == settings.HOUSEHOLD_MAX_MEMBERS


def test_assessment_past_the_member_cap_is_a_field_error(catalog, settings):
    settings.HOUSEHOLD_MAX_MEMBERS = 5
    response = api().post("/api/v1/assessments/", _household(6), format="json")
    assert response.status_code == 400
    assert "5" in response.json()["members"][0]


def test_assessment_with_20000_members_is_refused_fast(catalog):
    started = time.perf_counter()
    response = api().post("/api/v1/assessments/", _household(20_000), format="json")
    assert response.status_code == 400
    assert "members" in response.json()
    assert time.perf_counter() - started < 1.0


def test_draft_past_the_member_cap_is_a_field_error(accounts, catalog, settings):
    settings.HOUSEHOLD_MAX_MEMBERS = 2
    payload = body()
    payload["members"] *= 3
    response = api(accounts["caseworker"]).post("/api/v1/applications/", payload, format="json")
    assert response.status_code == 400
    assert "members" in response.json()
