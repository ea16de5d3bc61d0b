"""Rebuilding the dashboard's summaries (督导看板汇总): after each batch job and nightly.

One transaction: take the advisory lock, delete every summary row, insert each metric's rows
(one ``INSERT … SELECT`` per metric), record the build. Readers keep seeing the previous
summaries until the commit (MVCC), never a half-built set; a second rebuild waits for the lock
and then replaces the first's rows with its own, so two at once leave one set. A rebuild asked
for before the last finished build started is skipped: that build already saw its data.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from eligibility.services.enrollments import add_months, month_of

from ..models import SummaryBuild
from .metrics import METRICS, Metric

#: pg_advisory_xact_lock key of the rebuild ("WJN-DASH")
LOCK_KEY = 0x574A4E44415348

#: a metric's rows with their township's path. A plain SELECT, because PostgreSQL plans no
#: parallel scan for the SELECT of an ``INSERT … SELECT``: over twelve million payment lines the
#: parallel aggregate is what keeps the rebuild within its 10 seconds. The rows it returns are
#: few (townships × periods × keys) and go back in one insert.
SELECT = """
    SELECT m.township_id, t.path, m.period, coalesce(m.key, ''), m.n, m.people, m.amount
    FROM ({sql}) AS m (township_id, period, key, n, people, amount)
    JOIN applicants_region t ON t.id = m.township_id
"""
INSERT = """
    INSERT INTO weijiuni_summaryrow (metric, township_id, path, period, key, n, people, amount)
    SELECT %s, * FROM unnest(%s::bigint[], %s::text[], %s::date[], %s::text[], %s::bigint[],
                             %s::bigint[], %s::numeric[])
"""


def window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The months kept: ``DASHBOARD_MONTHS`` back from this month, and next month (an
    enrollment approved this month starts next month)."""
    this = month_of(today)
    return add_months(this, 1 - settings.DASHBOARD_MONTHS), add_months(this, 1)


def _params(today: dt.date) -> dict:
    first, last = window(today)
    return {"first": first, "last": last, "today": today, "tz": settings.TIME_ZONE}


def _statement(metric: Metric, params: dict) -> tuple[str, dict | list]:
    if callable(metric.sql):
        sql, sql_params = metric.sql(params)
        return SELECT.replace("{sql}", sql), sql_params
    return SELECT.replace("{sql}", metric.sql), params


def _write(cursor, metric: Metric, params: dict) -> int:
    for statement in metric.prepare:
        cursor.execute(statement, params)
    sql, sql_params = _statement(metric, params)
    cursor.execute(sql, sql_params)
    rows = cursor.fetchall()
    if not rows:
        return 0
    columns = [list(c) for c in zip(*rows, strict=True)]
    cursor.execute(INSERT, [metric.code, *columns])
    return len(rows)


def summaries_rebuild(
    *, reason: str, requested_at: dt.datetime | None = None, today: dt.date | None = None
) -> SummaryBuild | None:
    """Replace every summary row with what the tables say now; safe to run twice and at once.

    Returns the build, or ``None`` when a build that started after ``requested_at`` has
    already finished (it saw everything committed before the request)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
            if (
                requested_at is not None
                and SummaryBuild.objects.filter(started_at__gt=requested_at).exists()
            ):
                return None
            started_at, clock = timezone.now(), time.perf_counter()
            params = _params(today)
            cursor.execute("DELETE FROM weijiuni_summaryrow")
            rows = 0
            for metric in METRICS:
                rows += _write(cursor, metric, params)
        return SummaryBuild.objects.create(
            reason=reason[:60],
            started_at=started_at,
            finished_at=timezone.now(),
            seconds=time.perf_counter() - clock,
            rows=rows,
            as_of=today,
        )
