"""The hub in the browser (issue 12): as ``department`` (医保局) a referral arrives when the
county approves a household, and is accepted and its benefit recorded; as ``organization``
a matched need is served and the points appear in the ledger; the public policy catalog is
searched in Chinese without logging in."""

import re

import pytest

from applicants.demo import DEMO_PASSWORD
from eligibility.models import Referral
from weijiuni.models import Delivery, PointsAccount

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def no_error(page):
    assert page.locator(".messages .error").count() == 0, page.locator(".messages").inner_text()


def test_a_referral_arrives_at_the_department_and_is_accepted(page, shot, accounts):
    from tests.applicants.test_roles_table import build
    from tests.weijiuni.hub_helpers import seed_hub

    seed_hub(accounts)
    login(page, "department")
    assert "暂无转介" in page.inner_text("#referrals")
    ctx = build("enrolled", accounts)  # the county approves a 低保 household in 东村
    referral = Referral.objects.get(household=ctx["household"], policy__code="medical_assistance")

    page.goto("/department/")
    row = page.locator(f"#referral-{referral.pk}")
    assert "医疗救助" in row.inner_text() and "待接收" in row.inner_text()
    applicant = ctx["members"][0].name
    assert applicant not in page.inner_text("main")  # masked for the department
    assert "张村镇" in row.inner_text()
    shot(page, "1-inbox")
    row.locator("button[value=accept]").click()
    page.wait_for_load_state()
    no_error(page)
    assert "已接收转介" in page.inner_text(".messages")

    page.goto("/department/?status=accepted")
    row = page.locator(f"#referral-{referral.pk}")
    row.locator("summary", has_text="登记落实待遇").click()
    row.locator("input[name=description]").fill("资助参加城乡居民基本医疗保险")
    row.locator("input[name=amount]").fill("280")
    row.locator("button[value=benefit]").click()
    page.wait_for_load_state()
    no_error(page)
    shot(page, "2-benefit")
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert referral.benefits.get().description == "资助参加城乡居民基本医疗保险"

    login(page, "caseworker")  # the household file shows it
    page.goto(f"/households/{ctx['household'].pk}/")
    policies = page.inner_text("#policies")
    assert "医疗保障局" in policies and "资助参加城乡居民基本医疗保险" in policies


def test_the_organization_serves_a_matched_need_and_earns_points(page, shot, accounts):
    from tests.weijiuni.hub_helpers import enrolled_households, need_in_zhangcun, seed_hub
    from weijiuni.services import organizations

    hub = seed_hub(accounts)
    enrolled_households(accounts, count=2)
    taken = need_in_zhangcun(accounts, hub["kinds"]["medical_escort"], detail="每月复诊")
    organizations.need_take(need=taken, project=hub["project"], by=accounts["organization"])
    waiting = need_in_zhangcun(accounts, hub["kinds"]["meal_aid"])

    login(page, "organization")
    assert page.url.endswith("/organization/")
    assert "每月复诊" in page.inner_text("#matched")  # the taken need's details
    assert taken.person.name not in page.inner_text("main")  # the name stays masked
    shot(page, "1-work")
    page.locator(f"#need-{taken.pk} input[name=note]").fill("陪同到区医院复诊")
    page.locator(f"#need-{taken.pk} button[value=deliver]").click()
    page.wait_for_load_state()
    no_error(page)
    assert "获得海贝分 15 分" in page.inner_text(".messages")
    assert page.inner_text("#points-balance") == "15"
    ledger = page.inner_text("#points")
    assert "+15" in ledger and "服务积分" in ledger
    shot(page, "2-points")

    # an open need in the project's area and kinds is taken from the matching list
    page.locator("#open-needs button[value=take]").click()
    page.wait_for_load_state()
    no_error(page)
    assert f"need-{waiting.pk}" in page.content()
    assert Delivery.objects.get().person == taken.person
    assert PointsAccount.objects.get(organization=hub["org"]).balance == 15


def test_the_public_searches_the_policy_catalog_in_chinese(page, accounts):
    from tests.weijiuni.hub_helpers import seed_hub

    seed_hub(accounts)
    page.goto("/policies/")
    page.fill("input[name=q]", "残疾")
    page.click("form[role=search] button")
    page.wait_for_url(re.compile(r"q="))
    table = page.inner_text("table.policies")
    assert "残疾人两项补贴" in table and "教育救助" not in table
    page.goto("/resources/?q=户籍")
    assert "户籍人口信息" in page.inner_text("table.resources")
