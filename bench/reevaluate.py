"""Re-evaluating every active enrollment after a standard change (issue 5).

    python -m bench.reevaluate [--households 1000000] [--workers 2]

Generates N enrolled urban 低保 households (frozen inputs as the workflow stores them) with
COPY, raises the city's urban standard, and times the real path: the start service splits the
enrollments into chunks, Celery workers (one process per core) re-assess each chunk with the
rules engine and write back through COPY + ``UPDATE … FROM``. The bound is a plain-SQL
``UPDATE`` of the same rows (standard delta × household size), timed in the same run and
rolled back.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
import uuid

from bench import common


def generate(households: int, *, villages: list[int] | None = None, vacuum: bool = True) -> None:
    """N enrolled 低保 households, set by COPY; ``villages`` (ids, repeated for weight) spreads
    them, household i in ``villages[i % len(villages)]`` (default: the urban villages of four
    counties, evenly; bench.api passes a city's uneven spread). ``vacuum=False``: ANALYZE
    only (inside a test's transaction)."""
    import datetime as dt

    from django.db import connection

    from applicants import demo
    from applicants.models import Region, User
    from eligibility import demo as eligibility_demo
    from eligibility.models import Category

    demo.seed_regions()
    demo.seed_accounts()
    eligibility_demo.seed()
    admin = User.objects.get(username="admin")
    villages = villages or list(
        Region.objects.filter(
            level="village", area="urban", path__regex=r"^371000/3710(02|03|82|83)/"
        ).values_list("pk", flat=True)
    )
    dibao = Category.objects.get(code="dibao").pk
    rng = random.Random(2020)  # nosec B311  # reproducible benchmark data
    on = dt.date(2020, 12, 1)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no history triggers here
        cursor.execute("SELECT coalesce(max(id), 0) FROM applicants_household")
        base = cursor.fetchone()[0]
        batch = 100_000
        for start in range(0, households, batch):
            n = min(batch, households - start)
            ids = range(base + start + 1, base + start + n + 1)
            rows = {
                "h": io.StringIO(),
                "a": io.StringIO(),
                "s": io.StringIO(),
                "d": io.StringIO(),
                "e": io.StringIO(),
            }
            for i in ids:
                village = villages[i % len(villages)]
                size = rng.choice((1, 1, 2, 2, 3, 4))
                incomes = [rng.choice((0, 0, 100, 200, 300)) for _ in range(size)]
                members = [
                    {
                        "person_id": None,
                        "relation": "applicant" if k == 0 else "child",
                        "birth_date": f"{rng.randint(1950, 2000)}-0{rng.randint(1, 9)}-1{k}",
                        "monthly_income": f"{inc}.00",
                        "disability_grade": None,
                        "disability_type": None,
                        "serious_illness": False,
                        "self_care": "full",
                        "in_school": False,
                    }
                    for k, inc in enumerate(incomes)
                ]
                inputs = json.dumps(
                    {
                        "area": "urban",
                        "members": members,
                        "assets": {},
                        "rigid_expenditure_12m": {},
                        "supporter": {},
                        "hardship": None,
                    },
                    ensure_ascii=False,
                )
                amount = 787 * size - sum(incomes)
                rows["h"].write(
                    f"{i}\t{village}\tbench\t2020-12-01 00:00+08\t2020-12-01 00:00+08\n"
                )
                rows["a"].write(
                    f"{i}\t{i}\t{village}\tdibao\tenrolled\twindow\t{{}}\tf\tf\tf\t[]\t{admin.pk}\t"
                    "2020-12-01 00:00+08\t\n"
                )
                rows["s"].write(
                    f"{i}\t{i}\t{i}\t{on}\t{inputs}\t{{}}\t[]\t{{}}\t{admin.pk}\t"
                    "2020-12-01 00:00+08\n"
                )
                rows["d"].write(f"{i}\t{i}\t{i}\tapproved\t批准\t{admin.pk}\t2020-12-01 00:00+08\n")
                rows["e"].write(
                    f"{i}\t{i}\t{dibao}\tdibao\t{amount}.00\t2021-01-01\tactive\t{i}\t{i}\t"
                    f"2020-12-01 00:00+08\t{village}\n"
                )
            copies = [
                ("applicants_household", "(id, village_id, address, created_at, updated_at)", "h"),
                (
                    "applicants_application",
                    "(id, household_id, village_id, requested, state, "
                    "channel, data, special, close_relative, county_visit_done, missing_items, "
                    "created_by_id, created_at, due_for)",
                    "a",
                ),
                (
                    "eligibility_assessment",
                    '(id, application_id, household_id, "on", inputs, '
                    "parameters, standard_ids, result, created_by_id, created_at)",
                    "s",
                ),
                (
                    "eligibility_decision",
                    "(id, application_id, assessment_id, outcome, reasons, "
                    "decided_by_id, decided_at)",
                    "d",
                ),
                (
                    "eligibility_enrollment",
                    "(id, household_id, category_id, policy_code, "
                    "monthly_amount, start_month, status, decision_id, assessment_id, created_at, "
                    "village_id)",
                    "e",
                ),
            ]
            for table, columns, key in copies:
                rows[key].seek(0)
                cursor.copy_expert(f"COPY {table} {columns} FROM STDIN", rows[key])
        cursor.execute("SET session_replication_role = DEFAULT")
        for table in (
            "applicants_household",
            "applicants_application",
            "eligibility_assessment",
            "eligibility_decision",
            "eligibility_enrollment",
        ):
            cursor.execute(
                # The table names are the literals of the loop above, not input.
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # nosec B608
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


def start_workers(n: int, queue: str) -> list[subprocess.Popen]:
    env = {**os.environ, "CELERY_QUEUE": queue}
    return [
        subprocess.Popen(  # noqa: S603  # nosec B603  # our own worker, fixed argv
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "weijiuni",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "-n",
                f"bench{i}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=WARNING",
            ],
            stdout=subprocess.DEVNULL if os.environ.get("BENCH_QUIET") else None,
            env=env,
        )
        for i in range(n)
    ]


def lock_cost(run) -> str:
    """What the row locks cost (issue 8): one chunk's read with and without ``FOR UPDATE OF e``,
    each in a transaction rolled back, on the same rows."""
    from django.db import connection, transaction

    from eligibility.services.reevaluation import CHUNK_SQL

    chunks = list(run.chunks.order_by("index"))
    times = {"locked": 0.0, "unlocked": 0.0}
    for chunk in chunks[:: max(1, len(chunks) // 10)]:
        params = {
            "first": chunk.first_id,
            "last": chunk.last_id,
            "month": run.effective_from.replace(day=1),
            "keys": list(run.parameters),
        }
        for label, sql in (
            ("unlocked", CHUNK_SQL.replace("FOR UPDATE OF e", "")),
            ("locked", CHUNK_SQL),
        ):
            with transaction.atomic(), connection.cursor() as cursor:
                start = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                times[label] += time.perf_counter() - start
                transaction.set_rollback(True)
    sampled = len(chunks[:: max(1, len(chunks) // 10)])
    per_chunk = (times["locked"] - times["unlocked"]) / max(sampled, 1)
    return (
        f"lock_cost sampled_chunks={sampled} locked_read={times['locked']:.3f}s"
        f" unlocked_read={times['unlocked']:.3f}s per_chunk={per_chunk:.3f}s"
        f" estimated_total={per_chunk * len(chunks):.1f}s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    os.environ["CELERY_QUEUE"] = queue
    common.setup()
    t0 = time.perf_counter()
    generate(args.households)
    print(f"generated {args.households} enrolled households in {time.perf_counter() - t0:.1f}s")

    import datetime as dt
    from decimal import Decimal

    from django.db import connection, transaction

    from applicants.models import Region
    from eligibility.models import Enrollment, Reevaluation, Standard
    from eligibility.services import reevaluation

    workers = start_workers(args.workers, queue)
    time.sleep(3)  # let the workers connect before the clock starts
    try:
        standard = Standard.objects.create(
            item="dibao",
            region=Region.objects.get(code="371000"),
            area="urban",
            value=Decimal("850.00"),
            effective_from=dt.date(2021, 1, 1),
            note="bench",
        )
        start = time.perf_counter()
        with transaction.atomic():
            run = reevaluation.reevaluation_start(standard=standard)
        while True:
            run.refresh_from_db()
            if run.status == Reevaluation.Status.DONE:
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - start
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=60)
    print(
        f"reevaluate chunks={run.chunks_total} processed={run.processed} changed={run.changed}"
        f" households_per_second={run.processed / seconds:.0f}"
    )
    expected = Enrollment.objects.count()
    if run.processed != expected or run.changed != expected:
        raise SystemExit(f"expected every one of {expected} enrollments to change")

    print(lock_cost(run))
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        bound_start = time.perf_counter()
        cursor.execute(
            "UPDATE eligibility_enrollment e SET monthly_amount = e.monthly_amount + "
            "63 * jsonb_array_length(a.inputs->'members') FROM eligibility_assessment a "
            "WHERE a.id = e.assessment_id AND e.status = 'active'"
        )
        bound = time.perf_counter() - bound_start
        cursor.execute("ROLLBACK")
    print(common.closing_line("reevaluate", args.households, seconds, bound))


if __name__ == "__main__":
    main()
