"""Registering a household through the API: field errors for bad input, nothing half-saved."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from applicants.models import Household, Person, Role
from tests.factories import id_number_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(make_user):
    client = APIClient()
    client.force_authenticate(make_user(Role.CASEWORKER, "371002001"))
    return client


def member(n=1, **extra):
    return {
        "relation": "applicant",
        "name": "王秀英",
        "id_number": id_number_for(n, birth=dt.date(1958, 3, 2), male=False),
        "monthly_income": "300.00",
        **extra,
    }


def test_household_is_registered_with_birth_date_and_sex_from_id(api):
    response = api.post(
        "/api/v1/households/",
        {"village": "371002001002", "members": [member(), member(2, relation="spouse")]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["village"] == "371002001002"
    assert body["members"][0]["birth_date"] == "1958-03-02"
    assert body["members"][0]["sex"] == "F"
    assert Person.objects.count() == 2


def test_wrong_checksum_is_a_member_field_error(api):
    bad = member()
    bad["id_number"] = bad["id_number"][:-1] + ("0" if bad["id_number"][-1] != "0" else "1")
    response = api.post(
        "/api/v1/households/",
        {"village": "371002001002", "members": [member(2), bad]},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["members"]
    assert errors[0] == {}
    assert "校验位" in errors[1]["id_number"][0]
    assert not Household.objects.exists()


def test_duplicate_id_number_in_the_database_is_refused(api, household_in):
    existing = household_in().members.get()
    response = api.post(
        "/api/v1/households/",
        {"village": "371002001002", "members": [member(id_number=existing.id_number)]},
        format="json",
    )
    assert response.status_code == 400
    assert "一人只能有一条记录" in response.json()["members"][0]["id_number"][0]
    assert Household.objects.count() == 1


def test_duplicate_id_number_within_the_request_is_refused(api):
    response = api.post(
        "/api/v1/households/",
        {"village": "371002001002", "members": [member(), member(relation="spouse")]},
        format="json",
    )
    assert response.status_code == 400
    assert "重复" in response.json()["members"][1]["id_number"][0]
    assert not Household.objects.exists()


def test_empty_household_is_refused(api):
    response = api.post(
        "/api/v1/households/", {"village": "371002001002", "members": []}, format="json"
    )
    assert response.status_code == 400
    assert "members" in response.json()


def test_unknown_region_is_refused(api):
    response = api.post(
        "/api/v1/households/", {"village": "371002999999", "members": [member()]}, format="json"
    )
    assert response.status_code == 400
    assert "未知的行政区划代码" in response.json()["village"][0]


def test_village_outside_scope_is_refused(api):
    response = api.post(
        "/api/v1/households/", {"village": "371003002002", "members": [member()]}, format="json"
    )
    assert response.status_code == 400
    assert "管辖范围" in response.json()["village"][0]


def test_negative_income_is_refused(api):
    response = api.post(
        "/api/v1/households/",
        {"village": "371002001002", "members": [member(monthly_income="-1.00")]},
        format="json",
    )
    assert response.status_code == 400
    assert "monthly_income" in response.json()["members"][0]


def test_two_applicants_are_refused(api):
    response = api.post(
        "/api/v1/households/",
        {"village": "371002001002", "members": [member(1), member(2)]},
        format="json",
    )
    assert response.status_code == 400
    assert "申请人" in response.json()["members"][0]


def test_malformed_json_is_a_400(api):
    response = api.post("/api/v1/households/", data="{not json", content_type="application/json")
    assert response.status_code == 400


def test_supervisor_cannot_register(make_user):
    client = APIClient()
    client.force_authenticate(make_user(Role.SUPERVISOR, "371000"))
    response = client.post(
        "/api/v1/households/", {"village": "371002001002", "members": [member()]}, format="json"
    )
    assert response.status_code == 400
    assert not Household.objects.exists()
