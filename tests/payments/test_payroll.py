"""Monthly payroll (issue 9): one line per enrollment and month from the ledger, whatever runs
twice; held lines with their reason; four-eyes approval; back-pay and receivables."""

from decimal import Decimal

import pytest

from applicants.errors import DomainError
from applicants.models import Person
from eligibility.models import Enrollment
from eligibility.selectors import amounts_due
from eligibility.services.enrollments import add_months, this_month
from payments.models import Batch, BatchChunk, Line, Receivable
from payments.services import batches
from tests.payments.conftest import HUANCUI, county, generate, ledger_row, payroll

pytestmark = pytest.mark.django_db

M = this_month()
PREV = add_months(M, -1)


def huancui_enrollments():
    return Enrollment.objects.filter(household__village__path__startswith="371000/371002/")


def test_one_line_per_enrollment_with_the_ledger_amount(enrolled, approvers):
    batch = payroll(approvers[0], M)
    lines = Line.objects.filter(batch=batch)
    due = amounts_due(
        month=M, enrollment_ids=list(huancui_enrollments().values_list("pk", flat=True))
    )
    assert {line.enrollment_id: line.amount for line in lines} == due
    assert len(due) == 6
    assert all(
        line.kind == Line.Kind.REGULAR and line.status == Line.Status.PENDING for line in lines
    )
    assert all(line.township.parent.code == HUANCUI for line in lines)
    assert batch.state == Batch.State.DRAFT
    assert batch.line_count == 6
    assert batch.total_amount == sum(due.values())
    # the payee is the household's applicant, with the account on their social-security card
    line = lines.first()
    payee = Person.objects.get(household=line.household, relation="applicant")
    assert (line.payee_id, line.bank_account) == (payee.pk, payee.bank_account)


def test_ordering_and_generating_twice_gives_one_set_of_lines(enrolled, approvers):
    first = payroll(approvers[0], M, chunk_size=2)
    assert first.chunks_total >= 3
    again = batches.batch_start(county=county(), month=M, user=approvers[0])
    assert again.pk == first.pk
    # a chunk done again (a task delivered twice) writes nothing
    BatchChunk.objects.filter(batch=first).update(done=False)
    Batch.objects.filter(pk=first.pk).update(chunks_done=0)
    Batch.objects.filter(pk=first.pk).update(state=Batch.State.GENERATING)
    generate(first)
    assert Line.objects.filter(batch=first).count() == 6
    assert Batch.objects.filter(county=county(), month=M).count() == 1


def test_new_enrollment_starts_next_month_and_an_exit_stops_it(enrolled, approvers):
    enrollments = list(huancui_enrollments().order_by("pk"))
    Enrollment.objects.filter(pk=enrollments[0].pk).update(start_month=add_months(M, 1))
    Enrollment.objects.filter(pk=enrollments[1].pk).update(end_month=PREV, status="stopped")
    batch = payroll(approvers[0], M)
    paid = set(Line.objects.filter(batch=batch).values_list("enrollment_id", flat=True))
    assert enrollments[0].pk not in paid
    assert enrollments[1].pk not in paid
    assert len(paid) == 4


def test_lines_without_account_deceased_or_non_positive_are_held_with_reason(enrolled, approvers):
    one, two, three, *_ = huancui_enrollments().order_by("pk")
    Person.objects.filter(household=one.household, relation="applicant").update(bank_account="")
    Person.objects.filter(household=two.household, relation="applicant").update(status="deceased")
    ledger_row(three, Decimal("0.00"), PREV, "测试：降为零")
    batch = payroll(approvers[0], M)
    held = {
        line.enrollment_id: line.hold_reason
        for line in Line.objects.filter(batch=batch, status=Line.Status.HELD)
    }
    assert held == {
        one.pk: Line.Hold.NO_ACCOUNT,
        two.pk: Line.Hold.DECEASED,
        three.pk: Line.Hold.NOT_POSITIVE,
    }
    assert batch.held_count == 3 and batch.line_count == 3


def test_four_eyes_approval(enrolled, approvers, accounts):
    orderer, other = approvers
    batch = payroll(orderer, M)
    with pytest.raises(DomainError, match="生成批次的人不能审批"):
        batches.batch_approve(batch=batch, user=orderer)
    with pytest.raises(DomainError):
        batches.batch_approve(batch=batch, user=accounts["caseworker"])
    with pytest.raises(DomainError):
        batches.batch_approve(batch=batch, user=accounts["supervisor"])
    approved = batches.batch_approve(batch=batch, user=other)
    assert approved.state == Batch.State.APPROVED and approved.approved_by == other
    assert batches.batch_approve(batch=batch, user=other).state == Batch.State.APPROVED


