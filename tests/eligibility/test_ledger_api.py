"""The ledger through the API and the pages: confirmation, member changes, amount due."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from applicants.models import Person
from eligibility.models import Enrollment, Review
from eligibility.services import reviews
from tests.eligibility.enrollments import make_enrollments

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(catalog, accounts):
    make_enrollments(count=4, admin=accounts["admin"])
    return Enrollment.objects.select_related("household__village").order_by("id")


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def mine(enrolled):
    """A 张村镇 (环翠区) household: the demo caseworker's and approver's scope."""
    return next(e for e in enrolled if e.household.village.parent.code == "371002001")


def test_reduction_is_proposed_then_confirmed_through_the_api(enrolled, accounts):
    e = mine(enrolled)
    Person.objects.filter(household=e.household, relation="applicant").update(
        monthly_income=Decimal("400.00")
    )
    cw, county = api(accounts["caseworker"]), api(accounts["approver"])
    made = cw.post(
        "/api/v1/reviews/",
        {"household": e.household_id, "kind": "change", "description": "收入增加"},
        format="json",
    )
    assert made.status_code == 201
    pk = made.json()["id"]
    month = timezone.localdate().replace(day=1).isoformat()
    closed = cw.post(
        f"/api/v1/reviews/{pk}/close/",
        {"outcome": "reduce", "reasons": "收入增加", "effective_month": month},
        format="json",
    )
    assert closed.status_code == 200 and closed.json()["awaiting_confirmation"] is True
    e.refresh_from_db()
    before = e.monthly_amount
    refused = cw.post(f"/api/v1/reviews/{pk}/confirm/", {"reasons": "同意"}, format="json")
    assert refused.status_code == 400
    empty = county.post(f"/api/v1/reviews/{pk}/confirm/", {"reasons": ""}, format="json")
    assert empty.status_code == 400 and "reasons" in empty.json()
    ok = county.post(f"/api/v1/reviews/{pk}/confirm/", {"reasons": "同意"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "closed"
    e.refresh_from_db()
    assert e.monthly_amount < before
    due = cw.get(f"/api/v1/enrollments/{e.pk}/due/", {"month": month[:7]}).json()
    assert Decimal(due["amount"]) == e.monthly_amount
    assert cw.get(f"/api/v1/enrollments/{e.pk}/due/", {"month": "2020-13"}).status_code == 400
    old = cw.get(f"/api/v1/enrollments/{e.pk}/due/", {"month": "2020-12"}).json()
    assert old["amount"] is None


def test_supervisor_cannot_open_reviews_or_change_members(enrolled, accounts):
    e = mine(enrolled)
    sup = api(accounts["supervisor"])
    r = sup.post(
        "/api/v1/reviews/",
        {"household": e.household_id, "kind": "death", "description": "x"},
        format="json",
    )
    assert r.status_code in (400, 403)
    person = e.household.members.first()
    r = sup.post(
        "/api/v1/member-changes/",
        {"person": person.pk, "status": "deceased", "on": "2026-01-01", "reason": "x"},
        format="json",
    )
    assert r.status_code in (400, 403)
    assert not Review.objects.exists()
    person.refresh_from_db()
    assert person.status == "living"


def test_member_death_through_the_api_and_the_household_page(client, enrolled, accounts):
    e = next(
        x
        for x in enrolled
        if x.household.village.parent.code == "371002001" and x.household.members.count() >= 2
    )
    spouse = e.household.members.exclude(relation="applicant").first()
    cw = api(accounts["caseworker"])
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    bad = cw.post(
        "/api/v1/member-changes/",
        {"person": spouse.pk, "status": "deceased", "on": future, "reason": "病故"},
        format="json",
    )
    assert bad.status_code == 400 and "on" in bad.json()
    ok = cw.post(
        "/api/v1/member-changes/",
        {
            "person": spouse.pk,
            "status": "deceased",
            "on": timezone.localdate().isoformat(),
            "reason": "病故",
        },
        format="json",
    )
    assert ok.status_code == 201 and ok.json()["review"]
    client.force_login(accounts["caseworker"])
    page = client.get(f"/households/{e.household_id}/").content.decode()
    assert "已死亡" in page and "成员死亡或迁出" in page
    client.force_login(accounts["supervisor"])
    page = client.get(f"/households/{e.household_id}/").content.decode()
    assert "成员死亡或迁出" not in page and "登记并开启复核" not in page


def test_review_page_shows_the_county_its_confirmation_form(client, enrolled, accounts):
    e = mine(enrolled)
    review = reviews.review_report_change(
        household=e.household, by=accounts["caseworker"], kind="change", description="就业"
    )
    client.force_login(accounts["caseworker"])
    month = timezone.localdate().strftime("%Y-%m")
    client.post(
        f"/reviews/{review.pk}/",
        {
            "outcome": "gradual_exit",
            "reasons": "就业",
            "effective_month": month,
            "exit_months": "3",
        },
    )
    review.refresh_from_db()
    assert review.awaiting_confirmation
    assert "确认生效" not in client.get(f"/reviews/{review.pk}/").content.decode()
    client.force_login(accounts["approver"])
    assert "确认生效" in client.get(f"/reviews/{review.pk}/").content.decode()
    client.post(f"/reviews/{review.pk}/", {"action": "confirm", "reasons": "同意渐退"})
    review.refresh_from_db()
    assert review.status == "closed" and review.closed_by == accounts["approver"]
    e.refresh_from_db()
    assert e.end_month is not None


def test_the_admin_household_page_is_an_audited_read(client, enrolled, accounts):
    from integrity.models import AccessLog

    e = enrolled[0]
    client.force_login(accounts["admin"])
    page = client.get(f"/admin/applicants/household/{e.household_id}/change/")
    assert page.status_code == 200
    members = e.household.members.count()
    logged = AccessLog.objects.filter(user=accounts["admin"], channel="admin")
    assert logged.filter(object_type="household", object_id=e.household_id).count() == 1
    assert logged.filter(object_type="person").count() == members


def test_a_work_refusal_review_names_the_member_masked(enrolled, accounts):
    from eligibility.models import WorkRefusal

    e = next(x for x in enrolled if x.household.village.parent.code == "371002001")
    person = e.household.members.order_by("id").first()
    for day in (1, 2, 3):
        reviews.work_refusal_record(
            person=person,
            by=accounts["caseworker"],
            refused_on=dt.date(2021, 3, day),
            offer="保洁员",
        )
    assert WorkRefusal.objects.count() == 3
    review = Review.objects.get(household=e.household)
    assert person.name not in review.reported_change
    sup = api(accounts["supervisor"]).get(f"/api/v1/reviews/{review.pk}/").json()
    assert person.name not in sup["reported_change"]


def test_enrollment_reads_are_logged_masked_or_not(enrolled, accounts):
    from integrity.models import AccessLog

    for username, masked in (("approver", False), ("supervisor", True)):
        client = APIClient()
        client.force_authenticate(accounts[username])
        rows = client.get("/api/v1/enrollments/").json()["results"]
        assert rows
        one = client.get(f"/api/v1/enrollments/{rows[0]['id']}/")
        assert one.status_code == 200
        logged = AccessLog.objects.filter(
            user=accounts[username], object_type="enrollment", masked=masked
        )
        assert logged.count() == len(rows) + 1
