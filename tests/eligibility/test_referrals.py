"""政策找人 (SPEC §3, §10; issue 12 item 2): entering a category refers the household to every
policy serving it, in its owning department; that department's officer — and no one else —
accepts, declines with a reason or records the benefit; the household file shows every policy
it receives; a department reads the household masked, and the read is logged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from applicants.errors import DomainError
from applicants.models import Role, User
from eligibility.models import Enrollment, Policy, Referral, ReferralBenefit
from eligibility.services import referrals
from integrity.models import AccessLog
from tests.weijiuni.hub_helpers import enrolled_households, seed_hub

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub(accounts):
    return seed_hub(accounts)


@pytest.fixture
def referred(accounts, hub):
    """Enrolled 低保 households referred as the approval refers them."""
    enrollments = enrolled_households(accounts, count=4)
    for e in enrollments:
        referrals.referrals_for_enrollments(enrollments=[e])
    return enrollments


def _medical(household) -> Referral:
    return Referral.objects.get(household=household, policy__code="medical_assistance")


def test_the_county_approval_refers_the_household_to_every_policy_serving_its_category(
    accounts, hub
):
    from tests.applicants.test_roles_table import build

    ctx = build("enrolled", accounts)
    household = ctx["household"]
    codes = set(Referral.objects.filter(household=household).values_list("policy__code", flat=True))
    serving = set(
        Policy.objects.filter(is_active=True, categories__code="dibao").values_list(
            "code", flat=True
        )
    )
    assert "medical_assistance" in codes and "legal_aid" in codes
    # 低保金 is what the enrollment itself pays: nobody is referred to it
    assert codes == serving - {"dibao_allowance"}
    assert set(Referral.objects.values_list("status", flat=True)) == {"pending"}
    medical = _medical(household)
    assert medical.department.code == "medical_security"
    assert medical.enrollment == household.enrollments.get()


def test_a_second_category_refers_nobody_twice_to_the_same_policy(accounts, hub, referred):
    enrollment = referred[0]
    before = Referral.objects.filter(household=enrollment.household).count()
    referrals.referrals_for_enrollments(enrollments=[enrollment])
    assert Referral.objects.filter(household=enrollment.household).count() == before


def test_the_owning_department_accepts_and_records_the_benefit(accounts, hub, referred):
    officer = accounts["department"]  # 医保局
    referral = _medical(referred[0].household)
    referrals.referral_accept(referral=referral, by=officer)
    benefit = referrals.referral_benefit_record(
        referral=referral,
        by=officer,
        given_on=timezone.localdate(),
        description="资助参保",
        amount=Decimal("280.00"),
    )
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.answered_by == officer
    assert benefit.amount == Decimal("280.00")
    with pytest.raises(DomainError):
        referrals.referral_accept(referral=referral, by=officer)  # once


def test_a_benefit_on_a_pending_referral_accepts_it(accounts, hub, referred):
    referral = _medical(referred[0].household)
    referrals.referral_benefit_record(
        referral=referral, by=accounts["department"], given_on=timezone.localdate(), description="x"
    )
    referral.refresh_from_db()
    assert referral.status == "accepted"


def test_declining_needs_a_reason_and_then_gives_nothing(accounts, hub, referred):
    officer = accounts["department"]
    referral = _medical(referred[0].household)
    with pytest.raises(DomainError) as err:
        referrals.referral_decline(referral=referral, by=officer, reason="   ")
    assert "理由" in err.value.message
    referrals.referral_decline(referral=referral, by=officer, reason="已享受职工医保，不重复资助")
    with pytest.raises(DomainError):
        referrals.referral_benefit_record(
            referral=referral, by=officer, given_on=timezone.localdate(), description="x"
        )
    assert not ReferralBenefit.objects.exists()


@pytest.mark.parametrize(
    ("given_on", "amount", "field"),
    [
        (dt.date.today() + dt.timedelta(days=3), None, "given_on"),
        (dt.date(2020, 1, 1), Decimal("-1"), "amount"),
        # beyond the column's 12 digits, before or after the rounding (was a 500)
        (dt.date(2020, 1, 1), Decimal("1e30"), "amount"),
        (dt.date(2020, 1, 1), Decimal("10000000000"), "amount"),
        (dt.date(2020, 1, 1), Decimal("9999999999.995"), "amount"),
        (dt.date(2020, 1, 1), Decimal("NaN"), "amount"),
    ],
)
def test_a_benefit_in_the_future_or_negative_is_refused(
    accounts, hub, referred, given_on, amount, field
):
    referral = _medical(referred[0].household)
    with pytest.raises(DomainError) as err:
        referrals.referral_benefit_record(
            referral=referral,
            by=accounts["department"],
            given_on=given_on,
            description="x",
            amount=amount,
        )
    assert field in err.value.detail


def test_the_departments_page_refuses_an_amount_past_the_column(client, accounts, hub, referred):
    """The department's page takes amounts under 10^10 yuan; 9999999999.995 rounds up to
    10^10, past the column (was a 500): a clear error and nothing recorded."""
    referral = _medical(referred[0].household)
    client.force_login(accounts["department"])
    page = client.post(
        "/department/",
        {
            "action": "benefit",
            "referral": referral.pk,
            "given_on": "2021-01-15",
            "description": "资助参保",
            "amount": "9999999999.995",
        },
        follow=True,
    )
    assert page.status_code == 200 and "金额超出范围" in page.content.decode()
    assert not ReferralBenefit.objects.exists()


def test_no_one_but_the_owning_department_answers(accounts, hub, referred):
    referral = _medical(referred[0].household)
    education = User.objects.create_user(
        username="edu",
        password="x-Long-Passw0rd",
        role=Role.DEPARTMENT,
        department_code="education",
    )
    for user in (education, accounts["caseworker"], accounts["supervisor"], accounts["citizen"]):
        with pytest.raises(DomainError):
            referrals.referral_accept(referral=referral, by=user)
    referral.refresh_from_db()
    assert referral.status == "pending"


def test_the_department_api_lists_its_own_referrals_masked_and_logs_the_read(
    accounts, hub, referred
):
    api = APIClient()
    api.force_authenticate(accounts["department"])
    body = api.get("/api/v1/referrals/").json()
    assert body["count"] == len(referred)  # one 医疗救助 referral per household
    assert {r["department"] for r in body["results"]} == {"medical_security"}
    names = {p.name for e in referred for p in e.household.members.all()}
    row = body["results"][0]
    assert row["applicant"] not in names and "*" in row["applicant"]
    assert "·" not in row["place"]  # the township only, never the village
    assert "id_number" not in row
    log = AccessLog.objects.filter(user=accounts["department"], object_type="household")
    assert log.exists() and all(entry.masked for entry in log)


def test_the_caseworker_reads_referrals_of_the_township_unmasked(accounts, hub, referred):
    api = APIClient()
    api.force_authenticate(accounts["caseworker"])
    body = api.get("/api/v1/referrals/?policy=medical_assistance").json()
    in_zhangcun = [e for e in referred if e.household.village.code.startswith("371002001")]
    assert body["count"] == len(in_zhangcun)
    names = {p.name for e in in_zhangcun for p in e.household.members.all()}
    assert {r["applicant"] for r in body["results"]} <= names


def test_the_api_accepts_declines_and_records_with_field_errors_for_bad_input(
    accounts, hub, referred
):
    api = APIClient()
    api.force_authenticate(accounts["department"])
    first, second = (_medical(e.household) for e in referred[:2])
    assert api.post(f"/api/v1/referrals/{first.pk}/accept/").json()["status"] == "accepted"
    assert api.post(f"/api/v1/referrals/{second.pk}/decline/", {"reason": ""}).status_code == 400
    bad = api.post(
        f"/api/v1/referrals/{first.pk}/benefits/",
        {"given_on": "2021-13-01", "description": "x", "amount": "1e30"},
        format="json",
    )
    assert bad.status_code == 400 and {"given_on", "amount"} <= set(bad.json())
    nul = api.post(f"/api/v1/referrals/{second.pk}/decline/", {"reason": "a\x00b"}, format="json")
    assert nul.status_code == 400
    ok = api.post(
        f"/api/v1/referrals/{first.pk}/benefits/",
        {"given_on": "2021-01-15", "description": "资助参保", "amount": "280"},
        format="json",
    )
    assert ok.status_code == 201 and ok.json()["amount"] == "280.00"
    declined = api.post(f"/api/v1/referrals/{second.pk}/decline/", {"reason": "已有职工医保"})
    assert declined.json()["decline_reason"] == "已有职工医保"
    assert api.post("/api/v1/referrals/99999999999/accept/").status_code == 404


def test_another_department_does_not_see_or_answer_them(accounts, hub, referred):
    education = User.objects.create_user(
        username="edu",
        password="x-Long-Passw0rd",
        role=Role.DEPARTMENT,
        department_code="education",
    )
    api = APIClient()
    api.force_authenticate(education)
    body = api.get("/api/v1/referrals/").json()
    assert {r["policy"] for r in body["results"]} == {"education_assistance"}
    medical = _medical(referred[0].household)
    assert api.post(f"/api/v1/referrals/{medical.pk}/accept/").status_code == 404


def test_the_inbox_page_accepts_declines_and_records(accounts, hub, referred):
    client = Client()
    client.force_login(accounts["department"])
    first, second, third = (_medical(e.household) for e in referred[:3])
    html = client.get("/department/").content.decode()
    assert "政策找人" in html and f"referral-{first.pk}" in html
    client.post("/department/", {"referral": first.pk, "action": "accept"})
    client.post("/department/", {"referral": second.pk, "action": "decline", "reason": ""})
    client.post(
        "/department/",
        {
            "referral": third.pk,
            "action": "benefit",
            "given_on": "not-a-date",
            "description": "x",
        },
    )
    response = client.post(
        "/department/",
        {"referral": "1e99", "action": "accept"},
        follow=True,
    )
    assert "转介不存在" in response.content.decode()
    statuses = dict(Referral.objects.values_list("pk", "status"))
    assert (statuses[first.pk], statuses[second.pk], statuses[third.pk]) == (
        "accepted",
        "pending",
        "pending",
    )


def test_the_household_file_shows_every_policy_it_receives_across_departments(
    accounts, hub, referred
):
    household = next(e.household for e in referred if e.household.village.code == "371002001001")
    medical = _medical(household)
    referrals.referral_benefit_record(
        referral=medical,
        by=accounts["department"],
        given_on=timezone.localdate(),
        description="资助参加基本医疗保险",
    )
    legal = Referral.objects.get(household=household, policy__code="legal_aid")
    referrals.referral_decline(referral=legal, by=accounts["admin"], reason="暂无法律援助需求")
    client = Client()
    client.force_login(accounts["caseworker"])
    html = client.get(f"/households/{household.pk}/").content.decode()
    for text in (
        "享受的政策（跨部门）",
        "医疗保障局",
        "资助参加基本医疗保险",
        "司法局",
        "暂无法律援助需求",
    ):
        assert text in html, text
    assert Enrollment.objects.get(household=household).category.name in html


def test_the_policy_catalog_is_public_and_searched_in_chinese(hub, django_assert_max_num_queries):
    anonymous = APIClient()
    by_terms = anonymous.get("/api/v1/policies/", {"q": "残疾 补贴"}).json()
    assert [p["code"] for p in by_terms["results"]] == ["disability_subsidies"]
    by_department = anonymous.get("/api/v1/policies/", {"q": "医疗保障局"}).json()
    assert [p["code"] for p in by_department["results"]] == ["medical_assistance"]
    by_category = anonymous.get("/api/v1/policies/", {"category": "orphan"}).json()
    assert "orphan_allowance" in [p["code"] for p in by_category["results"]]
    assert anonymous.get("/api/v1/policies/", {"q": "%_%"}).json()["count"] == 0
    page = Client().get("/policies/", {"q": "医疗"}).content.decode()
    assert "医疗救助" in page and "教育救助" not in page
    with django_assert_max_num_queries(3):  # the page of policies and their categories
        anonymous.get("/api/v1/policies/", {"q": "救助"})
