"""Issue 10, "How it will be checked", in the browser on a real worker: the caseworker asks
every demo source about a household that hides a deposit above the limit; the sources answer
on loopback HTTP (DCI search → ACK → on-search) and by result files; the report shows the
deposit, the proposal turns to "not eligible" for that reason, the stopped bank is listed as
"no answer" (not "nothing found"), and the bank whose result file carries bad rows is listed
on the source page with those rows rejected, line by line. The caseworker then confirms the
figures as found — nothing typed."""

import time

import pytest

from applicants.demo import DEMO_PASSWORD
from tests.eligibility.conftest import catalog  # noqa: F401 - fixture
from tests.eligibility.test_verification_worker import (  # noqa: F401 - fixtures
    _household_records,
    _wait_until_ready,
    silent,
    world,
)

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _login(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()


def test_concealed_deposit_found_not_eligible_no_answer_and_rejected_rows(
    page,
    shot,
    world,  # noqa: F811 - the fixture imported above
    accounts,
):
    from tests.eligibility.verification_helpers import case_waiting_for_verification

    application = case_waiting_for_verification(accounts["caseworker"])
    _household_records()  # 150,000 at a file bank, 40,000 at an HTTP bank, bank-30 stopped
    _wait_until_ready(world())

    _login(page, "caseworker")
    page.goto(f"/cases/{application.pk}/")
    page.click("button[name=action][value=verification_request]")
    page.wait_for_load_state()
    assert "已向全部数据来源发起核对" in page.locator(".messages").inner_text()

    report = page.locator("#verification-report")
    deadline = time.monotonic() + 60
    while "完成" not in report.inner_text():  # the page says it is waiting; the user refreshes
        assert time.monotonic() < deadline, report.inner_text()
        time.sleep(1)
        page.reload()
    text = report.inner_text()
    assert "150000.00" in text and "40000.00" in text  # the concealed deposit and wealth product
    assert "超过上限" in text
    no_answer = page.locator("ul.no-answer").inner_text()
    assert "威海蓝海村镇银行" in no_answer and "未应答" in no_answer  # bank-30: stopped
    proposal = page.locator("section.card", has_text="规则测算").inner_text()
    assert "不符合" in proposal and "金融资产" in proposal
    shot(page, "1-report")

    # the figures start from what was found: confirmed with a summary, nothing retyped
    assert page.input_value("input[name=value_financial]") == "285888.00"
    page.fill("textarea[name=summary]", "核对发现未申报的定期存款和理财")
    page.click("button[name=action][value=verification]")
    page.wait_for_load_state()
    assert "核对结果已确认" in page.locator(".messages").inner_text()
    assert application.verifications.get().financial_assets_found == 285888

    page.goto("/verification/sources/")
    files = page.locator("section.card", has_text="最近的结果文件")
    row = files.locator("tr", has_text="中国工商银行威海分行").first  # bank-01, bad rows
    rejected = row.inner_text()
    for reason in (
        "身份证号码不在本次核对范围内",
        "数值不能为负数",
        "未知的核对项目",
        "重复的记录",
    ):
        assert reason in rejected, rejected
    assert "格式错误" in rejected and "第 " in rejected and "行" in rejected
    assert "gbk" in row.inner_text()
    shot(page, "2-rejected-rows")
