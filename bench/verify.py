"""Bulk re-verification of every active beneficiary (issue 10 §4).

    python -m bench.verify [--households 100000] [--records 10000000]

Generates N enrolled households (≈ 2.5 members each) and R source records spread over the 96
items and every demo source, written as the sources' result files (CSV, COPY TO). Times the
real path, ``bulk.bulk_match``: the files loaded with COPY into the staging table, every row
checked, matched to members by ID number and summed per household in SQL, and the reviews
opened. The bound is the same files COPYed into a typed table and one plain join of it with the
members and items, grouped per household — timed in the same run, rolled back.
"""

from __future__ import annotations

import argparse
import time

from bench import common


def persons() -> int:
    """Members for the generated households: as many as each frozen assessment lists."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no history triggers here
        cursor.execute(
            """
            INSERT INTO applicants_person (relation, name, id_number, birth_date, sex, phone,
                disability_type, serious_illness, self_care, labour_capacity, in_school,
                monthly_income, bank_name, bank_account, household_id, status, status_reason,
                care_arrangement, parent_situations)
            SELECT CASE WHEN k = 0 THEN 'applicant' ELSE 'child' END, '成员',
                lpad((e.household_id * 10 + k)::text, 18, '0'), DATE '1970-01-01', 'M', '',
                '', false, 'full', 'full', false, 0, '', '', e.household_id, 'living', '', '',
                '[]'::jsonb
            FROM eligibility_enrollment e
            JOIN eligibility_assessment a ON a.id = e.assessment_id
            CROSS JOIN LATERAL generate_series(0, jsonb_array_length(a.inputs->'members') - 1) k
            """
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE applicants_person")
        cursor.execute("SELECT count(*) FROM applicants_person")
        return cursor.fetchone()[0]


COUNTED = ("houses", "vehicles", "business")


def result_files(run_id: int, total: int) -> int:
    """R rows over every source, in proportion to its items; 1 row in 20,000 negative."""
    from django.db import connection

    from eligibility.verification.adapters.files import inbox_dir
    from eligibility.verification.models import DataSource

    sources = list(DataSource.objects.prefetch_related("items").order_by("pk"))
    all_items = sum(len(s.items.all()) for s in sources)
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_people AS SELECT row_number() OVER (ORDER BY id) - 1 AS idx,"
            " id_number FROM applicants_person"
        )
        cursor.execute("CREATE INDEX ON bench_people (idx)")
        cursor.execute("SELECT count(*) FROM bench_people")
        people = cursor.fetchone()[0]
        for n, source in enumerate(sources):
            codes = [i.code for i in source.items.all()]
            rows = total * len(codes) // all_items
            path = inbox_dir(source.code) / f"bulk-{run_id}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            array = "ARRAY[" + ",".join(f"'{c}'" for c in codes) + "]"
            # houses, vehicles, a business: counts, rarely more than none
            counts = [i.code for i in source.items.all() if i.counts_as in COUNTED]
            counted = (
                f"({array})[1 + g % {len(codes)}] IN (" + ",".join(f"'{c}'" for c in counts) + ")"
                if counts
                else "false"
            )
            with path.open("wb") as out:
                cursor.copy_expert(
                    "COPY (SELECT p.id_number, "  # nosec B608 - generated benchmark data
                    f"({array})[1 + g % {len(codes)}], "
                    "CASE WHEN g % 20000 = 7 THEN '-5.00' "
                    f"WHEN {counted} THEN (CASE WHEN g % 997 = 0 THEN '1' ELSE '0' END) "
                    "ELSE ((g * 37) % 1000)::text END, "
                    "'r' || g FROM generate_series(1, "
                    f"{rows}) g JOIN bench_people p ON p.idx = (g * 7919 + {n * 104729}) % "
                    f"{people}) TO STDOUT WITH (FORMAT csv, HEADER true)",
                    out,
                )
            written += rows
    return written


def bound(run_id: int) -> float:
    """COPY the same files into a typed table and join them once, per household."""
    from django.db import connection

    from eligibility.verification.bulk import _result_files

    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        start = time.perf_counter()
        cursor.execute(
            "CREATE TEMP TABLE bench_bound "
            "(id_number text, item text, value numeric, reference text) ON COMMIT DROP"
        )
        for _source, path in _result_files(run_id):
            with path.open("rb") as f:
                cursor.copy_expert("COPY bench_bound FROM STDIN WITH (FORMAT csv, HEADER true)", f)
        cursor.execute(
            "CREATE TEMP TABLE bench_bound_result AS "
            "SELECT p.household_id, i.counts_as, sum(b.value) FROM bench_bound b "
            "JOIN applicants_person p ON p.id_number = b.id_number "
            "JOIN eligibility_dataitem i ON i.code = b.item GROUP BY 1, 2"
        )
        seconds = time.perf_counter() - start
        cursor.execute("ROLLBACK")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=10_000_000)
    args = parser.parse_args()
    common.setup()
    from bench.reevaluate import generate

    t0 = time.perf_counter()
    generate(args.households)
    members = persons()
    took = time.perf_counter() - t0
    print(f"generated {args.households} households, {members} members in {took:.1f}s")  # noqa: T201

    from eligibility.verification import bulk, demo
    from eligibility.verification.models import BulkVerification, DataSource

    demo.seed_sources()
    DataSource.objects.update(adapter="file", config={"format": "csv"})
    run = BulkVerification.objects.create()
    t0 = time.perf_counter()
    rows = result_files(run.pk, args.records)
    print(f"wrote {rows} source records in {time.perf_counter() - t0:.1f}s")  # noqa: T201

    start = time.perf_counter()
    run = bulk.bulk_match(run_id=run.pk)
    seconds = time.perf_counter() - start
    load = run.seconds["load"]
    print(  # noqa: T201
        f"verify rows={run.rows_loaded} rejected={run.rows_rejected} "
        f"households={BulkVerification.objects.get(pk=run.pk).results.count()} "
        f"flagged={run.households_flagged} reviews={run.reviews_opened} "
        f"load_seconds={load:.1f} load_rows_per_second={run.rows_loaded / load:.0f} "
        f"match_seconds={run.seconds['match']:.1f} reviews_seconds={run.seconds['reviews']:.1f}"
    )
    bound_seconds = bound(run.pk)
    print(common.closing_line("verify", args.households, seconds, bound_seconds))  # noqa: T201


if __name__ == "__main__":
    main()
