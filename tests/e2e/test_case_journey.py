"""A citizen applies online; the township caseworker takes the case to the public notice; the
notice period passes; the county approver approves; the citizen sees the enrollment."""

import datetime as dt

import pytest
from django.utils import timezone

from applicants.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(accounts):
    from applicants.demo import seed_households
    from eligibility import demo as eligibility_demo

    eligibility_demo.seed()
    seed_households(count=40)
    from applicants.models import User

    return User.objects.get(username="citizen").person.household


def login(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def do(page, action):
    page.click(f"button[name=action][value={action}]")
    page.wait_for_load_state()
    assert page.locator(".messages .error").count() == 0, page.locator(".messages").inner_text()


def test_application_from_citizen_form_to_enrollment(page, shot, demo):
    household = demo
    members = list(household.members.order_by("id"))

    # The citizen applies online, signing for every adult member.
    login(page, "citizen")
    page.goto(f"/apply/?n={len(members)}")
    page.select_option("select[name=village]", household.village.code)
    for i, person in enumerate(members):
        page.select_option(f"select[name=m{i}-relation]", person.relation)
        page.fill(f"input[name=m{i}-name]", person.name)
        page.fill(f"input[name=m{i}-id_number]", person.id_number)
        page.fill(f"input[name=m{i}-monthly_income]", "100")
        page.check(f"input[name=m{i}-signed]")
    shot(page, "1-citizen-form")
    page.click("button[name=action][value=submit]")
    page.wait_for_url("**/applications/*/")
    assert "已提交" in page.inner_text("h1")
    application_url = page.url
    pk = int(application_url.rstrip("/").split("/")[-1])
    shot(page, "2-citizen-submitted")

    # The township caseworker works the case up to the public notice.
    login(page, "caseworker")
    page.goto("/cases/")
    assert page.locator(f"a[href='/cases/{pk}/']").count() == 1
    page.goto(f"/cases/{pk}/")
    do(page, "accept")
    do(page, "verify")
    page.fill("textarea[name=summary]", "银行、不动产、车辆核对无异常")
    do(page, "verification")
    page.fill("input[name=staff1]", "王强")
    page.fill("input[name=staff2]", "赵敏")
    page.fill("textarea[name=findings]", "家庭收入低，居住条件差")
    page.check("input[name=signed]")
    do(page, "survey")
    page.fill("textarea[name=opinion]", "建议纳入低保")
    do(page, "propose")
    shot(page, "3-caseworker-proposed")
    do(page, "open_notice")
    assert "公示中" in page.inner_text("h1")
    shot(page, "4-caseworker-notice")

    # A second township's caseworker cannot see it.
    login(page, "caseworker2")
    response = page.goto(f"/cases/{pk}/")
    assert response.status == 404

    # The 7-day notice passes (time travel), the county approver approves.
    from applicants.models import Application

    Application.objects.filter(pk=pk).update(
        notice_closes_on=timezone.localdate() - dt.timedelta(days=1)
    )
    login(page, "approver")
    page.goto(f"/cases/{pk}/")
    page.fill("textarea[name=reasons]", "经调查核实，家庭人均收入低于低保标准，予以批准")
    do(page, "approve")
    assert "已纳入保障" in page.inner_text("h1")
    shot(page, "5-approver-approved")

    # The citizen sees the enrollment and its amount.
    login(page, "citizen")
    page.goto(application_url)
    enrollment = Application.objects.get(pk=pk).household.enrollments.get()
    assert str(enrollment.monthly_amount) in page.inner_text("body")
    shot(page, "6-citizen-enrolled")
