"""The hub (issue 12 items 1, 3, 4, 5, 7): resources, organizations, projects, consented needs
matched by area and kind, deliveries earning 海贝分, the points ledger, 12349, staff and
training — through the services, the API and the pages, scoped and masked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from applicants.errors import DomainError
from applicants.models import Person, Region, Role, User
from tests.weijiuni.hub_helpers import enrolled_households, need_in_zhangcun, org_user, seed_hub
from weijiuni import demo as hub_demo
from weijiuni.models import (
    Benefit,
    Delivery,
    InformationResource,
    Need,
    PointsAccount,
    PointsEntry,
    Project,
    ServiceRequest,
    ServiceWindow,
)
from weijiuni.services import hotline, organizations, points

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub(accounts):
    world = seed_hub(accounts)
    enrolled_households(accounts, count=4)
    return world


def _today():
    return timezone.localdate()


# --- departments and resources ------------------------------------------------------------


def test_seventeen_departments_share_seventy_four_resources_publicly(hub):
    assert InformationResource.objects.count() == 74
    assert InformationResource.objects.values("department").distinct().count() == 17
    anonymous = APIClient()
    body = anonymous.get("/api/v1/departments/").json()
    assert body["count"] == 17 and sum(d["resources"] for d in body["results"]) == 74
    found = anonymous.get("/api/v1/resources/", {"q": "残疾人证"}).json()["results"]
    assert [r["department"] for r in found] == ["disabled_federation"]
    assert "civil_affairs" in found[0]["shared_with"] and found[0]["frequency"] == "daily"
    page = Client().get("/resources/", {"q": "不动产"}).content.decode()
    assert "不动产登记信息" in page and "户籍人口信息" not in page


def test_the_demo_seed_runs_twice_and_adds_nothing(hub, accounts):
    hub_demo.seed()
    counts = [
        m.objects.count() for m in (InformationResource, Project, Need, Delivery, ServiceRequest)
    ]
    hub_demo.seed()
    assert counts == [
        m.objects.count() for m in (InformationResource, Project, Need, Delivery, ServiceRequest)
    ]


# --- needs and matching -------------------------------------------------------------------


def test_a_need_without_consent_is_not_recorded(hub, accounts):
    person = Person.objects.filter(household__village__code="371002001001").first()
    with pytest.raises(DomainError) as err:
        organizations.need_record(
            household=person.household,
            person=person,
            service_kind=hub["kinds"]["meal_aid"],
            by=accounts["caseworker"],
            consent=False,
            consent_channel="written",
        )
    assert "consent" in err.value.detail
    assert not Need.objects.exists()


def test_only_the_township_or_village_records_a_need(hub, accounts):
    person = Person.objects.filter(household__village__code="371002001001").first()
    for user in (accounts["caseworker2"], accounts["organization"], accounts["department"]):
        with pytest.raises(DomainError):
            organizations.need_record(
                household=person.household,
                person=person,
                service_kind=hub["kinds"]["meal_aid"],
                by=user,
                consent=True,
                consent_channel="written",
            )


def test_matching_is_by_area_and_service_kind(hub, accounts):
    meal = need_in_zhangcun(accounts, hub["kinds"]["meal_aid"])
    tutoring = need_in_zhangcun(accounts, hub["kinds"]["tutoring"])
    org = hub["org"]  # 慈善总会: 张村镇 meals/cleaning/escort, and city-wide tutoring
    api = APIClient()
    api.force_authenticate(accounts["organization"])
    open_ids = {n["id"] for n in api.get("/api/v1/needs/", {"status": "open"}).json()["results"]}
    assert open_ids == {meal.pk, tutoring.pk}
    # 荣成市颐养助老 serves meals in 荣成市 only: neither need is in its area
    other = org_user(hub["orgs"][3], "rongcheng")
    api.force_authenticate(other)
    assert api.get("/api/v1/needs/").json()["count"] == 0
    tutoring_project = Project.objects.get(organization=org, name__contains="助学")
    with pytest.raises(DomainError) as err:
        organizations.need_take(need=meal, project=tutoring_project, by=accounts["organization"])
    assert "不符" in err.value.message


def test_an_organization_reads_a_need_masked_and_its_details_only_once_taken(hub, accounts):
    need = need_in_zhangcun(accounts, hub["kinds"]["meal_aid"], detail="患糖尿病需低糖饮食")
    api = APIClient()
    api.force_authenticate(accounts["organization"])
    row = api.get(f"/api/v1/needs/{need.pk}/").json()
    assert row["person_name"] != need.person.name and "*" in row["person_name"]
    assert row["place"] == "张村镇" and row["detail"] == ""
    api.post(f"/api/v1/needs/{need.pk}/take/", {"project": hub["project"].pk}, format="json")
    taken = api.get(f"/api/v1/needs/{need.pk}/").json()
    assert taken["status"] == "matched" and taken["detail"] == "患糖尿病需低糖饮食"
    assert taken["person_name"] != need.person.name
    from integrity.models import AccessLog

    assert AccessLog.objects.filter(
        user=accounts["organization"], object_type="person", masked=True
    ).exists()


def test_a_project_takes_no_more_needs_than_its_capacity(hub, accounts):
    project = hub["project"]
    Project.objects.filter(pk=project.pk).update(capacity=1)
    first = need_in_zhangcun(accounts, hub["kinds"]["meal_aid"])
    second = need_in_zhangcun(accounts, hub["kinds"]["cleaning"])
    organizations.need_take(need=first, project=project, by=accounts["organization"])
    with pytest.raises(DomainError) as err:
        organizations.need_take(need=second, project=project, by=accounts["organization"])
    assert "上限" in err.value.message


@pytest.mark.django_db(transaction=True)
def test_two_needs_taken_at_once_never_exceed_capacity(accounts):
    """Two organization sessions take two needs into a project with room for one, at the
    same moment: the project's row lock lets one through."""
    import threading

    from django.db import connections

    hub = seed_hub(accounts)
    enrolled_households(accounts, count=4)
    project = hub["project"]
    Project.objects.filter(pk=project.pk).update(capacity=1)
    needs = [
        need_in_zhangcun(accounts, hub["kinds"]["meal_aid"]),
        need_in_zhangcun(accounts, hub["kinds"]["meal_aid"]),
    ]
    barrier = threading.Barrier(2)
    results = []

    def take(need):
        try:
            barrier.wait()
            organizations.need_take(need=need, project=project, by=accounts["organization"])
            results.append("ok")
        except DomainError:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(n,)) for n in needs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
    assert Need.objects.filter(project=project).count() == 1


