"""Bank files and reconciliation (issue 9): one file per bank with a control total, a return
file taken whole or not at all, failed lines reissued after the account is corrected."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from applicants.errors import DomainError
from applicants.models import Person
from applicants.services import member_account_set
from eligibility.services.enrollments import add_months, this_month
from payments.models import BankFile, Batch, Line, Receivable
from payments.services import bankfiles, batches, receivables
from tests.payments.conftest import payroll, with_accounts

pytestmark = pytest.mark.django_db

M = this_month()
PREV = add_months(M, -1)


@pytest.fixture
def outbox(tmp_path, settings):
    settings.PAYMENTS_OUTBOX = tmp_path
    return tmp_path


def approved(approvers, month=M) -> Batch:
    batch = payroll(approvers[0], month)
    return batches.batch_approve(batch=batch, user=approvers[1])


def exported(approvers, month=M, encoding="utf-8") -> Batch:
    return bankfiles.batch_export(
        batch=approved(approvers, month), user=approvers[0], encoding=encoding
    )


def read_rows(bank_file: BankFile, encoding="utf-8") -> list[list[str]]:
    data = bankfiles.bank_file_path(bank_file).read_bytes()
    return list(csv.reader(io.StringIO(data.decode(encoding))))


def return_file(
    bank_file: BankFile, failures: dict[int, str] | None = None, *, rows=None, encoding="utf-8"
) -> bytes:
    """The bank's answer: every line paid unless listed in ``failures`` (line id → code)."""
    failures = failures or {}
    if rows is None:
        rows = [r for r in read_rows(bank_file, encoding) if r[0] == "D"]
    out = io.StringIO()
    writer = csv.writer(out)
    total = Decimal("0.00")
    for _d, line_id, account, _name, amount, _month, _cat in rows:
        code = failures.get(int(line_id), "0")
        writer.writerow(
            ["R", line_id, account, amount, code, "" if code in ("0", "E2") else "账户异常"]
        )
        total += Decimal(amount)
    writer.writerow(["T", len(rows), f"{total:.2f}"])
    return out.getvalue().encode(encoding)


def test_one_file_per_bank_with_a_control_total(enrolled, approvers, outbox):
    first = Person.objects.filter(relation="applicant").order_by("pk").first()
    first.bank_name = "中国农业银行威海分行"
    first.save()
    batch = exported(approvers)
    files = {f.bank_name: f for f in batch.bank_files.all()}
    assert set(files) == {"中国农业银行威海分行", "威海市商业银行"}
    lines = Line.objects.filter(batch=batch, status="pending")
    for bank_file in files.values():
        rows = read_rows(bank_file)
        details, control = rows[:-1], rows[-1]
        mine = lines.filter(bank_name=bank_file.bank_name).order_by("pk")
        assert [int(r[1]) for r in details] == [line.pk for line in mine]
        assert [Decimal(r[4]) for r in details] == [line.amount for line in mine]
        assert control == ["T", str(mine.count()), f"{sum(line.amount for line in mine):.2f}"]
        assert bank_file.sha256 and bank_file.line_count == mine.count()
    # exporting twice: the same files
    again = bankfiles.batch_export(batch=batch, user=approvers[0])
    assert again.bank_files.count() == 2


def test_gbk_export_option(enrolled, approvers, outbox):
    batch = exported(approvers, encoding="gbk")
    bank_file = batch.bank_files.get()
    rows = read_rows(bank_file, encoding="gbk")
    assert rows[0][3].startswith("户")  # the payee's Chinese name, in GBK


def test_gbk_refuses_a_name_it_cannot_write(enrolled, approvers, outbox):
    Person.objects.filter(relation="applicant").update(name="王𠀀")  # outside GBK
    batch = approved(approvers)
    with pytest.raises(DomainError, match="GBK"):
        bankfiles.batch_export(batch=batch, user=approvers[0], encoding="gbk")
    assert Batch.objects.get(pk=batch.pk).state == Batch.State.APPROVED


