"""The caseworker inbox of a township with many open cases (issue 4): p95 of the page.

    python -m bench.inbox [--households 5000] [--requests 60]

Generates open applications in 张村镇, then requests the inbox page (first page, and pages
spread through the list) as the township caseworker, and measures p95 latency. The bound is the
p95 of the plain-SQL query that fetches the same page of rows, measured in the same run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from bench import common


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def generate(households: int) -> None:
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from applicants import demo
    from applicants.models import Application, Household, Region, User
    from eligibility import demo as eligibility_demo

    demo.seed_regions()
    demo.seed_accounts()
    eligibility_demo.seed()
    villages = list(Region.objects.filter(parent__code="371002001", level="village"))
    creator = User.objects.get(username="caseworker")
    rng = random.Random(7)  # nosec B311  # reproducible benchmark data
    today = timezone.localdate()
    states = ["submitted", "accepted", "verifying", "surveyed", "proposed", "public_notice"]
    batch = 2000
    for start in range(0, households, batch):
        n = min(batch, households - start)
        homes = Household.objects.bulk_create(
            Household(village=villages[i % len(villages)], address=f"bench {start + i}")
            for i in range(n)
        )
        Application.objects.bulk_create(
            Application(
                household=h,
                village=h.village,
                channel="window",
                created_by=creator,
                state=rng.choice(states),
                data={},
                due_on=today + dt.timedelta(days=rng.randint(-10, 20)),
                case_due_on=today + dt.timedelta(days=rng.randint(-5, 40)),
            )
            for h in homes
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(requests: int) -> tuple[list[float], list[float], int]:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from applicants.models import User

    client = Client()
    client.force_login(User.objects.get(username="caseworker"))
    client.get("/cases/")  # warm up
    # Seeded: reproducible benchmark page numbers, not secrets.
    pages = [1] + [random.Random(i).randint(1, 50) for i in range(requests - 1)]  # nosec B311
    page_times = []
    for page in pages:
        start = time.perf_counter()
        response = client.get(f"/cases/?page={page}")
        page_times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"inbox page answered {response.status_code}")
    path = User.objects.get(username="caseworker").region.path
    today = timezone.localdate()
    sql = """
        SELECT a.id, a.state, a.channel, a.due_on, a.case_due_on, v.name, t.name
        FROM applicants_application a
        JOIN applicants_region v ON v.id = a.village_id
        JOIN applicants_region t ON t.id = v.parent_id
        WHERE v.path LIKE %s AND a.state IN
          ('submitted','accepted','verifying','surveyed','proposed','public_notice','returned')
        ORDER BY (a.due_on < %s OR a.case_due_on < %s) DESC, a.due_on, a.id DESC
        LIMIT 25 OFFSET %s
    """
    sql_times = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM applicants_application")
        total = cursor.fetchone()[0]
        for page in pages:
            start = time.perf_counter()
            cursor.execute(sql, [path + "%", today, today, (page - 1) * 25])
            cursor.fetchall()
            sql_times.append(time.perf_counter() - start)
    return page_times, sql_times, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    common.setup()
    generate(args.households)
    page_times, sql_times, total = measure(args.requests)
    print(
        f"inbox open_cases={total} requests={args.requests} "
        f"p50_ms={statistics.median(page_times) * 1000:.1f} p95_ms={p95(page_times) * 1000:.1f}"
    )
    print(common.closing_line("inbox", args.households, p95(page_times), p95(sql_times)))


if __name__ == "__main__":
    main()