# --- deliveries and points ----------------------------------------------------------------


def _taken(hub, accounts, kind="meal_aid") -> Need:
    need = need_in_zhangcun(accounts, hub["kinds"][kind])
    return organizations.need_take(need=need, project=hub["project"], by=accounts["organization"])


def test_a_delivery_earns_the_rate_of_its_kind_once(hub, accounts):
    need = _taken(hub, accounts, "cleaning")
    delivery = organizations.delivery_record(
        need=need, by=accounts["organization"], delivered_on=_today(), note="打扫卫生"
    )
    assert delivery.person == need.person
    entry = PointsEntry.objects.get(delivery=delivery)
    assert entry.points == hub_demo.DELIVERY_POINTS["cleaning"] == entry.balance_after
    with pytest.raises(DomainError) as err:
        organizations.delivery_record(need=need, by=accounts["organization"], delivered_on=_today())
    assert "已记录" in err.value.message
    assert PointsAccount.objects.get(organization=hub["org"]).balance == entry.points


def test_a_delivery_of_another_kind_than_its_need_is_refused(hub, accounts):
    """A 助餐 need is served with 助餐: recording it as 助洁 (a kind the project also gives)
    would let one visit earn under two kinds."""
    need = _taken(hub, accounts, "meal_aid")
    assert hub["project"].service_kinds.filter(code="cleaning").exists()
    with pytest.raises(DomainError) as err:
        organizations.delivery_record(
            need=need,
            by=accounts["organization"],
            delivered_on=_today(),
            service_kind=hub["kinds"]["cleaning"],
        )
    assert "service_kind" in err.value.detail and "一致" in err.value.message
    api = APIClient()
    api.force_authenticate(accounts["organization"])
    body = {"need": need.pk, "delivered_on": str(_today()), "service_kind": "cleaning"}
    response = api.post("/api/v1/deliveries/", body, format="json")
    assert response.status_code == 400 and "service_kind" in response.json()
    assert not Delivery.objects.exists() and not PointsEntry.objects.exists()
    body["service_kind"] = "meal_aid"  # its own kind, named: recorded
    assert api.post("/api/v1/deliveries/", body, format="json").status_code == 201