def test_export_needs_approval(enrolled, approvers, outbox):
    batch = payroll(approvers[0], M)
    with pytest.raises(DomainError, match="审批后"):
        bankfiles.batch_export(batch=batch, user=approvers[0])


def test_return_file_marks_paid_and_failed_lines_and_reconciles(
    enrolled, approvers, outbox, django_capture_on_commit_callbacks
):
    batch = exported(approvers)
    bank_file = batch.bank_files.get()
    ids = list(Line.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True))
    data = return_file(bank_file, {ids[0]: "E1", ids[1]: "E2"})
    with django_capture_on_commit_callbacks(execute=True):
        bankfiles.bank_file_reconcile(bank_file=bank_file, data=data, user=approvers[0])
    bank_file.refresh_from_db()
    kept = bankfiles.return_path(bank_file, bank_file.return_sha256)
    assert kept.read_bytes() == data  # the bank's answer, as it came
    statuses = dict(Line.objects.filter(batch=batch).values_list("pk", "failure"))
    assert statuses[ids[0]] == Line.Failure.WRONG_ACCOUNT
    assert statuses[ids[1]] == Line.Failure.CLOSED_ACCOUNT
    assert Line.objects.filter(batch=batch, status="paid").count() == len(ids) - 2
    batch.refresh_from_db()
    assert batch.state == Batch.State.RECONCILED
    # the same file again: nothing changes; a different file: refused
    bankfiles.bank_file_reconcile(bank_file=bank_file, data=data, user=approvers[0])
    with pytest.raises(DomainError, match="已经导入"):
        bankfiles.bank_file_reconcile(
            bank_file=bank_file, data=return_file(bank_file), user=approvers[0]
        )


@pytest.mark.parametrize(
    "spoil, reason",
    [
        (lambda rows: rows[:-1], "回盘"),  # a line missing
        (lambda rows: [*rows, rows[0]], "回盘"),  # a line twice (count then differs)
        (lambda rows: [[*rows[0][:1], "99999999", *rows[0][2:]], *rows[1:]], "没有这些明细"),
        (lambda rows: [[*rows[0][:4], "1.00", *rows[0][5:]], *rows[1:]], "回盘"),
        (lambda rows: [[*rows[0][:2], "6217000000000000", *rows[0][3:]], *rows[1:]], "账号或金额"),
    ],
)
def test_a_return_file_that_does_not_match_is_rejected_whole(
    enrolled, approvers, outbox, spoil, reason
):
    batch = exported(approvers)
    bank_file = batch.bank_files.get()
    rows = [r for r in read_rows(bank_file) if r[0] == "D"]
    with pytest.raises(DomainError, match=reason):
        bankfiles.bank_file_reconcile(
            bank_file=bank_file, data=return_file(bank_file, rows=spoil(rows)), user=approvers[0]
        )
    assert not Line.objects.filter(batch=batch, status__in=["paid", "failed"]).exists()
    assert Batch.objects.get(pk=batch.pk).state == Batch.State.EXPORTED


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "合计行"),
        (b"R,1,2,3\n", "R,明细号"),
        (b"R,1,6217,10.5,0,\nT,1,10.50\n", "两位小数"),
        (b"R,1,6217,10.50,X,\nT,1,10.50\n", "结果代码"),
        (b"R,1,6217,10.50,0,\nT,2,10.50\n", "合计行"),
        ("R,1,6217,10.50,0,\nT,1,10.50\n".encode("utf-16"), "编码"),
        (b"R,1,6217,10.50,0,\x00\nT,1,10.50\n", "非法字符"),
        # str.isdigit() takes "²", which int() refuses (was a 500)
        ("R,²,6217,10.50,0,\nT,1,10.50\n".encode(), "明细号"),
        ("R,1,6217,10.50,0,\nT,²,10.50\n".encode(), "合计行"),
        ("R,1,6217,١٠.٥٠,0,\nT,1,10.50\n".encode(), "金额"),
    ],
)
def test_malformed_return_files_are_refused_with_the_reason(
    enrolled, approvers, outbox, data, reason
):
    batch = exported(approvers)
    with pytest.raises(DomainError, match=reason):
        bankfiles.bank_file_reconcile(
            bank_file=batch.bank_files.get(), data=data, user=approvers[0]
        )


