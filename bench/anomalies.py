"""Fund-anomaly checks over a year of payroll (issue 11 item 6).

    python -m bench.anomalies [--households 1000000] [--reuse]

Data: the re-evaluation benchmark's enrolled households (``bench.reevaluate.generate``) with
the payroll benchmark's applicants, accounts and ledger (``bench.payroll.accounts_and_ledger``),
each assessment's rules result as the workflow freezes it, and 12 months of paid lines — one per
enrollment and month, 12 × N lines, written by ``INSERT … SELECT … generate_series`` month by
month. Planted among them, 0.1 % of N of each: payees who died mid-year (paid after), 单人保
beside the household's 低保, close relatives enrolled without the county's visit, ledger amounts
off the rules result, and accounts shared by two households.

Timed: ``integrity.checks.checks_run_all`` as the nightly job runs it (each check's SELECT, its
advisory lock, the ``INSERT … ON CONFLICT`` of the findings, the run record). The bound, in the
same run: the same five SELECTs, bare, their rows fetched and nothing stored.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from bench import common

MONTHS = [dt.date(2021, m, 1) for m in range(1, 13)]
#: the planted share of each anomaly: 1 household in 1,000
PLANT_EVERY = 1000


def payment_year(households: int) -> None:
    """One monthly batch per county and month, and one paid line per enrollment and month."""
    from django.db import connection

    from applicants.models import Region, User
    from payments.models import Batch

    admin = User.objects.get(username="admin")
    counties = Region.objects.filter(
        level=Region.Level.COUNTY, code__in=("371002", "371003", "371082", "371083")
    )
    Batch.objects.bulk_create(
        Batch(
            county=county,
            month=month,
            state=Batch.State.RECONCILED,
            created_by=admin,
        )
        for county in counties
        for month in MONTHS
    )
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no history triggers here
        for month in MONTHS:
            start = time.perf_counter()
            cursor.execute(
                """
                INSERT INTO payments_line (batch_id, kind, enrollment_id, household_id,
                    payee_id, township_id, category, month, due_amount, withheld, amount,
                    payee_name, bank_name, bank_account, status, hold_reason, failure,
                    failure_note, created_at, paid_at)
                SELECT b.id, 'regular', e.id, e.household_id, p.id, t.id, e.policy_code,
                       %(month)s, e.monthly_amount, 0, e.monthly_amount, p.name, p.bank_name,
                       p.bank_account, 'paid', '', '', '', %(month)s::timestamptz,
                       %(month)s::timestamptz + interval '20 days'
                FROM eligibility_enrollment e
                JOIN applicants_household h ON h.id = e.household_id
                JOIN applicants_region v ON v.id = h.village_id
                JOIN applicants_region t ON t.id = v.parent_id
                JOIN payments_batch b ON b.county_id = t.parent_id AND b.month = %(month)s
                JOIN applicants_person p ON p.household_id = h.id AND p.relation = 'applicant'
                WHERE e.person_id IS NULL
                ORDER BY e.id
                """,
                {"month": month},
            )
            print(f"  lines {month:%Y-%m}: {cursor.rowcount} in {time.perf_counter() - start:.1f}s")
        cursor.execute("SET session_replication_role = DEFAULT")
    print(f"payment lines: {12 * households}")


def rules_results() -> None:
    """Each assessment's frozen rules result, as the workflow stores it (the generator leaves it
    empty): 低保 for the household at the enrollment's amount."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # frozen rows: bench only
        cursor.execute(
            """
            UPDATE eligibility_assessment s
            SET result = jsonb_build_object('results', jsonb_build_array(
                jsonb_build_object('policy', 'dibao', 'member', NULL, 'eligible', true,
                                   'monthly_amount', e.monthly_amount::text)))
            FROM eligibility_enrollment e
            WHERE e.assessment_id = s.id
            """
        )
        cursor.execute("SET session_replication_role = DEFAULT")


