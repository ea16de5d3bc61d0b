"""The supervisor's anomaly list in the browser (issue 11 item 6): a payment made after a
recorded death is on the list; the supervisor filters to it, reads it masked, and concludes."""

import re

import pytest

from applicants import masking
from integrity import checks
from integrity.models import AnomalyFinding
from tests.e2e.test_payroll_journey import login, no_error
from tests.integrity.test_anomalies import _plant

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_supervisor_sees_the_payment_to_a_deceased_person_and_confirms_it(page, shot, accounts):
    planted = _plant(accounts)
    checks.checks_run_all()
    dead = planted["dead"]

    login(page, "supervisor")
    page.click("nav.mainnav >> text=资金异常")
    page.wait_for_url(re.compile(r"/oversight/anomalies/"))
    table = page.locator("#anomaly-table")
    assert "死亡后仍发放" in table.inner_text()
    assert "重复享受保障" in table.inner_text()
    shot(page, "1-list")

    # the filter swaps the rows in place (htmx) and keeps the address
    page.select_option("select[name=kind]", "paid_after_death")
    page.wait_for_url(re.compile(r"kind=paid_after_death"))
    page.wait_for_selector("#anomaly-rows >> text=共 1 条")
    assert "重复享受保障" not in page.locator("#anomaly-table").inner_text()

    page.click("#anomaly-table a")
    page.wait_for_url(re.compile(r"/oversight/anomalies/\d+/$"))
    main = page.inner_text("main")
    assert "2021-02" in main and "2021-01-15" in main
    assert masking.mask_name(dead.name) in main and dead.id_number not in main
    assert masking.mask_id_number(dead.id_number) in main
    shot(page, "2-detail")

    page.click("button:has-text('保存结论')")  # nothing chosen: the browser asks first
    assert AnomalyFinding.objects.get(kind="paid_after_death").status == "open"
    page.check("input[name=status][value=confirmed]")
    page.fill("textarea[name=note]", "经核实，死亡后发放两月，已通知镇街追回。")
    page.click("button:has-text('保存结论')")
    page.wait_for_selector("text=核查结论已保存")
    no_error(page)
    assert page.inner_text("#finding-status") == "已查实"
    shot(page, "3-confirmed")
    finding = AnomalyFinding.objects.get(kind="paid_after_death")
    assert finding.status == "confirmed" and finding.resolved_by == accounts["supervisor"]