def test_failed_lines_are_reissued_next_month_once_the_account_is_corrected(
    enrolled, approvers, outbox, accounts
):
    batch = exported(approvers, month=PREV)
    bank_file = batch.bank_files.get()
    failed_line = Line.objects.filter(batch=batch).order_by("pk").first()
    bankfiles.bank_file_reconcile(
        bank_file=bank_file, data=return_file(bank_file, {failed_line.pk: "E1"}), user=approvers[0]
    )
    # not corrected yet: no reissue (the same account would fail again)
    nxt = payroll(approvers[0], M)
    assert not Line.objects.filter(batch=nxt, kind=Line.Kind.REISSUE).exists()
    # the township corrects the account; the month after reissues the failed line once
    member_account_set(
        person=failed_line.payee,
        bank_name="威海市商业银行",
        bank_account="6217999988887777",
        by=accounts["caseworker"],
    )
    later = payroll(approvers[0], add_months(M, 1))
    reissue = Line.objects.get(batch=later, kind=Line.Kind.REISSUE)
    assert (reissue.reissue_of_id, reissue.month, reissue.amount) == (
        failed_line.pk,
        failed_line.month,
        failed_line.amount,
    )
    assert reissue.bank_account == "6217999988887777"
    assert payroll(approvers[0], add_months(M, 1)).pk == later.pk
    assert Line.objects.filter(kind=Line.Kind.REISSUE).count() == 1


def test_account_correction_is_validated_and_scoped(enrolled, accounts):
    person = Person.objects.filter(relation="applicant").order_by("pk").first()
    with pytest.raises(DomainError, match="10 至 30 位数字"):
        member_account_set(
            person=person, bank_name="银行", bank_account="12ab", by=accounts["caseworker"]
        )
    with pytest.raises(DomainError):
        member_account_set(
            person=person,
            bank_name="银行",
            bank_account="6217000011112222",
            by=accounts["supervisor"],
        )


def test_temporary_grant_paid_once_and_marked_paid(grant, approvers, outbox):
    with_accounts()
    batch = exported(approvers)
    line = Line.objects.get(grant=grant)
    assert (line.kind, line.amount, line.status) == ("temporary", grant.amount, "pending")
    bank_file = batch.bank_files.get()
    bankfiles.bank_file_reconcile(
        bank_file=bank_file, data=return_file(bank_file), user=approvers[0]
    )
    grant.refresh_from_db()
    assert grant.status == "paid"
    nxt = payroll(approvers[0], add_months(M, 1))
    assert not Line.objects.filter(batch=nxt, grant=grant).exists()