def test_the_same_person_kind_and_day_earns_once_whatever_the_project(hub, accounts):
    """A person's 助餐 need served today and closed, a new 助餐 need taken by another
    organization's project: the second record of today's 助餐 is refused, one 海贝分 line."""
    first = _taken(hub, accounts, "meal_aid")
    organizations.delivery_record(need=first, by=accounts["organization"], delivered_on=_today())
    organizations.need_close(need=first, by=accounts["organization"])
    other_org = hub["orgs"][1]
    other = org_user(other_org, "chunfeng-two")
    project = organizations.project_publish(
        organization=other_org,
        by=other,
        name="张村镇助餐二期",
        funding="1000.00",
        capacity=5,
        area=hub["project"].area,
        service_kinds=[hub["kinds"]["meal_aid"]],
        starts_on=_today() - dt.timedelta(days=30),
    )
    second = organizations.need_record(
        household=first.household,
        person=first.person,
        service_kind=hub["kinds"]["meal_aid"],
        by=accounts["caseworker"],
        consent=True,
        consent_channel="written",
    )
    second = organizations.need_take(need=second, project=project, by=other)
    with pytest.raises(DomainError) as err:
        organizations.delivery_record(need=second, by=other, delivered_on=_today())
    assert "已记录" in err.value.message and "delivered_on" in err.value.detail
    assert Delivery.objects.filter(person=first.person).count() == 1
    assert PointsEntry.objects.filter(kind="delivery").count() == 1
    assert not PointsAccount.objects.filter(organization=other_org, balance__gt=0).exists()


@pytest.mark.django_db(transaction=True)
def test_two_sessions_recording_the_same_delivery_at_once_record_it_once(accounts):
    """Two organization sessions record the same person's 助餐 of the same day at the same
    moment: the unique constraint lets exactly one through, and one 海贝分 line is written."""
    import threading

    from django.db import connections

    hub = seed_hub(accounts)
    enrolled_households(accounts, count=4)
    need = _taken(hub, accounts, "meal_aid")
    barrier = threading.Barrier(2)
    results = []

    def record():
        try:
            barrier.wait()
            organizations.delivery_record(
                need=need, by=accounts["organization"], delivered_on=_today()
            )
            results.append("ok")
        except DomainError as exc:
            results.append(exc.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "该服务对象当日的此项服务已记录。"]
    assert Delivery.objects.filter(person=need.person).count() == 1
    entry = PointsEntry.objects.get(kind="delivery")
    assert PointsAccount.objects.get(organization=hub["org"]).balance == entry.points


def test_a_new_rate_applies_from_its_date_only(hub, accounts):
    from weijiuni.models import PointsRate

    kind = hub["kinds"]["meal_aid"]
    PointsRate.objects.create(
        event="delivery", service_kind=kind, points=9, effective_from=_today() + dt.timedelta(1)
    )
    assert points.rate_in_force(event="delivery", service_kind=kind, on=_today()) == 5
    assert (
        points.rate_in_force(event="delivery", service_kind=kind, on=_today() + dt.timedelta(1))
        == 9
    )


@pytest.mark.parametrize(
    ("days", "message"), [(1, "晚于今天"), (-4000, "早于")], ids=["future", "before-need"]
)
def test_a_delivery_dated_impossibly_is_refused(hub, accounts, days, message):
    need = _taken(hub, accounts)
    with pytest.raises(DomainError) as err:
        organizations.delivery_record(
            need=need, by=accounts["organization"], delivered_on=_today() + dt.timedelta(days)
        )
    assert message in err.value.message


def test_another_organization_cannot_record_on_a_need_it_did_not_take(hub, accounts):
    need = _taken(hub, accounts)
    other = org_user(hub["orgs"][1], "chunfeng")
    with pytest.raises(DomainError):
        organizations.delivery_record(need=need, by=other, delivered_on=_today())
    api = APIClient()
    api.force_authenticate(other)
    response = api.post(
        "/api/v1/deliveries/", {"need": need.pk, "delivered_on": str(_today())}, format="json"
    )
    assert response.status_code == 400 and not Delivery.objects.exists()


def test_points_are_exchanged_and_an_exchange_past_the_balance_is_refused(hub, accounts):
    org = hub["org"]
    need = _taken(hub, accounts, "medical_escort")
    organizations.delivery_record(need=need, by=accounts["organization"], delivered_on=_today())
    cheap = Benefit.objects.create(name="测试券", points=10, stock=1)
    entry = points.points_exchange(organization=org, benefit=cheap, by=accounts["organization"])
    assert entry.points == -10 and entry.balance_after == 5
    cheap.refresh_from_db()
    assert cheap.stock == 0
    with pytest.raises(DomainError) as err:  # none left
        points.points_exchange(organization=org, benefit=cheap, by=accounts["organization"])
    assert "兑完" in err.value.message
    dear = Benefit.objects.get(points=100)
    with pytest.raises(DomainError) as err:
        points.points_exchange(organization=org, benefit=dear, by=accounts["organization"])
    assert "余额不足" in err.value.message
    assert PointsAccount.objects.get(organization=org).balance == 5
    with pytest.raises(DomainError):  # another organization's account
        points.points_exchange(
            organization=hub["orgs"][1], benefit=cheap, by=accounts["organization"]
        )


