"""Payroll in the browser (issue 9): one approver orders the month's payroll and watches it
generate; another approves it, exports the bank file and imports the bank's answer with two
failures; the township corrects an account; the citizen sees the payment."""

import csv
import io
import re

import pytest

from applicants.demo import DEMO_PASSWORD
from applicants.models import Person
from eligibility.services.enrollments import this_month
from payments.models import Batch, Line
from tests.payments.conftest import generate, with_accounts

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


def test_payroll_from_order_to_reconciliation(page, shot, accounts, tmp_path, settings):
    from applicants.demo import seed_accounts
    from eligibility import demo as eligibility_demo
    from tests.eligibility.enrollments import make_enrollments

    settings.PAYMENTS_OUTBOX = tmp_path
    eligibility_demo.seed()
    seed_accounts()  # approver2 too
    make_enrollments(count=12, admin=accounts["admin"])
    with_accounts()
    month = this_month()

    login(page, "approver2")
    page.goto("/payroll/")
    page.select_option("select[name=county]", "371002")
    page.select_option("select[name=month]", f"{month:%Y-%m}")
    page.click("form button.primary")
    page.wait_for_url(re.compile(r"/payroll/\d+/$"))
    assert "生成进度" in page.inner_text("main")
    shot(page, "1-generating")
    generate(Batch.objects.get())  # what the worker does; the page's poll then reloads it
    page.wait_for_selector("text=按镇街合计", timeout=20000)
    assert "生成批次的人不能审批同一批次" in page.inner_text("main")
    shot(page, "2-draft")

    login(page, "approver")
    page.goto(f"/payroll/{Batch.objects.get().pk}/")
    page.click("button[name=action][value=approve]")
    no_error(page)
    page.click("button[name=action][value=export]")
    no_error(page)
    with page.expect_download() as download:
        page.click("text=下载")
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert rows[-1][0] == "T" and int(rows[-1][1]) == 6

    answer = io.StringIO()
    writer = csv.writer(answer)
    for i, (_d, line_id, account, _name, amount, _m, _c) in enumerate(rows[:-1]):
        writer.writerow(["R", line_id, account, amount, ("E1", "E2")[i] if i < 2 else "0", ""])
    writer.writerow(rows[-1])
    return_file = tmp_path / "return.csv"
    return_file.write_text(answer.getvalue(), encoding="utf-8")
    page.set_input_files("input[type=file]", str(return_file))
    page.click("button[name=action][value=return]")
    no_error(page)
    assert "成功 4 笔，失败 2 笔" in page.inner_text(".messages")
    assert "已对账" in page.inner_text("main")
    shot(page, "3-reconciled")

    login(page, "caseworker")
    page.goto("/payroll/outstanding/")
    assert "账号有误" in page.inner_text("main") and "账户已销户" in page.inner_text("main")
    failed = Line.objects.filter(status="failed").order_by("pk").first()
    form = page.locator(f"form:has(input[name=line][value='{failed.pk}'])")
    form.locator("input[name=bank_account]").fill("6217000099998888")
    form.locator("button").click()
    no_error(page)
    assert Person.objects.get(pk=failed.payee_id).bank_account == "6217000099998888"
    shot(page, "4-corrected")

    Person.objects.filter(pk=failed.payee_id).update(user=accounts["citizen"])
    login(page, "citizen")
    page.goto("/my/payments/")
    text = page.inner_text("main")
    assert "发放失败" in text and str(failed.amount) in text
    assert "6217000099998888" not in text
    shot(page, "5-citizen")
