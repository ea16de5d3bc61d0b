"""Monthly payroll for every county (issue 9): generate, approve, export, reconcile.

    python -m bench.payroll [--households 1000000]

Data: the re-evaluation benchmark's enrolled households (bench.reevaluate.generate), each with
its ledger row and an applicant holding a social-security card at one of 30 banks. Timed: the
real path as in production — each county's approver orders its payroll, Celery workers (one
process per core) generate the chunks (set-based ``INSERT … SELECT`` from the ledger) and finish
the batches, a second approver approves, the export writes one file per bank (COPY, by the
workers). The bound, in the same run: one plain ``INSERT … SELECT`` of the same lines into the
same table, rolled back. Then every bank's return file (a few failures)
is imported and timed on its own (target: under 30 s for 1,000,000 lines).
"""

from __future__ import annotations

import argparse
import tempfile
import time

from bench import common

BANKS = [f"威海第{i:02d}银行" for i in range(1, 31)]
COUNTIES = ("371002", "371003", "371082", "371083")


def accounts_and_ledger() -> None:
    """One applicant per household (with an account) and one ledger row per enrollment."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no history triggers here
        cursor.execute(
            """
            INSERT INTO applicants_person (relation, name, id_number, birth_date, sex, phone,
                disability_type, serious_illness, self_care, labour_capacity, in_school,
                monthly_income, bank_name, bank_account, household_id, status, status_reason,
                care_arrangement, parent_situations)
            SELECT 'applicant', '领取人' || h.id, lpad(h.id::text, 17, '0') || 'X', '1970-01-01',
                   'M', '', '', false, 'full', 'full', false, 0,
                   (%s::text[])[1 + h.id %% 30], '6217' || lpad(h.id::text, 12, '0'), h.id,
                   'living', '', '', '[]'
            FROM applicants_household h
            """,
            [BANKS],
        )
        cursor.execute(
            """
            INSERT INTO eligibility_enrollmentamount (enrollment_id, amount, effective_month,
                reason, created_at, assessment_id)
            SELECT id, monthly_amount, start_month, 'bench', now() - interval '30 days',
                   assessment_id
            FROM eligibility_enrollment
            """
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("VACUUM ANALYZE applicants_person")
        cursor.execute("VACUUM ANALYZE eligibility_enrollmentamount")


def return_file(bank_file, failures: int) -> bytes:
    """The bank's answer (the demo's simulated bank): every line paid but the first few."""
    from payments.demo import simulated_return

    first = bank_file.lines().order_by("pk").values_list("pk", flat=True)[:failures]
    return simulated_return(bank_file, dict.fromkeys(first, "E1"))


def bound_seconds(month) -> float:
    """The same lines by one plain INSERT … SELECT (no chunks, locks, back-pay), rolled back.

    The table's foreign keys are deferred (Django's default), so a rolled-back INSERT would skip
    their checks — which a real INSERT pays at COMMIT, one probe and key-share lock of the batch
    and the enrollment per line. ``SET CONSTRAINTS ALL IMMEDIATE`` makes the bound do that work
    too before it rolls back: the same rows, the same indexes, the same checks."""
    from django.db import connection

    from eligibility.selectors import AMOUNTS_DUE_SQL, amounts_due_params
    from payments.models import Batch

    batch = Batch.objects.order_by("pk").first()
    sql = f"""
        WITH due AS ({AMOUNTS_DUE_SQL})
        INSERT INTO payments_line (batch_id, kind, enrollment_id, household_id, payee_id,
            township_id, category, month, due_amount, withheld, amount, payee_name, bank_name,
            bank_account, status, hold_reason, failure, failure_note, created_at)
        SELECT %(batch)s, 'backpay', e.id, e.household_id, p.id, v.parent_id, e.policy_code,
            %(month)s, d.amount, 0, d.amount, p.name, p.bank_name, p.bank_account, 'pending',
            '', '', '', now()
        FROM due d
        JOIN eligibility_enrollment e ON e.id = d.enrollment_id
        JOIN applicants_household h ON h.id = e.household_id
        JOIN applicants_region v ON v.id = h.village_id
        JOIN applicants_person p ON p.household_id = h.id AND p.relation = 'applicant'
    """  # noqa: S608  # nosec B608 - the ledger's own SQL, values are parameters
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("SET LOCAL jit = off")  # the lower bound: the plain SQL at its best
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        start = time.perf_counter()
        cursor.execute(sql, {**amounts_due_params(month=month), "batch": batch.pk})
        seconds = time.perf_counter() - start
        cursor.execute("ROLLBACK")
    return seconds


def wait(predicate, what: str, timeout: float = 900.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.1)


def main() -> None:
    import os
    import uuid

    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    os.environ["CELERY_QUEUE"] = queue
    outbox = tempfile.mkdtemp(prefix="bench-bank-")
    os.environ["PAYMENTS_OUTBOX"] = outbox
    common.setup()
    from bench.reevaluate import generate

    t0 = time.perf_counter()
    generate(args.households)
    accounts_and_ledger()
    print(f"generated {args.households} enrolled households in {time.perf_counter() - t0:.1f}s")

    from django.conf import settings

    from applicants.models import Region, Role, User
    from bench.reevaluate import start_workers
    from eligibility.services.enrollments import this_month
    from payments.models import BankFile, Batch, Line
    from payments.services import bankfiles, batches

    if str(settings.PAYMENTS_OUTBOX) != outbox:  # the workers write where we read
        raise SystemExit("PAYMENTS_OUTBOX was not taken from the environment")
    month = this_month()
    makers, checkers = {}, {}
    for code in COUNTIES:
        county = Region.objects.get(code=code)
        makers[code], _ = User.objects.get_or_create(
            username=f"bench-maker-{code}", defaults={"role": Role.APPROVER, "region": county}
        )
        checkers[code], _ = User.objects.get_or_create(
            username=f"bench-checker-{code}", defaults={"role": Role.APPROVER, "region": county}
        )

    workers = start_workers(args.workers, queue)
    time.sleep(3)  # let the workers connect before the clock starts
    try:
        start = time.perf_counter()
        made = [
            batches.batch_start(
                county=Region.objects.get(code=code), month=month, user=makers[code]
            ).pk
            for code in COUNTIES
        ]
        exported: set[int] = set()

        def approve_and_export_the_generated() -> bool:
            """Each county approves and exports its batch as soon as it is generated."""
            for batch in Batch.objects.filter(pk__in=made, state="draft").select_related("county"):
                batches.batch_approve(batch=batch, user=checkers[batch.county.code])
                bankfiles.batch_export(batch=batch, user=makers[batch.county.code])
                exported.add(batch.pk)
            return len(exported) == len(made)

        wait(approve_and_export_the_generated, "generation")
        wait(
            lambda: not BankFile.objects.filter(batch_id__in=made, sha256="").exists(),
            "bank files",
        )
        seconds = time.perf_counter() - start
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=60)
    lines = Line.objects.filter(batch_id__in=made).count()
    files = BankFile.objects.filter(batch_id__in=made).count()
    print(f"payroll lines={lines} bank_files={files} batches={len(made)} seconds={seconds:.1f}")
    if lines != args.households:
        raise SystemExit(f"expected {args.households} lines, got {lines}")

    bound = bound_seconds(month)

    answers = [(f, return_file(f, failures=2)) for f in BankFile.objects.filter(batch_id__in=made)]
    checker_of = {b.pk: checkers[b.county.code] for b in Batch.objects.filter(pk__in=made)}
    rec_start = time.perf_counter()
    for bank_file, data in answers:
        bankfiles.bank_file_reconcile(
            bank_file=bank_file, data=data, user=checker_of[bank_file.batch_id]
        )
    reconcile = time.perf_counter() - rec_start
    failed = Line.objects.filter(batch_id__in=made, status="failed").count()
    print(
        f"reconcile lines={lines} files={len(answers)} failed={failed} seconds={reconcile:.1f}"
        f" reconciled_batches={Batch.objects.filter(state='reconciled').count()}"
    )
    print(common.closing_line("payroll", args.households, seconds, bound))


if __name__ == "__main__":
    main()