def test_grant_without_account_is_held_then_reissued_in_its_local_month(grant, approvers):
    """A grant approved at 00:30 on the 1st in Weihai (16:30 UTC the day before) belongs to the
    new month; with no account its line is held with the reason, and once the account is on
    file the next payroll reissues it once, to that account."""
    from zoneinfo import ZoneInfo

    approved = dt.datetime(M.year, M.month, 1, 0, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    type(grant).objects.filter(pk=grant.pk).update(approved_at=approved)
    batch = payroll(approvers[0], M)
    held = Line.objects.get(batch=batch, grant=grant)
    assert (held.kind, held.month, held.status, held.hold_reason) == (
        "temporary",
        M,
        "held",
        "no_account",
    )
    with_accounts()
    later = payroll(approvers[0], add_months(M, 1))
    reissue = Line.objects.get(batch=later, reissue_of=held)
    assert (reissue.kind, reissue.grant_id, reissue.month, reissue.amount, reissue.status) == (
        "reissue",
        grant.pk,
        M,
        grant.amount,
        "pending",
    )
    assert reissue.bank_account.startswith("6217")
    assert payroll(approvers[0], add_months(M, 1)).pk == later.pk
    assert Line.objects.filter(reissue_of=held).count() == 1


def test_one_off_batch_pays_an_emergency_grant_between_payrolls(grant, approvers):
    with_accounts()
    batch = batches.batch_start(
        county=grant.household.village.parent.parent,
        month=M,
        user=approvers[0],
        kind=Batch.Kind.ONE_OFF,
    )
    batches.batch_finish(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.state == Batch.State.DRAFT
    assert list(batch.lines.values_list("grant_id", flat=True)) == [grant.pk]


def test_fraud_receivable_with_fine_and_repayment(enrolled, approvers, outbox, accounts):
    batch = exported(approvers, month=PREV)
    bank_file = batch.bank_files.get()
    bankfiles.bank_file_reconcile(
        bank_file=bank_file, data=return_file(bank_file), user=approvers[0]
    )
    line = Line.objects.filter(batch=batch).order_by("pk").first()
    household = line.household
    with pytest.raises(DomainError, match="审批人"):
        receivables.receivable_record(
            household=household,
            user=accounts["caseworker"],
            reason="fraud",
            items=[(PREV, line.amount)],
            fine_multiple="2",
        )
    with pytest.raises(DomainError, match="1 至 3 倍"):
        receivables.receivable_record(
            household=household,
            user=approvers[0],
            reason="fraud",
            items=[(PREV, line.amount)],
            fine_multiple="4",
        )
    with pytest.raises(DomainError, match="超过当月实际发放"):
        receivables.receivable_record(
            household=household,
            user=approvers[0],
            reason="fraud",
            enrollment=line.enrollment,
            items=[(PREV, line.amount + 1)],
            fine_multiple="2",
        )
    # the range is a standard with its date (SPEC §9), not a literal: a county that lowers the
    # ceiling from today refuses 2.5 times, and a region without the standard refuses the fine
    from applicants.models import Region
    from eligibility.models import Standard

    county = Region.objects.get(pk=household.village.parent.parent_id)
    ceiling = Standard.objects.create(
        item="fraud_fine_max_multiple", region=county, value=2, effective_from=dt.date.today()
    )
    with pytest.raises(DomainError, match="1 至 2 倍"):
        receivables.receivable_record(
            household=household,
            user=approvers[0],
            reason="fraud",
            items=[(PREV, line.amount)],
            fine_multiple="2.5",
        )
    ceiling.delete()
    floors = Standard.objects.filter(item="fraud_fine_min_multiple")
    kept = list(floors.values("item", "region_id", "area", "value", "effective_from"))
    floors.delete()
    with pytest.raises(DomainError, match="未设置骗取保障金罚款倍数"):
        receivables.receivable_record(
            household=household,
            user=approvers[0],
            reason="fraud",
            items=[(PREV, line.amount)],
            fine_multiple="2",
        )
    Standard.objects.bulk_create(Standard(**row) for row in kept)
    receivable = receivables.receivable_record(
        household=household,
        user=approvers[0],
        reason="fraud",
        enrollment=line.enrollment,
        items=[(PREV, line.amount)],
        fine_multiple="2",
    )
    assert receivable.fine_amount == line.amount * 2
    from integrity.models import DishonestyRecord

    record = DishonestyRecord.objects.get(household=household)  # the dishonesty register
    assert (record.amount_obtained, record.fine_multiple, record.fine_amount) == (
        line.amount,
        2,
        line.amount * 2,
    )
    receivables.repayment_record(
        receivable=receivable,
        amount=line.amount,
        paid_on=dt.date.today(),
        user=accounts["caseworker"],
    )
    receivable.refresh_from_db()
    assert receivable.status == Receivable.Status.SETTLED
    with pytest.raises(DomainError, match="已结清"):
        receivables.repayment_record(
            receivable=receivable, amount="1.00", paid_on=dt.date.today(), user=approvers[0]
        )
