"""Demo payroll (SPEC §12, issue 9): a year of reconciled payroll for 环翠区, a few payments the
bank returned, and this month's batch awaiting approval — made by the same services as the
pages, so it obeys every rule. Runs once (a database with batches is left alone).

The demo's enrollments are decided today, so they would have no past to pay; enrollments of
环翠区 with a single amount are back-dated a year (same amount, an extra ledger row effective
then) to give the pages a history. Demo mode only.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.db import transaction

from applicants.models import Region, User
from applicants.services import member_account_set
from eligibility.models import Enrollment, EnrollmentAmount
from eligibility.services.enrollments import add_months, this_month

from .models import BankFile, Batch, BatchChunk, Line
from .services import bankfiles, batches

HISTORY_MONTHS = 12
COUNTY = "371002"


def simulated_return(bank_file: BankFile, failures: dict[int, str] | None = None) -> bytes:
    """What a bank answers to one of our files: every line paid unless listed (line → code)."""
    failures = failures or {}
    out = io.StringIO()
    writer = csv.writer(out)
    total = Decimal("0.00")
    lines = bank_file.lines().order_by("pk")
    for line in lines.values_list("pk", "bank_account", "amount"):
        pk, account, amount = line
        code = failures.get(pk, "0")
        writer.writerow(
            ["R", pk, account, f"{amount:.2f}", code, "" if code == "0" else "账户异常"]
        )
        total += amount
    writer.writerow(["T", lines.count(), f"{total:.2f}"])
    return out.getvalue().encode(bank_file.batch.encoding)


def _generate(batch: Batch) -> Batch:
    for chunk in BatchChunk.objects.filter(batch=batch, done=False).order_by("first_id"):
        batches.chunk_process(chunk_id=chunk.pk)
    batches.batch_finish(batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def _backdate(county: Region, start) -> int:
    single = [
        e
        for e in Enrollment.objects.filter(
            household__village__path__startswith=county.path,
            status=Enrollment.Status.ACTIVE,
            start_month__gt=start,
        ).prefetch_related("amounts")
        if len(e.amounts.all()) == 1
    ]
    for enrollment in single:
        row = enrollment.amounts.all()[0]
        EnrollmentAmount.objects.create(
            enrollment=enrollment,
            amount=row.amount,
            effective_month=start,
            reason="演示数据：追溯一年的在保记录",
            assessment_id=row.assessment_id,
        )
        Enrollment.objects.filter(pk=enrollment.pk).update(start_month=start)
    return len(single)


@transaction.atomic
def seed_payroll() -> int:
    """Returns the number of batches made (0: already there)."""
    if Batch.objects.exists():
        return 0
    county = Region.objects.get(code=COUNTY)
    maker, checker = User.objects.get(username="approver2"), User.objects.get(username="approver")
    month = this_month()
    _backdate(county, add_months(month, -HISTORY_MONTHS))
    made = 0
    for back in range(HISTORY_MONTHS, 0, -1):
        batch = _generate(
            batches.batch_start(county=county, month=add_months(month, -back), user=maker)
        )
        batches.batch_approve(batch=batch, user=checker)
        bankfiles.batch_export(batch=batch, user=checker)
        for bank_file in batch.bank_files.order_by("pk"):
            failures = {}
            if back == 1:  # last month: the bank returned two payments
                ids = list(bank_file.lines().order_by("pk").values_list("pk", flat=True)[:2])
                failures = dict(zip(ids, ["E1", "E2"], strict=False))
            bankfiles.bank_file_reconcile(
                bank_file=bank_file, data=simulated_return(bank_file, failures), user=checker
            )
        made += 1
    # the township has corrected one of the returned accounts: this month pays it again
    returned = Line.objects.filter(status=Line.Status.FAILED).select_related("payee").first()
    if returned is not None and returned.payee is not None:
        member_account_set(
            person=returned.payee,
            bank_name=returned.bank_name,
            bank_account=f"62170000{returned.payee.pk:08d}",
            by=User.objects.get(username="admin"),
        )
    _generate(batches.batch_start(county=county, month=month, user=maker))  # awaits approval
    return made + 1