def test_the_ledger_is_insert_only_and_never_negative_in_the_database(hub, accounts):
    from django.db import IntegrityError, InternalError, transaction

    need = _taken(hub, accounts)
    organizations.delivery_record(need=need, by=accounts["organization"], delivered_on=_today())
    entry = PointsEntry.objects.get()
    with pytest.raises(InternalError), transaction.atomic():
        PointsEntry.objects.filter(pk=entry.pk).update(points=500)
    with pytest.raises(InternalError), transaction.atomic():
        PointsEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(organization=hub["org"]).update(balance=-1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_exchanges_never_take_the_balance_below_zero(accounts):
    """Four sessions exchange 60 points each from a balance of 150 at the same moment: two
    succeed, two are refused, and the ledger adds up to the balance (real transactions in
    threads, meeting on a barrier)."""
    import threading

    from django.db import connections

    hub = seed_hub(accounts)
    org = hub["org"]
    account = PointsAccount.objects.create(organization=org, balance=0)
    # seed the balance as a project would earn it: a ledger line with the balance after it
    project = hub["project"]
    PointsEntry.objects.create(
        account=account,
        kind="project",
        points=150,
        balance_after=150,
        project=project,
        created_by=accounts["admin"],
    )
    PointsAccount.objects.filter(pk=account.pk).update(balance=150)
    benefit = Benefit.objects.create(name="六十分券", points=60)
    barrier = threading.Barrier(4)
    results = []

    def exchange():
        try:
            barrier.wait()
            points.points_exchange(organization=org, benefit=benefit, by=accounts["organization"])
            results.append("ok")
        except DomainError:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=exchange) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "ok", "refused", "refused"]
    account.refresh_from_db()
    assert account.balance == 30
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(points), min(balance_after) FROM weijiuni_pointsentry")
        total, lowest = cursor.fetchone()
    assert total == 30 and lowest >= 0


def test_a_completed_project_earns_its_points_once_and_takes_no_more_needs(hub, accounts):
    project = organizations.project_complete(project=hub["project"], by=accounts["organization"])
    assert project.status == "completed"
    entry = PointsEntry.objects.get(project=project)
    assert entry.points == hub_demo.PROJECT_POINTS
    with pytest.raises(DomainError):
        organizations.project_complete(project=project, by=accounts["organization"])
    need = need_in_zhangcun(accounts, hub["kinds"]["meal_aid"])
    with pytest.raises(DomainError):
        organizations.need_take(need=need, project=project, by=accounts["organization"])


