"""Bank files: the export to each bank and the reconciliation of its return file.

Layout (docs/payments-bank-files.md), CSV without a header, UTF-8 or GBK as the batch says:

    export   D,<line id>,<account>,<payee name>,<amount>,<month YYYYMM>,<category>
             T,<line count>,<total amount>                      (the control total, last)
    return   R,<line id>,<account>,<amount>,<result>,<bank's note>
             T,<line count>,<total amount>
             result: 0 paid, E1 wrong account, E2 closed account, E3 name mismatch, E9 other

A return file is taken whole or not at all: every line of the export exactly once, with the
export's account and amount, and a control line that adds up; otherwise nothing is marked and
the reasons are given.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import permissions
from applicants.tasks import enqueue_summaries_rebuild
from eligibility.models import TemporaryGrant

from ..models import BankFile, Batch, Line
from .batches import PaymentError, _refuse

RESULTS = {
    "0": "",
    "E1": Line.Failure.WRONG_ACCOUNT,
    "E2": Line.Failure.CLOSED_ACCOUNT,
    "E3": Line.Failure.NAME_MISMATCH,
    "E9": Line.Failure.OTHER,
}
#: the largest return file taken (a bank answers one file per batch and bank)
MAX_RETURN_BYTES = 200 * 1024 * 1024
_AMOUNT = re.compile(r"^[0-9]{1,12}\.[0-9]{2}$")
_ACCOUNT = re.compile(r"^[0-9A-Za-z-]{1,40}$")
_PG_ENCODING = {"utf-8": "UTF8", "gbk": "GBK"}


# --- export ------------------------------------------------------------------------------


def batch_export(*, batch: Batch, user, encoding: str = Batch.Encoding.UTF8) -> Batch:
    """Approved → exported: one bank file per bank over the lines to pay; the files are
    written once the transaction has committed. Exporting twice gives the same files."""
    from .. import tasks

    if encoding not in Batch.Encoding.values:
        _refuse(_("不支持的文件编码。"), "encoding")
    with transaction.atomic():
        batch = Batch.objects.select_for_update().select_related("county").get(pk=batch.pk)
        permissions.require(
            permissions.can_order_payroll(user, batch.county),
            _("只有本区市的审批人可以导出银行文件。"),
        )
        if batch.state in (Batch.State.EXPORTED, Batch.State.RECONCILED):
            return batch
        if batch.state != Batch.State.APPROVED:
            _refuse(_("批次审批后才能导出银行文件。"))
        if encoding == Batch.Encoding.GBK:
            _check_gbk(batch)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO payments_bankfile (batch_id, bank_name, line_count, total_amount,
                    sha256, return_sha256, paid_count, failed_count)
                SELECT batch_id, bank_name, count(*), sum(amount), '', '', 0, 0
                FROM payments_line WHERE batch_id = %s AND status = 'pending'
                GROUP BY batch_id, bank_name
                ON CONFLICT (batch_id, bank_name) DO NOTHING
                """,
                [batch.pk],
            )
        batch.encoding = encoding
        batch.state = Batch.State.EXPORTED
        batch.exported_by, batch.exported_at = user, timezone.now()
        if not batch.bank_files.exists():  # nothing to pay: nothing to reconcile
            batch.state, batch.reconciled_at = Batch.State.RECONCILED, timezone.now()
        batch.save(
            update_fields=["encoding", "state", "exported_by", "exported_at", "reconciled_at"]
        )
        transaction.on_commit(lambda: tasks.enqueue_bank_files(batch.pk))
    return batch


def _check_gbk(batch: Batch) -> None:
    bad = None
    names = (
        Line.objects.filter(batch=batch, status=Line.Status.PENDING)
        .values_list("payee_name", "bank_name")
        .distinct()
    )
    for payee, bank in names.iterator(chunk_size=10_000):
        try:
            f"{payee}{bank}".encode("gbk")
        except UnicodeEncodeError:
            bad = payee
            break
    if bad is not None:
        _refuse(
            _("领取人“%(name)s”的姓名含有 GBK 无法表示的字，请使用 UTF-8 导出。")
            % {"name": bad[:1] + "*" * (len(bad) - 1)},
            "encoding",
        )