def test_only_the_county_orders_its_payroll(enrolled, accounts):
    for user in (accounts["caseworker"], accounts["supervisor"], accounts["citizen"]):
        with pytest.raises(DomainError):
            batches.batch_start(county=county(), month=M, user=user)
    with pytest.raises(DomainError):  # 环翠区's approver, 乳山市's payroll
        batches.batch_start(county=county("371083"), month=M, user=accounts["approver"])
    with pytest.raises(DomainError, match="本月或下月"):
        batches.batch_start(county=county(), month=add_months(M, 2), user=accounts["approver"])
    assert not Batch.objects.exists()


def test_a_raise_dated_in_a_paid_month_is_back_paid_itemised(enrolled, approvers):
    two_ago = add_months(M, -2)
    payroll(approvers[0], two_ago)
    payroll(approvers[0], PREV)
    target = huancui_enrollments().order_by("pk").first()
    before = amounts_due(month=PREV, enrollment_ids=[target.pk])[target.pk]
    ledger_row(target, before + 100, two_ago, "测试：追溯上调")
    batch = payroll(approvers[0], M)
    backpay = Line.objects.filter(batch=batch, kind=Line.Kind.BACKPAY, enrollment=target)
    assert sorted((b.month, b.amount) for b in backpay) == [
        (two_ago, Decimal("100.00")),
        (PREV, Decimal("100.00")),
    ]
    regular = Line.objects.get(batch=batch, kind=Line.Kind.REGULAR, enrollment=target)
    assert regular.amount == before + 100
    # the next month finds nothing more to back-pay
    nxt = payroll(approvers[0], add_months(M, 1))
    assert not Line.objects.filter(batch=nxt, kind=Line.Kind.BACKPAY).exists()


def test_a_cut_dated_in_a_paid_month_becomes_a_receivable_offset_from_the_next_line(
    enrolled, approvers
):
    payroll(approvers[0], PREV)
    target = huancui_enrollments().order_by("pk").first()
    before = amounts_due(month=PREV, enrollment_ids=[target.pk])[target.pk]
    ledger_row(target, before - 50, PREV, "测试：追溯下调")
    batch = payroll(approvers[0], M)
    receivable = Receivable.objects.get(enrollment=target)
    assert receivable.reason == Receivable.Reason.RETROACTIVE
    assert [(i.month, i.amount) for i in receivable.items.all()] == [(PREV, Decimal("50.00"))]
    line = Line.objects.get(batch=batch, kind=Line.Kind.REGULAR, enrollment=target)
    assert (line.due_amount, line.withheld, line.amount) == (before - 50, 50, before - 100)
    receivable.refresh_from_db()
    assert receivable.balance == 0 and receivable.status == Receivable.Status.SETTLED
    # nothing recovered twice
    nxt = payroll(approvers[0], add_months(M, 1))
    assert Receivable.objects.filter(enrollment=target).count() == 1
    assert Line.objects.get(batch=nxt, enrollment=target).withheld == 0


def test_a_stop_dated_back_recovers_the_months_paid_after_it(enrolled, approvers):
    payroll(approvers[0], PREV)
    target = huancui_enrollments().order_by("pk").first()
    paid = Line.objects.get(enrollment=target, month=PREV).amount
    Enrollment.objects.filter(pk=target.pk).update(end_month=add_months(M, -2), status="stopped")
    payroll(approvers[0], M)
    receivable = Receivable.objects.get(enrollment=target)
    assert [(i.month, i.amount) for i in receivable.items.all()] == [(PREV, paid)]
    assert not Line.objects.filter(enrollment=target, month=M).exists()


def test_line_arithmetic_is_checked_by_the_database(enrolled, approvers):
    from django.db import IntegrityError, transaction

    batch = payroll(approvers[0], M)
    line = Line.objects.filter(batch=batch).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Line.objects.filter(pk=line.pk).update(amount=line.amount + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Line.objects.create(
            batch=batch,
            kind=Line.Kind.REGULAR,
            enrollment=line.enrollment,
            household=line.household,
            township=line.township,
            category="dibao",
            month=M,
            due_amount=1,
            amount=1,
            status="pending",
        )


def test_a_county_generates_one_batch_at_a_time(enrolled, approvers):
    batches.batch_start(county=county(), month=PREV, user=approvers[0])  # still generating
    with pytest.raises(DomainError, match="正在生成"):
        batches.batch_start(county=county(), month=M, user=approvers[0])
    with pytest.raises(DomainError, match="正在生成"):
        batches.batch_start(county=county(), month=M, user=approvers[0], kind="one_off")
    # another county is not held up
    other = batches.batch_start(
        county=county("371083"),
        month=M,
        user=approvers[0].__class__.objects.create(
            username="rs", role="approver", region=county("371083")
        ),
    )
    assert other.state == Batch.State.GENERATING
