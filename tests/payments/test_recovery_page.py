"""追缴与骗取认定 in the browser's pages (issue 11 item 4): the county approver records a fraud
from the household's paid months (nothing retyped), the dishonesty record follows, the household's
repayments are recorded; the township records a review's overpayment but not fraud; outside scope
a 404; bad input keeps what was typed and saves nothing; two recordings of one month at once
recover it once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from applicants.models import Region, Role
from integrity.models import AccessLog, DishonestyRecord
from payments.models import Line, Receivable, Repayment
from payments.services import bankfiles
from tests.payments.test_bank_files import PREV, exported, return_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(tmp_path, settings):
    settings.PAYMENTS_OUTBOX = tmp_path
    return tmp_path


@pytest.fixture
def paid(enrolled, approvers, outbox):
    """Last month's payroll of 环翠区, paid by the bank: the line of one household."""
    batch = exported(approvers, month=PREV)
    bank_file = batch.bank_files.get()
    bankfiles.bank_file_reconcile(
        bank_file=bank_file, data=return_file(bank_file), user=approvers[0]
    )
    return Line.objects.filter(batch=batch, status=Line.Status.PAID).order_by("pk").first()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(line) -> str:
    return reverse("household_recovery", args=[line.household_id])


def _expected(bad: dict) -> int:
    """A NUL anywhere is refused at the edge (weijiuni.middleware, 400), the rest by the form."""
    return 400 if any("\x00" in str(v) for v in bad.values()) else 200


def _fraud_form(line, **extra) -> dict:
    key = f"{PREV:%Y-%m}"
    return {
        "action": "record",
        "enrollment": str(line.enrollment_id),
        "month": [key],
        f"amount-{key}": str(line.amount),
        "reason": "fraud",
        "fine_multiple": "2",
        "schedule": "repay",
        "note": "隐瞒子女经商收入",
    } | extra


def test_the_approver_records_a_fraud_from_the_paid_months_and_the_register_follows(paid, accounts):
    approver = _client(accounts["approver"])
    page = approver.get(_url(paid))
    assert page.status_code == 200
    html = page.content.decode()
    key = f"{PREV:%Y-%m}"
    # the paid month is offered with what was paid, nothing to retype
    assert f'name="amount-{key}"' in html and f'value="{paid.amount}"' in html
    assert "骗取保障金（记入失信记录）" in html
    # the read of the household's money is in the access log
    assert AccessLog.objects.filter(
        user=accounts["approver"],
        object_type="household",
        object_id=paid.household_id,
        fields__contains="receivables",
    ).exists()

    done = approver.post(_url(paid), _fraud_form(paid), follow=True)
    assert "已记入失信记录" in done.content.decode()
    receivable = Receivable.objects.get(household=paid.household)
    assert receivable.reason == "fraud"
    assert receivable.total == paid.amount
    assert receivable.fine_amount == (paid.amount * 2).quantize(Decimal("0.01"))
    record = DishonestyRecord.objects.get(household=paid.household)
    assert record.amount_obtained == paid.amount
    assert record.source == f"payments.Receivable:{receivable.pk}"

    # the month is recovered in full: it is no longer offered, and posting it again is refused
    again = approver.post(_url(paid), _fraud_form(paid))
    assert "超过当月实际发放金额" in again.content.decode()
    assert Receivable.objects.filter(household=paid.household).count() == 1

    # the household returns part of it
    half = (paid.amount / 2).quantize(Decimal("0.01"))
    approver.post(
        _url(paid),
        {
            "action": "repay",
            "receivable": receivable.pk,
            "amount": str(half),
            "paid_on": dt.date.today().isoformat(),
        },
    )
    receivable.refresh_from_db()
    assert receivable.balance == paid.amount - half
    listed = _client(accounts["approver"]).get(reverse("dishonesty_list")).content.decode()
    assert f'<td class="num">{half}</td>' in listed  # 已追回


