"""A deliberate fraud in the browser (issue 11): the county approver establishes it on the
household's file from the months it was paid (nothing retyped) with a fine of 2 times; the
dishonesty register shows it with what was recovered; the credit export has its line; the
recorded person's new application carries the flag for the caseworker (一处失信，处处受限)."""

import csv
import io
import re
from decimal import Decimal

import pytest

from applicants.models import User
from integrity.models import DishonestyRecord
from payments.models import Line, Receivable
from tests.e2e.test_payroll_journey import login, no_error

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_fraud_ends_in_a_record_a_recovery_an_export_line_and_a_flag(
    page, shot, accounts, tmp_path, settings
):
    from applicants import applications as intake
    from applicants.demo import seed_accounts
    from eligibility import demo as eligibility_demo
    from payments.services import bankfiles, batches
    from tests.applicants.test_roles_table import _draft_data
    from tests.eligibility.enrollments import make_enrollments
    from tests.payments.conftest import payroll, with_accounts
    from tests.payments.test_bank_files import PREV, return_file

    settings.PAYMENTS_OUTBOX = tmp_path
    eligibility_demo.seed()
    seed_accounts()
    make_enrollments(count=8, admin=accounts["admin"])
    with_accounts()
    approver = accounts["approver"]
    approver2 = User.objects.get(username="approver2")
    batch = batches.batch_approve(batch=payroll(approver, PREV), user=approver2)
    bank_file = bankfiles.batch_export(batch=batch, user=approver).bank_files.get()
    bankfiles.bank_file_reconcile(bank_file=bank_file, data=return_file(bank_file), user=approver)
    line = (
        Line.objects.filter(status="paid", household__village__code__startswith="371002001")
        .select_related("household")
        .first()
    )
    household = line.household
    applicant = household.members.get(relation="applicant")

    login(page, "approver")
    page.goto(f"/households/{household.pk}/")
    page.click("#recovery")
    page.wait_for_url(re.compile(rf"/households/{household.pk}/recovery/$"))
    key = f"{PREV:%Y-%m}"
    assert page.input_value(f"#amount-{key}") == str(line.amount)  # pre-filled from the payroll
    page.check(f"#month-{key}")
    page.select_option("#reason", "fraud")
    page.fill("#fine_multiple", "4")  # beyond the standard: refused, the form kept
    page.fill("#note", "隐瞒子女经商收入，虚报家庭人口")
    page.click("#record-form button[type=submit]")
    assert "罚款倍数应在 1 至 3 倍之间" in page.inner_text(".messages")
    assert page.input_value("#note") == "隐瞒子女经商收入，虚报家庭人口"
    assert page.is_checked(f"#month-{key}")
    assert not Receivable.objects.exists()
    shot(page, "1-refused-kept")

    page.fill("#fine_multiple", "2")
    page.click("#record-form button[type=submit]")
    no_error(page)
    assert "已记入失信记录" in page.inner_text(".messages")
    receivable = Receivable.objects.get(household=household)
    assert receivable.fine_amount == line.amount * 2

    # the household returns half
    half = (line.amount / 2).quantize(Decimal("0.01"))
    page.click(f"#receivable-{receivable.pk} summary")
    page.fill(f"#repay-amount-{receivable.pk}", str(half))
    page.click(f"#receivable-{receivable.pk} button[type=submit]")
    no_error(page)
    assert "已登记退回" in page.inner_text(".messages")
    shot(page, "2-recorded")

    page.goto("/oversight/dishonesty/")
    row = page.locator("#dishonesty tbody tr", has_text="隐瞒子女经商收入").inner_text()
    assert applicant.name in row and str(line.amount) in row and str(half) in row
    with page.expect_download() as download:
        page.click("#credit-csv")
    exported = open(download.value.path(), encoding="utf-8-sig").read()
    lines = [r for r in csv.reader(io.StringIO(exported)) if applicant.id_number in r]
    assert len(lines) == 1
    shot(page, "3-register")

    # the recorded applicant files again: the caseworker sees the flag
    again = intake.application_draft_save(
        by=accounts["caseworker"], data=_draft_data(household, requested="temporary")
    )
    login(page, "caseworker")
    page.goto("/cases/?state=draft")
    assert page.locator(f"tr:has(a[href='/cases/{again.pk}/']) .flag-dishonesty").count() == 1
    page.click(f"a[href='/cases/{again.pk}/']")
    assert "一处失信，处处受限" in page.inner_text("#dishonesty-flag")
    shot(page, "4-flag")
    assert DishonestyRecord.objects.filter(household=household).count() == 1
