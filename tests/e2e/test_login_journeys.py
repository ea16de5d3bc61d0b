"""Every demo account logs in through the browser and lands on its own start page."""

import pytest

from applicants.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANDINGS = [
    # staff land on their work (issue 13): the inbox, the approver's "awaiting my decision"
    ("caseworker", "/cases/", "办件箱"),
    ("approver", "/cases/", "待我审批"),
    ("supervisor", "/dashboard/", "城市督导看板"),
    ("department", "/department/", "部门工作台"),
    ("organization", "/organization/", "社会组织工作台"),
    ("citizen", "/my/", "我的家庭"),
    ("admin", "/dashboard/", "城市督导看板"),
]


def login(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit].primary")


@pytest.mark.parametrize(("username", "path", "heading"), LANDINGS)
def test_demo_account_logs_in_and_lands_on_its_page(page, shot, accounts, username, path, heading):
    from applicants.demo import seed_households

    seed_households(count=40)
    login(page, username)
    page.wait_for_url(f"**{path}")
    assert page.locator("h1").first.inner_text() == heading
    shot(page, username)


def test_supervisor_dashboard_draws_its_chart_from_local_assets(page, shot, accounts):
    from applicants.demo import seed_households
    from weijiuni.dashboard.build import summaries_rebuild

    seed_households(count=40)
    summaries_rebuild(reason="test")
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    login(page, "supervisor")
    page.wait_for_selector('[data-chart="households_regions"] svg')
    assert all(url.startswith(page.url.split("/dashboard")[0]) for url in requests)
    shot(page, "dashboard")


def test_caseworker_sees_a_chinese_error_for_a_wrong_id_number(page, shot, accounts):
    login(page, "caseworker")
    page.wait_for_url("**/cases/")
    page.goto("/households/")
    page.click("text=登记新家庭")
    page.select_option("select[name=village]", index=1)
    page.fill("input[name=m-0-name]", "王秀英")
    page.fill("input[name=m-0-id_number]", "371002195803021230")
    page.select_option("select[name=m-0-relation]", "applicant")
    page.click("button[type=submit].primary")
    assert page.locator(".error", has_text="校验位不正确").is_visible()
    assert page.input_value("input[name=m-0-name]") == "王秀英"
    shot(page, "wrong-id")