def test_bad_input_keeps_what_was_typed_and_saves_nothing(paid, accounts):
    approver = _client(accounts["approver"])
    page = approver.post(_url(paid), _fraud_form(paid, fine_multiple="4"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "罚款倍数应在 1 至 3 倍之间" in html
    assert "隐瞒子女经商收入" in html  # the note typed
    assert 'value="4"' in html
    assert "checked" in html
    for bad in (
        {"month": ["2024-13"]},
        {"month": []},
        {f"amount-{PREV:%Y-%m}": "-5"},
        {f"amount-{PREV:%Y-%m}": "1e400"},
        {f"amount-{PREV:%Y-%m}": "abc\x00"},
        {"note": "x\x00y"},
        {"schedule": "never"},
        {"reason": "retroactive"},
    ):
        answer = approver.post(_url(paid), _fraud_form(paid, **bad))
        assert answer.status_code == _expected(bad), bad
    assert not Receivable.objects.exists()
    assert not DishonestyRecord.objects.exists()

    receivable = approver.post(_url(paid), _fraud_form(paid))
    receivable = Receivable.objects.get()
    for bad in (
        {"amount": str(paid.amount + 1)},
        {"amount": "0"},
        {"amount": "1", "paid_on": (dt.date.today() + dt.timedelta(days=1)).isoformat()},
        {"amount": "1", "paid_on": "yesterday"},
        {"amount": "1", "repay_note": "a\x00b"},
    ):
        form = {"action": "repay", "receivable": receivable.pk, "paid_on": "2026-01-01"} | bad
        answer = approver.post(_url(paid), form)
        assert answer.status_code == _expected(bad), bad
    assert not Repayment.objects.exists()
    # another household's enrollment or receivable through this page: not found
    other_line = Line.objects.exclude(household=paid.household).filter(batch=paid.batch).first()
    answer = approver.post(_url(paid), _fraud_form(paid, enrollment=str(other_line.enrollment_id)))
    assert answer.status_code == 404
    assert Receivable.objects.count() == 1
    other = Line.objects.exclude(household=paid.household).filter(batch=paid.batch).first()
    answer = approver.post(
        reverse("household_recovery", args=[other.household_id]),
        {"action": "repay", "receivable": receivable.pk, "amount": "1", "paid_on": "2026-01-01"},
    )
    assert answer.status_code == 404


def test_the_township_records_a_review_but_not_fraud_and_others_see_nothing(
    paid, accounts, make_user
):
    township = Region.objects.get(pk=paid.household.village.parent_id)
    caseworker = make_user(role=Role.CASEWORKER, region_code=township.code)
    own = _client(caseworker)
    html = own.get(_url(paid)).content.decode()
    assert "登记追缴" in html and 'value="fraud"' not in html
    refused = own.post(_url(paid), _fraud_form(paid))
    assert "区市审批人" in refused.content.decode()
    assert not Receivable.objects.exists()
    own.post(_url(paid), _fraud_form(paid, reason="review", fine_multiple=""))
    assert Receivable.objects.get().reason == "review"
    assert not DishonestyRecord.objects.exists()

    other_code = (
        Region.objects.filter(level=Region.Level.TOWNSHIP).exclude(pk=township.pk).first().code
    )
    stranger = _client(make_user(role=Role.CASEWORKER, region_code=other_code))
    assert stranger.get(_url(paid)).status_code == 404
    assert stranger.post(_url(paid), _fraud_form(paid)).status_code == 404
    citizen = _client(accounts["citizen"])
    assert citizen.get(_url(paid)).status_code == 404

    # the supervisor reads (masked), records nothing
    supervisor = _client(accounts["supervisor"])
    html = supervisor.get(_url(paid)).content.decode()
    assert "追缴记录" in html and 'id="record-form"' not in html
    assert supervisor.post(_url(paid), _fraud_form(paid)).status_code == 404
    assert Receivable.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_recordings_of_one_month_at_once_recover_it_once(paid, accounts, make_user):
    from tests.applicants.test_races import together

    approvers = [accounts["approver"]] + [
        make_user(role=Role.APPROVER, region_code="371002") for _ in range(5)
    ]
    # a review's recovery (no register row, whose own uniqueness would hide the race)
    form = _fraud_form(paid, reason="review", fine_multiple="")
    results = together(lambda i: _client(approvers[i]).post(_url(paid), form).status_code)
    assert all(code in (200, 302) for code in results), results
    assert Receivable.objects.count() == 1
    assert sum(Receivable.objects.values_list("total", flat=True)) == paid.amount
