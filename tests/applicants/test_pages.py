"""The household registration page shows the service's errors in Chinese, next to the field."""

import datetime as dt

import pytest

from applicants.models import Household, Role
from tests.factories import id_number_for

pytestmark = pytest.mark.django_db


def form_data(id_number, **extra):
    data = {
        "village": "",
        "address": "张村镇东村1号",
        "m-TOTAL_FORMS": "1",
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "1",
        "m-MAX_NUM_FORMS": "1000",
        "m-0-relation": "applicant",
        "m-0-name": "王秀英",
        "m-0-id_number": id_number,
        "m-0-monthly_income": "300",
        "m-0-self_care": "full",
        "m-0-labour_capacity": "full",
    }
    data.update(extra)
    return data


@pytest.fixture
def caseworker_client(client, make_user):
    client.force_login(make_user(Role.CASEWORKER, "371002001"))
    return client


def village_pk(code="371002001002"):
    from applicants.models import Region

    return str(Region.objects.get(code=code).pk)


def test_registering_a_household_redirects_to_its_file(caseworker_client):
    number = id_number_for(5, birth=dt.date(1970, 1, 1))
    response = caseworker_client.post("/households/new/", form_data(number, village=village_pk()))
    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/households/{household.pk}/"


def test_wrong_checksum_shows_a_chinese_error_and_keeps_the_input(caseworker_client):
    number = id_number_for(5, birth=dt.date(1970, 1, 1))
    wrong = number[:-1] + ("1" if number[-1] == "0" else "0")
    response = caseworker_client.post("/households/new/", form_data(wrong, village=village_pk()))
    page = response.content.decode()
    assert response.status_code == 200
    assert "身份证号码校验位不正确" in page
    assert 'value="王秀英"' in page
    assert not Household.objects.exists()


def test_village_of_another_township_is_not_offered(caseworker_client):
    response = caseworker_client.post(
        "/households/new/",
        form_data(id_number_for(6), village=village_pk("371002002002")),
    )
    assert "选择一个有效的选项" in response.content.decode() or "Select a valid choice" in (
        response.content.decode()
    )
    assert not Household.objects.exists()


def test_citizen_has_no_registration_page(client, make_user):
    client.force_login(make_user(Role.CITIZEN, None))
    assert client.get("/households/new/").status_code == 404