def plant() -> dict[str, int]:
    """0.1 % of households for each check; returns how many of each were planted."""
    from django.db import connection

    every = PLANT_EVERY
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        # (a) the payee died in June: July to December were paid
        cursor.execute(
            """
            UPDATE applicants_person SET status = 'deceased', status_on = '2021-06-15',
                status_reason = 'bench'
            WHERE relation = 'applicant' AND household_id %% %s = 1
            """,
            [every],
        )
        dead = cursor.rowcount
        # (b) 单人保 for the applicant beside the household's own 低保
        cursor.execute(
            """
            INSERT INTO eligibility_enrollment (household_id, person_id, category_id,
                policy_code, monthly_amount, start_month, status, decision_id, assessment_id,
                created_at)
            SELECT e.household_id, p.id, e.category_id, 'dibao_single', 300, e.start_month,
                   'active', e.decision_id, e.assessment_id, now()
            FROM eligibility_enrollment e
            JOIN applicants_person p ON p.household_id = e.household_id
                                    AND p.relation = 'applicant'
            WHERE e.person_id IS NULL AND e.household_id %% %s = 2
            """,
            [every],
        )
        twice = cursor.rowcount
        # (c) a close relative of staff, no county visit
        cursor.execute(
            "UPDATE applicants_application SET close_relative = true WHERE id %% %s = 3",
            [every],
        )
        relatives = cursor.rowcount
        # (d) the ledger's amount is not the rules result
        cursor.execute(
            """
            UPDATE eligibility_assessment s
            SET result = jsonb_set(s.result, '{results,0,monthly_amount}', '"1.00"')
            FROM eligibility_enrollment e
            WHERE e.assessment_id = s.id AND e.person_id IS NULL AND e.household_id %% %s = 4
            """,
            [every],
        )
        off = cursor.rowcount
        # (e) two households, one account
        cursor.execute(
            """
            UPDATE applicants_person p SET bank_name = q.bank_name, bank_account = q.bank_account
            FROM applicants_person q
            WHERE p.relation = 'applicant' AND q.relation = 'applicant'
              AND p.household_id %% %s = 6 AND q.household_id = p.household_id - 1
            """,
            [every],
        )
        shared = cursor.rowcount
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("VACUUM ANALYZE")
    return {
        "paid_after_death": dead,
        "enrolled_twice": twice,
        "relative_without_visit": relatives,
        "amount_off_rules": off,
        "shared_account": shared,
    }


def bound_seconds() -> tuple[float, dict[str, int]]:
    """The five checks as bare SELECTs: rows fetched, nothing stored, no lock, no run record."""
    from django.db import connection

    from integrity import checks

    params = checks.check_params()
    rows = {}
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for kind in checks.Check:
            cursor.execute(checks.check_select(kind), params)
            rows[kind.value] = len(cursor.fetchall())
    return time.perf_counter() - start, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time again on the data a previous run of the same size left (findings cleared)",
    )
    args = parser.parse_args()
    common.setup(fresh=not args.reuse)
    from bench.payroll import accounts_and_ledger
    from bench.reevaluate import generate
    from integrity import checks
    from integrity.models import AnomalyFinding, AnomalyRun

    t0 = time.perf_counter()
    if args.reuse:
        from eligibility.models import Enrollment

        households = Enrollment.objects.filter(person__isnull=True).count()
        if households != args.households:
            raise SystemExit(f"--reuse: the database holds {households} households")
        AnomalyFinding.objects.all().delete()
        AnomalyRun.objects.all().delete()
        planted = {k: args.households // PLANT_EVERY for k in checks.Check.values}
    else:
        generate(args.households)
        accounts_and_ledger()
        rules_results()
        payment_year(args.households)
        planted = plant()
    print(f"generated in {time.perf_counter() - t0:.1f}s; planted {planted}")

    # Once untimed, so that neither the bound nor the checks pay for a cold cache.
    warm, _ = bound_seconds()
    bound, bound_rows = bound_seconds()
    print(f"bound rows {bound_rows} in {bound:.1f}s (cold {warm:.1f}s)")
    start = time.perf_counter()
    results = checks.checks_run_all()
    seconds = time.perf_counter() - start
    for r in results:
        print(f"  {r.kind}: found={r.found} new={r.new} seconds={r.seconds:.1f}")
    found = {r.kind: r.found for r in results}
    if found != bound_rows:
        raise SystemExit(f"the checks found {found}, the bare SELECTs {bound_rows}")
    for kind, n in planted.items():
        if found[kind] < n:
            raise SystemExit(f"{kind}: planted {n}, found {found[kind]}")
    again = checks.checks_run_all()
    if any(r.new for r in again) or AnomalyFinding.objects.count() != sum(found.values()):
        raise SystemExit("a second run added findings")
    print(f"second run: {sum(r.seconds for r in again):.1f}s, no new finding")
    print(common.closing_line("anomalies", args.households, seconds, bound))


if __name__ == "__main__":
    main()
