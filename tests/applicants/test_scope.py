"""Who sees what (SPEC §1): by page and by API, another region's household is a 404."""

import pytest
from rest_framework.test import APIClient

from applicants.models import Household, Person, Role
from integrity.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_households(household_in):
    zhangcun = household_in("371002001002")  # 张村镇东村
    yangting = household_in("371002002002")  # 羊亭镇
    return zhangcun, yangting


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_caseworker_gets_404_for_another_townships_household_by_page(
    client, make_user, two_households
):
    zhangcun, yangting = two_households
    client.force_login(make_user(Role.CASEWORKER, "371002001"))
    assert client.get(f"/households/{zhangcun.pk}/").status_code == 200
    assert client.get(f"/households/{yangting.pk}/").status_code == 404


def test_caseworker_gets_404_for_another_townships_household_by_api(make_user, two_households):
    zhangcun, yangting = two_households
    api = api_for(make_user(Role.CASEWORKER, "371002001"))
    assert api.get(f"/api/v1/households/{zhangcun.pk}/").status_code == 200
    response = api.get(f"/api/v1/households/{yangting.pk}/")
    assert response.status_code == 404


def test_caseworker_list_holds_only_own_township(make_user, two_households):
    zhangcun, _ = two_households
    api = api_for(make_user(Role.CASEWORKER, "371002001"))
    ids = [h["id"] for h in api.get("/api/v1/households/").json()["results"]]
    assert ids == [zhangcun.pk]


def test_approver_sees_whole_county(make_user, two_households, household_in):
    other_county = household_in("371003002002")
    api = api_for(make_user(Role.APPROVER, "371002"))
    ids = {h["id"] for h in api.get("/api/v1/households/").json()["results"]}
    assert ids == {h.pk for h in two_households}
    assert other_county.pk not in ids


def test_citizen_sees_only_own_household(client, make_user, two_households):
    zhangcun, yangting = two_households
    citizen = make_user(Role.CITIZEN, None)
    Person.objects.filter(household=zhangcun).update(user=citizen)
    api = api_for(citizen)
    ids = [h["id"] for h in api.get("/api/v1/households/").json()["results"]]
    assert ids == [zhangcun.pk]
    assert api.get(f"/api/v1/households/{yangting.pk}/").status_code == 404
    client.force_login(citizen)
    assert client.get(f"/households/{yangting.pk}/").status_code == 404


def test_supervisor_reads_city_masked_and_logged_as_masked(make_user, two_households):
    zhangcun, _ = two_households
    supervisor = make_user(Role.SUPERVISOR, "371000")
    api = api_for(supervisor)
    member = api.get(f"/api/v1/households/{zhangcun.pk}/").json()["members"][0]
    real = Household.objects.get(pk=zhangcun.pk).members.get()
    assert member["id_number"] == real.id_number[:4] + "*" * 10 + real.id_number[-4:]
    assert member["monthly_income"] is None
    log = AccessLog.objects.get()
    assert (log.user, log.object_id, log.masked, log.channel) == (
        supervisor,
        zhangcun.pk,
        True,
        "api",
    )


def test_unmasked_read_is_written_to_the_audit_trail(client, make_user, two_households):
    zhangcun, _ = two_households
    user = make_user(Role.CASEWORKER, "371002001")
    client.force_login(user)
    client.get(f"/households/{zhangcun.pk}/", REMOTE_ADDR="10.1.2.3")
    log = AccessLog.objects.get()
    assert (log.user, log.object_id, log.ip_address, log.channel, log.masked) == (
        user,
        zhangcun.pk,
        "10.1.2.3",
        "page",
        False,
    )


def test_department_and_organization_see_no_households(make_user, two_households):
    for role in (Role.DEPARTMENT, Role.ORGANIZATION):
        api = api_for(make_user(role, None))
        assert api.get("/api/v1/households/").json()["count"] == 0


def test_anonymous_gets_401_from_households_api(two_households):
    assert APIClient().get("/api/v1/households/").status_code == 401


def test_moving_a_township_moves_the_paths_below_it(regions):
    from applicants.models import Region
    from applicants.services import region_set_path

    township = Region.objects.get(code="371002001")
    township.parent = Region.objects.get(code="371003")
    region_set_path(region=township)
    township.save()
    village = Region.objects.get(code="371002001002")
    assert village.path == "371000/371003/371002001/371002001002/"


def test_throttle_ignores_a_spoofed_forwarded_for(settings):
    from rest_framework.settings import api_settings

    assert api_settings.NUM_PROXIES == 0