def outbox_dir() -> Path:
    return Path(getattr(settings, "PAYMENTS_OUTBOX", Path(settings.BASE_DIR) / ".run" / "bank"))


def bank_file_name(bank_file: BankFile) -> str:
    batch = bank_file.batch
    return f"{batch.county.code}-{batch.month:%Y%m}-{batch.pk}-{bank_file.pk}.csv"


def bank_file_path(bank_file: BankFile) -> Path:
    """The file for the bank, written now if it is not there yet (the content depends only on
    the lines, so writing it again gives the same bytes)."""
    path = outbox_dir() / bank_file_name(bank_file)
    if not path.exists() or not bank_file.sha256:
        bank_file_write(bank_file)
    return path


def bank_file_write(bank_file: BankFile) -> str:
    """Write one bank file with COPY (set-based: a million lines in seconds), then its control
    line; record its checksum."""
    path = outbox_dir() / bank_file_name(bank_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    encoding = bank_file.batch.encoding
    with open(tmp, "wb") as out, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('client_encoding', %s, true)", [_PG_ENCODING[encoding]])
        cursor.copy_expert(
            f"""
            COPY (SELECT 'D', l.id, l.bank_account, l.payee_name, l.amount,
                         to_char(l.month, 'YYYYMM'), l.category
                  FROM payments_line l WHERE l.batch_id = {int(bank_file.batch_id)}
                   AND l.bank_name = (SELECT f.bank_name FROM payments_bankfile f
                                      WHERE f.id = {int(bank_file.pk)})
                   AND l.status IN ('pending', 'paid', 'failed')
                  ORDER BY l.id) TO STDOUT WITH (FORMAT csv)
            """,  # noqa: S608  # nosec B608 - only integer primary keys; the query text stays
            # ASCII because the server reads it in the file's encoding (GBK)
            out,
        )
        cursor.execute("SELECT set_config('client_encoding', 'UTF8', true)")
        out.write(f"T,{bank_file.line_count},{bank_file.total_amount}\n".encode())
    digest = _sha256(tmp)
    os.replace(tmp, path)
    BankFile.objects.filter(pk=bank_file.pk).update(sha256=digest, written_at=timezone.now())
    bank_file.sha256 = digest
    return digest


def bank_files_write(*, batch_id: int) -> int:
    files = list(BankFile.objects.filter(batch_id=batch_id).select_related("batch__county"))
    for bank_file in files:
        bank_file_write(bank_file)
    return len(files)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- reconciliation ----------------------------------------------------------------------


class ReturnFileRejected(PaymentError):
    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        msg = _("回盘文件与导出文件不符，未做任何处理：") + "；".join(reasons)
        super().__init__(msg, {"file": reasons})


def _parse_return(data: bytes, encoding: str) -> tuple[io.StringIO, int, Decimal, list[str]]:
    """Rows checked one by one; returns them as clean CSV for COPY, their count and total,
    and the reasons to reject (the first few)."""
    reasons: list[str] = []
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return io.StringIO(), 0, Decimal(0), [_("文件不是 %(enc)s 编码。") % {"enc": encoding}]
    if "\x00" in text:
        return io.StringIO(), 0, Decimal(0), [_("文件含有非法字符。")]
    clean = io.StringIO()
    writer = csv.writer(clean)
    count, total, control = 0, Decimal("0.00"), None
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if len(reasons) >= 5:
            break
        if not row:
            continue
        if control is not None:
            reasons.append(_("第 %(n)d 行：合计行之后还有内容。") % {"n": number})
            continue
        if row[0] == "T":
            if (
                len(row) != 3
                or not (row[1].isascii() and row[1].isdigit())
                or not _AMOUNT.match(row[2])
            ):
                reasons.append(_("第 %(n)d 行：合计行格式应为 T,笔数,金额。") % {"n": number})
                continue
            control = (int(row[1]), Decimal(row[2]))
            continue
        if row[0] != "R" or len(row) != 6:
            reasons.append(_("第 %(n)d 行：应为 R,明细号,账号,金额,结果,说明。") % {"n": number})
            continue
        _r, line_id, account, amount, result, note = row
        if not (line_id.isascii() and line_id.isdigit()) or len(line_id) > 18:
            reasons.append(_("第 %(n)d 行：明细号无效。") % {"n": number})
        elif not _ACCOUNT.match(account):
            reasons.append(_("第 %(n)d 行：账号无效。") % {"n": number})
        elif not _AMOUNT.match(amount):
            reasons.append(_("第 %(n)d 行：金额应为两位小数的元。") % {"n": number})
        elif result not in RESULTS:
            reasons.append(_("第 %(n)d 行：结果代码应为 0、E1、E2、E3 或 E9。") % {"n": number})
        else:
            try:
                value = Decimal(amount)
            except InvalidOperation:  # pragma: no cover - the pattern already checked it
                reasons.append(_("第 %(n)d 行：金额无效。") % {"n": number})
                continue
            count += 1
            total += value
            writer.writerow([line_id, account, amount, result, note[:100]])
    if not reasons:
        if control is None:
            reasons.append(_("缺少合计行（T,笔数,金额）。"))
        elif control != (count, total):
            reasons.append(
                _("合计行（%(c)d 笔，%(t)s 元）与明细（%(n)d 笔，%(s)s 元）不符。")
                % {"c": control[0], "t": control[1], "n": count, "s": total}
            )
    clean.seek(0)
    return clean, count, total, reasons


def bank_file_reconcile(*, bank_file: BankFile, data: bytes, user) -> BankFile:
    """Import a bank's return file: mark each line paid or failed. Importing the same file
    again changes nothing; a different one after it is refused."""
    if len(data) > MAX_RETURN_BYTES:
        raise ReturnFileRejected([_("文件过大。")])
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        batch = (
            Batch.objects.select_for_update().select_related("county").get(pk=bank_file.batch_id)
        )
        permissions.require(
            permissions.can_order_payroll(user, batch.county),
            _("只有本区市的审批人可以导入回盘文件。"),
        )
        bank_file = BankFile.objects.select_for_update().get(pk=bank_file.pk)
        if bank_file.returned_at is not None:
            if bank_file.return_sha256 == digest:
                return bank_file
            _refuse(_("该银行的回盘文件已经导入，不能再次导入不同的文件。"), "file")
        if batch.state != Batch.State.EXPORTED:
            _refuse(_("批次导出银行文件后才能导入回盘文件。"), "file")
        clean, count, total, reasons = _parse_return(data, batch.encoding)
        if reasons:
            raise ReturnFileRejected(reasons)
        if (count, total) != (bank_file.line_count, bank_file.total_amount):
            raise ReturnFileRejected(
                [
                    _("回盘 %(n)d 笔 %(s)s 元，导出 %(c)d 笔 %(t)s 元。")
                    % {
                        "n": count,
                        "s": total,
                        "c": bank_file.line_count,
                        "t": bank_file.total_amount,
                    }
                ]
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE payments_return (line_id bigint, account text,"
                " amount numeric(14,2), result text, note text) ON COMMIT DROP"
            )
            cursor.copy_expert("COPY payments_return FROM STDIN WITH (FORMAT csv)", clean)
            cursor.execute("ANALYZE payments_return")  # else the planner guesses, and scans lines
            reasons = _mismatches(cursor, bank_file)
            if reasons:
                raise ReturnFileRejected(reasons)
            cursor.execute(
                """
                UPDATE payments_line l SET
                    status = CASE WHEN r.result = '0' THEN 'paid' ELSE 'failed' END,
                    failure = CASE r.result WHEN '0' THEN '' WHEN 'E1' THEN 'wrong_account'
                        WHEN 'E2' THEN 'closed_account' WHEN 'E3' THEN 'name_mismatch'
                        ELSE 'other' END,
                    failure_note = CASE WHEN r.result = '0' THEN ''
                        ELSE left(coalesce(r.note, ''), 100) END,
                    paid_at = CASE WHEN r.result = '0' THEN now() END
                FROM payments_return r
                WHERE l.id = r.line_id AND l.batch_id = %s AND l.bank_name = %s
                  AND l.status = 'pending'
                """,
                [bank_file.batch_id, bank_file.bank_name],
            )
            cursor.execute(
                "SELECT count(*) FILTER (WHERE result = '0'), count(*) FILTER (WHERE result <> '0')"
                " FROM payments_return"
            )
            paid, failed = cursor.fetchone()
            cursor.execute("DROP TABLE payments_return")  # inside an outer transaction too
        TemporaryGrant.objects.filter(
            status=TemporaryGrant.Status.APPROVED,
            payment_lines__in=bank_file.lines().filter(status=Line.Status.PAID),
        ).update(status=TemporaryGrant.Status.PAID)
        transaction.on_commit(lambda: _keep_return(bank_file, data, digest))
        bank_file.returned_at, bank_file.returned_by = timezone.now(), user
        bank_file.return_sha256, bank_file.paid_count, bank_file.failed_count = digest, paid, failed
        bank_file.save()
        if not batch.bank_files.filter(returned_at__isnull=True).exists():
            batch.state, batch.reconciled_at = Batch.State.RECONCILED, timezone.now()
            batch.save(update_fields=["state", "reconciled_at"])
            enqueue_summaries_rebuild("reconciliation")
    return bank_file


def return_path(bank_file: BankFile, digest: str) -> Path:
    return outbox_dir() / "returns" / f"{bank_file_name(bank_file)[:-4]}-{digest[:12]}.csv"


def _keep_return(bank_file: BankFile, data: bytes, digest: str) -> None:
    """The bank's answer as it came (the evidence of each line's result; its checksum is on the
    bank file), written once the import has committed."""
    path = return_path(bank_file, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(data)


def _mismatches(cursor, bank_file: BankFile) -> list[str]:
    """Lines of the return file that are not the export's lines, or not as exported."""
    reasons: list[str] = []
    cursor.execute(
        "SELECT line_id FROM payments_return GROUP BY line_id HAVING count(*) > 1 LIMIT 5"
    )
    if dup := [str(r[0]) for r in cursor.fetchall()]:
        reasons.append(_("明细重复：%(ids)s。") % {"ids": "、".join(dup)})
    cursor.execute(
        """
        SELECT r.line_id FROM payments_return r
        LEFT JOIN payments_line l ON l.id = r.line_id
        WHERE l.id IS NULL OR l.batch_id <> %s OR l.bank_name <> %s
           OR l.status NOT IN ('pending', 'paid', 'failed')
        LIMIT 5
        """,
        [bank_file.batch_id, bank_file.bank_name],
    )
    if unknown := [str(r[0]) for r in cursor.fetchall()]:
        reasons.append(_("导出文件中没有这些明细：%(ids)s。") % {"ids": "、".join(unknown)})
    cursor.execute(
        """
        SELECT r.line_id FROM payments_return r
        JOIN payments_line l ON l.id = r.line_id
        WHERE l.amount <> r.amount OR l.bank_account <> r.account LIMIT 5
        """,
    )
    if changed := [str(r[0]) for r in cursor.fetchall()]:
        reasons.append(_("账号或金额与导出不符：%(ids)s。") % {"ids": "、".join(changed)})
    return reasons