def test_the_organization_publishes_a_project_through_the_api_with_field_errors(hub, accounts):
    api = APIClient()
    api.force_authenticate(accounts["organization"])
    bad = api.post(
        "/api/v1/projects/",
        {
            "name": "",
            "funding": "-5",
            "capacity": 0,
            "area": "999999",
            "service_kinds": ["nope"],
            "starts_on": "2021-02-30",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert {"name", "funding", "capacity", "area", "service_kinds", "starts_on"} <= set(bad.json())
    ok = api.post(
        "/api/v1/projects/",
        {
            "name": "羊亭镇助洁",
            "funding": "20000.50",
            "capacity": 15,
            "area": "371002002",
            "service_kinds": ["cleaning"],
            "starts_on": "2021-01-01",
            "ends_on": "2020-12-01",
        },
        format="json",
    )
    assert ok.status_code == 400 and "ends_on" in ok.json()
    good = {
        "name": "羊亭镇助洁",
        "funding": "20000.50",
        "capacity": 15,
        "area": "371002002",
        "service_kinds": ["cleaning"],
        "starts_on": "2021-01-01",
    }
    ok = api.post("/api/v1/projects/", good, format="json")
    assert ok.status_code == 201 and ok.json()["funding"] == "20000.50"
    assert Project.objects.get(name="羊亭镇助洁").organization == hub["org"]
    citizen = APIClient()
    citizen.force_authenticate(accounts["citizen"])
    assert citizen.post("/api/v1/projects/", good, format="json").status_code == 400
    assert Project.objects.filter(name="羊亭镇助洁").count() == 1


def test_the_organization_api_shows_its_standing(hub, accounts):
    need = _taken(hub, accounts)
    organizations.delivery_record(need=need, by=accounts["organization"], delivered_on=_today())
    api = APIClient()
    api.force_authenticate(accounts["supervisor"])
    standing = api.get(f"/api/v1/organizations/{hub['org'].pk}/").json()["standing"]
    assert standing["grade"] == 5 and standing["people_served"] == 1 and standing["points"] == 5
    assert Decimal(standing["funding"]) == Decimal("420000.00")


# --- the organization's page ----------------------------------------------------------------


def test_the_organization_page_takes_serves_and_shows_points(hub, accounts):
    need = need_in_zhangcun(accounts, hub["kinds"]["meal_aid"])
    client = Client()
    client.force_login(accounts["organization"])
    html = client.get("/organization/").content.decode()
    assert "可认领的需求" in html and need.person.name not in html
    client.post("/organization/", {"action": "take", "need": need.pk, "project": hub["project"].pk})
    response = client.post(
        "/organization/",
        {"action": "deliver", "need": need.pk, "delivered_on": str(_today()), "note": "送餐"},
        follow=True,
    )
    html = response.content.decode()
    assert "获得海贝分 5 分" in html
    assert 'id="points-balance">5<' in html
    bad = client.post(
        "/organization/",
        {"action": "deliver", "need": need.pk, "delivered_on": "2021-02-31"},
        follow=True,
    )
    assert "请填写正确的服务日期" in bad.content.decode()
    assert client.post("/organization/", {"action": "take", "need": "x\x00"}).status_code == 400


def test_the_department_and_citizen_do_not_reach_the_organization_page(hub, accounts):
    for username in ("department", "citizen", "caseworker"):
        client = Client()
        client.force_login(accounts[username])
        assert client.get("/organization/").status_code == 404


# --- 12349 --------------------------------------------------------------------------------


def _windows():
    return {w.code: w for w in ServiceWindow.objects.all()}


def test_a_call_is_entered_assigned_completed_by_the_provider_and_rated(hub, accounts):
    village = Region.objects.get(code="371002001002")
    request = hotline.request_by_phone(
        by=accounts["caseworker"],
        window=_windows()["emergency"],
        region=village,
        caller_name="李明",
        caller_phone="13806315678",
        description="家中失火",
    )
    # the emergency window's response time (2 hours in the demo data)
    assert abs(request.due_at - request.created_at - dt.timedelta(hours=2)) < dt.timedelta(
        seconds=5
    )
    hotline.request_assign(request=request, provider=hub["org"], by=accounts["caseworker"])
    with pytest.raises(DomainError):  # another organization is not the provider
        hotline.request_complete(request=request, by=org_user(hub["orgs"][2], "wd"), note="x")
    hotline.request_complete(request=request, by=accounts["organization"], note="已送生活用品")
    with pytest.raises(DomainError):  # a phone request is rated by the line's callback
        hotline.request_rate(request=request, by=accounts["organization"], rating=5)
    hotline.request_rate(request=request, by=accounts["caseworker"], rating=4, comment="回访满意")
    request.refresh_from_db()
    assert (request.status, request.rating) == ("completed", 4)
    with pytest.raises(DomainError):
        hotline.request_rate(request=request, by=accounts["caseworker"], rating=5)


def test_a_citizen_files_online_and_rates_their_own(hub, accounts):
    household = Person.objects.filter(household__village__code="371002001002").first().household
    Person.objects.filter(household=household, relation="applicant").update(
        user=accounts["citizen"]
    )
    api = APIClient()
    api.force_authenticate(accounts["citizen"])
    bad = api.post(
        "/api/v1/service-requests/",
        {"window": "nope", "description": "", "phone": "abc"},
        format="json",
    )
    assert bad.status_code == 400 and {"window", "description"} <= set(bad.json())
    bad_phone = api.post(
        "/api/v1/service-requests/",
        {"window": "daily_life", "description": "助餐", "phone": "abc"},
        format="json",
    )
    assert bad_phone.status_code == 400 and "phone" in bad_phone.json()
    made = api.post(
        "/api/v1/service-requests/",
        {"window": "daily_life", "description": "想申请助餐", "phone": "13906310000"},
        format="json",
    )
    assert made.status_code == 201 and made.json()["channel"] == "online"
    request = ServiceRequest.objects.get(pk=made.json()["id"])
    assert request.household == household and request.region == household.village
    staff = APIClient()
    staff.force_authenticate(accounts["caseworker"])
    assigned = staff.post(
        f"/api/v1/service-requests/{request.pk}/assign/", {"provider": hub["org"].pk}, format="json"
    )
    assert assigned.json()["status"] == "assigned"
    provider = APIClient()
    provider.force_authenticate(accounts["organization"])
    seen = provider.get(f"/api/v1/service-requests/{request.pk}/").json()
    assert seen["description"] == "想申请助餐" and "*" in seen["caller_phone"]
    provider.post(f"/api/v1/service-requests/{request.pk}/complete/", {"note": "已安排"})
    assert (
        api.post(f"/api/v1/service-requests/{request.pk}/rate/", {"rating": 9}).status_code == 400
    )
    rated = api.post(f"/api/v1/service-requests/{request.pk}/rate/", {"rating": 5})
    assert rated.json()["rating"] == 5


def test_requests_are_scoped(hub, accounts):
    village = Region.objects.get(code="371002001002")
    request = hotline.request_by_phone(
        by=accounts["caseworker"],
        window=_windows()["daily_life"],
        region=village,
        caller_name="孙桂兰",
        caller_phone="13906311234",
        description="打扫卫生",
    )
    counts = {}
    for username in (
        "caseworker",
        "caseworker2",
        "approver",
        "supervisor",
        "organization",
        "department",
        "citizen",
    ):
        api = APIClient()
        api.force_authenticate(accounts[username])
        counts[username] = api.get("/api/v1/service-requests/").json()["count"]
    assert counts == {
        "caseworker": 1,
        "caseworker2": 0,
        "approver": 1,
        "supervisor": 1,
        "organization": 0,
        "department": 0,
        "citizen": 0,
    }
    with pytest.raises(DomainError):  # 羊亭镇 does not dispatch 张村镇's calls
        hotline.request_assign(request=request, provider=hub["org"], by=accounts["caseworker2"])
    supervisor = APIClient()
    supervisor.force_authenticate(accounts["supervisor"])
    row = supervisor.get(f"/api/v1/service-requests/{request.pk}/").json()
    assert row["caller_name"] == "孙*兰" and row["description"] == ""


def test_the_hotline_page_enters_a_call_and_refuses_bad_input(hub, accounts):
    client = Client()
    client.force_login(accounts["caseworker"])
    assert "登记来电" in client.get("/12349/").content.decode()
    response = client.post(
        "/12349/",
        {
            "action": "phone",
            "window": "daily_life",
            "region": "371002001002",
            "caller_name": "周玉英",
            "caller_phone": "12",
            "description": "陪同就医",
        },
        follow=True,
    )
    assert "电话号码" in response.content.decode() and not ServiceRequest.objects.exists()
    client.post(
        "/12349/",
        {
            "action": "phone",
            "window": "purchased",
            "region": "371002001002",
            "caller_name": "周玉英",
            "caller_phone": "13706319012",
            "description": "陪同就医",
        },
    )
    assert ServiceRequest.objects.get().entered_by == accounts["caseworker"]
    for username in ("department", "organization"):
        other = Client()
        other.force_login(accounts[username])
        assert other.get("/12349/").status_code == 404


# --- staff and training -----------------------------------------------------------------------


def test_staff_and_training_records_are_read_by_oversight_in_scope(hub, accounts):
    hub_demo.seed_staff()
    supervisor = APIClient()
    supervisor.force_authenticate(accounts["supervisor"])
    staff = supervisor.get("/api/v1/staff/").json()
    assert staff["count"] == len(hub_demo.STAFF)
    first = next(s for s in staff["results"] if s["name"] == "张村镇经办人")
    assert first["sessions_attended"] == 3 and first["training_hours"] == "13.0"
    trainings = supervisor.get("/api/v1/trainings/").json()
    assert trainings["count"] == len(hub_demo.TRAININGS)
    approver = APIClient()
    approver.force_authenticate(accounts["approver"])  # 环翠区 only
    assert {s["region"][:6] for s in approver.get("/api/v1/staff/").json()["results"]} == {"371002"}
    for username in ("caseworker", "organization", "citizen"):
        api = APIClient()
        api.force_authenticate(accounts[username])
        assert api.get("/api/v1/staff/").json()["count"] == 0


def _staff_page(user, query=""):
    client = Client()
    client.force_login(user)
    return client.get(f"/hub/staff/{query}", secure=True)


def _names(response) -> list[str]:
    return [row["staff"].name for row in response.context["rows"]]


def test_the_staff_page_lists_the_readers_region_with_training(hub, accounts):
    from weijiuni.models import Attendance, StaffMember

    hub_demo.seed_staff()
    city = _staff_page(accounts["supervisor"])
    assert city.status_code == 200
    assert sorted(_names(city)) == sorted(name for name, *_ in hub_demo.STAFF)
    row = next(r for r in city.context["rows"] if r["staff"].name == "张村镇经办人")
    attended = Attendance.objects.filter(staff=row["staff"]).select_related("session")
    assert row["staff"].sessions_attended == attended.count() == 3
    assert row["staff"].training_hours == sum(a.session.hours for a in attended)
    assert [t["title"] for t in row["sessions"]] == [
        a.session.title for a in attended.order_by("session__held_on")
    ]
    page = city.content.decode()
    assert "社会救助政策与审核确认办法解读" in page and "13.0" in page
    # the county approver: 环翠区's staff only
    county = _staff_page(accounts["approver"])
    expected = StaffMember.objects.filter(region__path__startswith="371000/371002/")
    assert sorted(_names(county)) == sorted(expected.values_list("name", flat=True))
    assert "刘海燕" not in county.content.decode()
    # filters: a township, a post
    township = _staff_page(accounts["supervisor"], "?region=371002001")
    assert sorted(_names(township)) == ["张村镇东村协理员", "张村镇经办人"]
    assistants = _staff_page(accounts["supervisor"], "?kind=village_assistant")
    assert sorted(_names(assistants)) == sorted(
        StaffMember.objects.filter(kind="village_assistant").values_list("name", flat=True)
    )
    both = _staff_page(accounts["approver"], "?region=371002001&kind=township")
    assert _names(both) == ["张村镇经办人"]


def test_a_staff_members_phone_is_masked(hub, accounts):
    hub_demo.seed_staff()
    accounts["caseworker"].phone = "13863105678"
    accounts["caseworker"].save(update_fields=["phone"])
    page = _staff_page(accounts["supervisor"]).content.decode()
    assert "138****5678" in page and "13863105678" not in page


@pytest.mark.parametrize(
    "username", ["caseworker", "village", "department", "organization", "citizen"]
)
def test_other_roles_are_refused_the_staff_page(hub, accounts, username):
    hub_demo.seed_staff()
    assert _staff_page(accounts[username]).status_code == 403
    assert Client().get("/hub/staff/", secure=True).status_code == 302  # to the login page


def test_the_staff_page_is_in_the_menu_of_the_roles_that_read_it(hub, accounts):
    for username, shown in (("supervisor", True), ("approver", True), ("admin", True)):
        client = Client()
        client.force_login(accounts[username])
        assert (
            'href="/hub/staff/"' in client.get("/", secure=True, follow=True).content.decode()
        ) is shown
    client = Client()
    client.force_login(accounts["caseworker"])
    assert 'href="/hub/staff/"' not in client.get("/cases/", secure=True).content.decode()


@pytest.mark.parametrize(
    "query, message",
    [
        ("?page=abc", "页码须为正整数"),
        ("?page=0", "页码须为正整数"),
        ("?page=-1", "页码须为正整数"),
        ("?page=" + "9" * 40, "页码须为正整数"),
        ("?region=999999", "未知的区划代码"),
        ("?region=abc", "未知的区划代码"),
        ("?region=%00", "不允许的字符"),  # the middleware's answer
        ("?region=371083", "不在您的查看范围内"),
        ("?kind=mayor", "未知的岗位"),
    ],
)
def test_bad_staff_filters_are_a_message_not_an_error(hub, accounts, query, message):
    hub_demo.seed_staff()
    response = _staff_page(accounts["approver"], query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_page_past_the_last_shows_the_last(hub, accounts):
    hub_demo.seed_staff()
    response = _staff_page(accounts["supervisor"], "?page=999")
    assert response.status_code == 200 and response.context["page"].number == 1


def test_the_staff_page_reads_one_query_per_page_whatever_the_rows(
    hub, accounts, django_assert_max_num_queries
):
    from weijiuni.models import Attendance, StaffMember, TrainingSession

    hub_demo.seed_staff()
    client = Client()
    client.force_login(accounts["supervisor"])
    with django_assert_max_num_queries(12) as few:
        assert client.get("/hub/staff/", secure=True).status_code == 200
    village = Region.objects.get(code="371002001001")
    more = StaffMember.objects.bulk_create(
        StaffMember(
            name=f"协理员{i}", kind="village_assistant", region=village, started_on=_today()
        )
        for i in range(40)
    )
    for n in range(5):
        session = TrainingSession.objects.create(
            title=f"专题培训{n}",
            held_on=_today(),
            hours=Decimal("2.5"),
            organizer="环翠区民政局",
            region=village.parent,
        )
        Attendance.objects.bulk_create(Attendance(session=session, staff=s) for s in more)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/hub/staff/?page=2", secure=True)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == len(hub_demo.STAFF) + 40 - 30
    assert any(len(r["sessions"]) == 5 for r in rows)


def test_material_plus_service_a_need_rides_on_an_enrollment(hub, accounts):
    need = need_in_zhangcun(accounts, hub["kinds"]["meal_aid"])
    assert need.enrollment is not None and need.enrollment.services.get() == need
    client = Client()
    client.force_login(accounts["caseworker"])
    html = client.get(f"/households/{need.household_id}/").content.decode()
    assert "服务需求（物质+服务）" in html and "随保障提供" in html
    other = Person.objects.filter(household__village__code="371083001001").first()
    with pytest.raises(DomainError):
        organizations.need_record(
            household=need.household,
            person=other,
            service_kind=hub["kinds"]["cleaning"],
            by=accounts["caseworker"],
            consent=True,
            consent_channel="phone",
        )


def test_the_household_needs_page_records_with_consent_only(hub, accounts):
    person = Person.objects.filter(household__village__code="371002001002").first()
    client = Client()
    client.force_login(accounts["village"])
    url = f"/households/{person.household_id}/needs/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"person": person.pk, "service_kind": "meal_aid", "consent_channel": "written"},
        follow=True,
    )
    assert "同意" in response.content.decode() and not Need.objects.exists()
    client.post(
        url,
        {
            "person": person.pk,
            "service_kind": "meal_aid",
            "consent_channel": "written",
            "consent": "1",
        },
    )
    assert Need.objects.get().created_by == accounts["village"]
    outsider = Client()
    outsider.force_login(accounts["caseworker2"])
    assert outsider.get(url).status_code == 404


def test_role_is_the_scope_user_without_organization_sees_nothing(hub, accounts):
    lonely = User.objects.create_user(
        username="lonely", password="x-Long-Passw0rd", role=Role.ORGANIZATION
    )
    need_in_zhangcun(accounts, hub["kinds"]["meal_aid"])
    api = APIClient()
    api.force_authenticate(lonely)
    for url in (
        "/api/v1/needs/",
        "/api/v1/deliveries/",
        "/api/v1/points/",
        "/api/v1/service-requests/",
    ):
        assert api.get(url).json()["count"] == 0, url
    client = Client()
    client.force_login(lonely)
    assert "尚未关联社会组织" in client.get("/organization/").content.decode()


def test_the_demo_leaves_work_for_the_department_and_the_organization(hub, accounts):
    """seed_demo's hub part on enrolled households: referrals waiting in 医保局's inbox (one
    accepted with its benefit), a matched need the demo organization has yet to serve, a
    served one with its points, 12349 calls and staff with their training."""
    from eligibility.models import Referral

    hub_demo.seed()
    medical = Referral.objects.filter(department__code="medical_security")
    assert medical.filter(status="pending").exists()
    assert medical.filter(status="accepted", benefits__isnull=False).exists()
    api = APIClient()
    api.force_authenticate(accounts["organization"])
    statuses = [n["status"] for n in api.get("/api/v1/needs/").json()["results"]]
    # two enrolled households in 张村镇 here: one need served, one taken and waiting
    assert statuses.count("matched") == 2
    assert Delivery.objects.filter(need__status="matched").count() == 1
    assert PointsAccount.objects.get(organization=hub["org"]).balance == 5
    assert ServiceRequest.objects.filter(status="completed", rating=5).exists()
    api.force_authenticate(accounts["supervisor"])
    assert api.get("/api/v1/staff/").json()["count"] == len(hub_demo.STAFF)


def test_the_organization_page_costs_no_query_per_open_need(hub, accounts):
    """The open needs an organization may take each list the projects that fit: read from the
    page's projects, not one query per need."""
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(accounts["organization"])
    need_in_zhangcun(accounts, hub["kinds"]["meal_aid"])
    with CaptureQueriesContext(connection) as one:
        first = client.get("/organization/", secure=True)
    assert first.status_code == 200 and len(first.context["open_needs"]) == 1
    assert first.context["open_needs"][0]["projects"]
    need_in_zhangcun(accounts, hub["kinds"]["meal_aid"])  # the other 张村镇 household
    with CaptureQueriesContext(connection) as two:
        page = client.get("/organization/", secure=True)
    assert len(page.context["open_needs"]) == 2
    assert all(
        row["projects"] == first.context["open_needs"][0]["projects"]
        for row in page.context["open_needs"]
    )
    assert len(two.captured_queries) == len(one.captured_queries)
