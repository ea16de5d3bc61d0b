"""What the supervisor dashboard counts (SPEC §10): one SQL statement per metric.

Each metric's statement returns rows of ``(township_id, period, key, n, people, amount)`` —
one township, one period (a month's first day, a day, or the build's day for a snapshot), one
key (a category, a hardship type, a time limit …) — and the rebuild
(:mod:`weijiuni.dashboard.build`) inserts them into ``weijiuni_summaryrow`` under the metric's
code. Adding a metric is one :class:`Metric` here and one chart in :mod:`.charts`.

Statements take these parameters: ``first`` and ``last`` (first days of the first and last
month kept), ``today`` and ``tz`` (the city's time zone, for timestamps to days).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import CharField, Count, F, Value
from django.db.models.functions import Coalesce, NullIf

#: persons who still live in each household (a household enrollment covers them all)
_SIZES = """
    SELECT household_id, count(*) AS size FROM applicants_person
    WHERE status = 'living' GROUP BY household_id
"""


@dataclass(frozen=True)
class Metric:
    """One summary: ``sql`` is a statement, or a function of the parameters returning
    ``(sql, params)`` (for a metric whose definition lives in another app's selectors).

    ``grain`` is ``month`` (period = first of the month), ``day`` or ``snapshot`` (period =
    the build's day: a count of now, such as the overdue cases). ``stock`` metrics are a level
    at each period (people enrolled): a reader takes the last period, never a sum over
    periods; the others are flows (paid, new) and are summed."""

    code: str
    sql: str | Callable[[dict], tuple[str, list]]
    grain: str = "month"
    stock: bool = False
    #: statements run before ``sql`` in the rebuild's transaction (a metric that keeps sums of
    #: what can no longer change, so that ``sql`` reads only what can)
    prepare: tuple[str, ...] = ()


# 在保: people covered by an active enrollment in each month (a household enrollment covers
# its living members, a member's own enrollment one person). Computed from starts and ends
# (+1 in the start month, -1 in the month after the end) summed over the months, so the cost
# is one pass over the enrollments, not one per month.
ENROLLED = Metric(
    code="enrolled",
    stock=True,
    sql=f"""
    WITH e AS (
        -- one row per township, category, start and end: a million enrollments become a few
        -- thousand rows before the months are counted
        SELECT v.parent_id AS township_id, c.code AS key, e.start_month AS s, e.end_month AS t,
               count(*) AS n,
               sum(CASE WHEN e.person_id IS NULL THEN coalesce(hs.size, 1) ELSE 1 END) AS people
        FROM eligibility_enrollment e
        JOIN eligibility_category c ON c.id = e.category_id
        JOIN applicants_household h ON h.id = e.household_id
        JOIN applicants_region v ON v.id = h.village_id
        LEFT JOIN ({_SIZES}) hs ON hs.household_id = e.household_id
        WHERE (e.end_month IS NULL OR e.end_month >= e.start_month)
          AND e.start_month <= %(last)s
        GROUP BY 1, 2, 3, 4
    ), d AS (
        SELECT township_id, key, greatest(s, %(first)s) AS month, n, people FROM e
        UNION ALL
        SELECT township_id, key, greatest((t + interval '1 month')::date, %(first)s), -n, -people
        FROM e WHERE t IS NOT NULL AND t < %(last)s
    ), g AS (
        SELECT township_id, key, month, sum(n) AS n, sum(people) AS people
        FROM d GROUP BY 1, 2, 3
    ), k AS (
        SELECT DISTINCT township_id, key FROM g
    ), months AS (
        SELECT generate_series(%(first)s::date, %(last)s::date, interval '1 month')::date AS month
    )
    SELECT township_id, period, key, n, people, 0 FROM (
        SELECT k.township_id, m.month AS period, k.key,
               sum(coalesce(g.n, 0)) OVER w AS n, sum(coalesce(g.people, 0)) OVER w AS people
        FROM k CROSS JOIN months m
        LEFT JOIN g ON g.township_id = k.township_id AND g.key = k.key AND g.month = m.month
        WINDOW w AS (PARTITION BY k.township_id, k.key ORDER BY m.month)
    ) x WHERE n <> 0 OR people <> 0
    """,  # noqa: S608  # nosec B608 - a constant subquery; values are parameters
)

# 新纳入: enrollments made each day (纳入时间), by category: "new since a date" sums the days.
NEW_ENROLLMENTS = Metric(
    code="new_enrollments",
    grain="day",
    sql=f"""
    SELECT v.parent_id, (e.created_at AT TIME ZONE %(tz)s)::date, c.code, count(*),
           sum(CASE WHEN e.person_id IS NULL THEN coalesce(hs.size, 1) ELSE 1 END), 0
    FROM eligibility_enrollment e
    JOIN eligibility_category c ON c.id = e.category_id
    JOIN applicants_household h ON h.id = e.household_id
    JOIN applicants_region v ON v.id = h.village_id
    LEFT JOIN ({_SIZES}) hs ON hs.household_id = e.household_id
    WHERE e.created_at >= %(first)s::timestamp AT TIME ZONE %(tz)s
    GROUP BY 1, 2, 3
    """,  # noqa: S608  # nosec B608 - a constant subquery; values are parameters
)

# 临时救助: grants approved each month (人次 and yuan), by hardship type; cancelled ones not.
TEMPORARY = Metric(
    code="temporary",
    sql="""
    SELECT v.parent_id, date_trunc('month', g.approved_at AT TIME ZONE %(tz)s)::date,
           g.hardship_type, count(*), count(*), sum(g.amount)
    FROM eligibility_temporarygrant g
    JOIN applicants_household h ON h.id = g.household_id
    JOIN applicants_region v ON v.id = h.village_id
    WHERE g.status <> 'cancelled'
      AND g.approved_at >= %(first)s::timestamp AT TIME ZONE %(tz)s
    GROUP BY 1, 2, 3
    """,
)

# 资金发放: money the banks confirmed paid (status paid), by the month it was for and by category.
# A reconciled batch's lines are final, so each is summed once (PaidBatch/PaidBatchRow) and the
# statement reads the lines of the batches still open only: twelve months of a million lines
# are not read again at every rebuild.
PAID = Metric(
    code="paid",
    prepare=(
        """
        WITH new AS (
            INSERT INTO weijiuni_paidbatch (batch_id, summed_at)
            SELECT b.id, now() FROM payments_batch b
            WHERE b.state = 'reconciled'
              AND NOT EXISTS (SELECT 1 FROM weijiuni_paidbatch p WHERE p.batch_id = b.id)
            RETURNING batch_id
        )
        INSERT INTO weijiuni_paidbatchrow (batch_id, township_id, month, category, n, amount)
        SELECT l.batch_id, l.township_id, l.month, l.category, count(*), sum(l.amount)
        FROM new JOIN payments_line l ON l.batch_id = new.batch_id
        WHERE l.status = 'paid'
        GROUP BY 1, 2, 3, 4
        """,
    ),
    sql="""
    SELECT township_id, month, category, sum(n), 0, sum(amount) FROM (
        SELECT r.township_id, r.month, r.category, r.n, r.amount
        FROM weijiuni_paidbatchrow r
        WHERE r.month BETWEEN %(first)s AND %(last)s
        UNION ALL
        SELECT l.township_id, l.month, l.category, 1, l.amount
        FROM payments_batch b
        JOIN payments_line l ON l.batch_id = b.id
        WHERE b.state <> 'reconciled' AND l.status = 'paid'
          AND l.month BETWEEN %(first)s AND %(last)s
    ) x
    GROUP BY 1, 2, 3
    """,
)


def _overdue(params: dict) -> tuple[str, list]:
    """超期案件 now, by the time limit missed: the inbox's own definition (issue 13)."""
    from applicants.models import Application
    from eligibility.selectors import open_overdue_q

    today: dt.date = params["today"]
    qs = (
        Application.objects.filter(open_overdue_q(today))
        .order_by()
        .values(
            township=F("village__parent_id"),
            period=Value(today),
            group=Coalesce(NullIf("due_for", Value("")), Value("case"), output_field=CharField()),
        )
        .annotate(n=Count("id"), people=Value(0), amount=Value(0))
        .values_list("township", "period", "group", "n", "people", "amount")
    )
    sql, sql_params = qs.query.sql_with_params()
    # by the columns' names: the ORM chooses the order of its SELECT list
    columns = 'SELECT "township", "period", "group", "n", "people", "amount"'
    return f"{columns} FROM ({sql}) q", list(sql_params)


OVERDUE = Metric(code="overdue", grain="snapshot", stock=True, sql=_overdue)

# 登记家庭: households registered each month (and their living members); all months, so that
# the sum over periods is every household registered.
HOUSEHOLDS = Metric(
    code="households",
    sql=f"""
    SELECT v.parent_id, date_trunc('month', h.created_at AT TIME ZONE %(tz)s)::date, v.area,
           count(*), coalesce(sum(hs.size), 0), 0
    FROM applicants_household h
    JOIN applicants_region v ON v.id = h.village_id
    LEFT JOIN ({_SIZES}) hs ON hs.household_id = h.id
    GROUP BY 1, 2, 3
    """,  # noqa: S608  # nosec B608 - a constant subquery; values are parameters
)

# 资金异常线索: the fund-anomaly findings still open now (integrity.checks), by check, in the
# township of the household they concern (every check names one), with the money involved.
ANOMALIES = Metric(
    code="anomalies",
    grain="snapshot",
    stock=True,
    sql="""
    SELECT v.parent_id, %(today)s::date, f.kind, count(*), 0, coalesce(sum(f.amount), 0)
    FROM integrity_anomalyfinding f
    JOIN applicants_household h ON h.id = f.household_id
    JOIN applicants_region v ON v.id = h.village_id
    WHERE f.status = 'open'
    GROUP BY 1, 2, 3
    """,
)

# 春风万家: services delivered each month (人次) and the people served, by service kind, in the
# township of the person's household (the hub's deliveries, one per person, kind and day).
SERVED = Metric(
    code="served",
    sql="""
    SELECT v.parent_id, date_trunc('month', d.delivered_on)::date, k.code, count(*),
           count(DISTINCT d.person_id), 0
    FROM weijiuni_delivery d
    JOIN weijiuni_servicekind k ON k.id = d.service_kind_id
    JOIN applicants_person p ON p.id = d.person_id
    JOIN applicants_household h ON h.id = p.household_id
    JOIN applicants_region v ON v.id = h.village_id
    WHERE d.delivered_on >= %(first)s
      AND d.delivered_on < (%(last)s::date + interval '1 month')
    GROUP BY 1, 2, 3
    """,
)

# 社会组织与项目资金: each organization's projects, now (all deliveries so far), keyed by the
# project's id. Two kinds of rows per project:
# - in the township of each served person's household: the services delivered (人次) and the
#   people served (distinct per township and project: a person lives in one township, so the
#   sum over townships is the project's distinct people);
# - in the project's own area (a city, county, township or village: ``township_id`` is then
#   that region, ``path`` its path): its funding, once.
# The rows with the empty key are the people served by any project (distinct per township),
# so that a total does not count twice a person two projects served.
PROJECTS = Metric(
    code="projects",
    grain="snapshot",
    stock=True,
    sql="""
    SELECT township_id, %(today)s::date, key, sum(n), sum(people), sum(amount) FROM (
        -- one pass over the deliveries: per township and project, and per township alone
        SELECT v.parent_id AS township_id, coalesce(d.project_id::text, '') AS key,
               CASE WHEN grouping(d.project_id) = 1 THEN 0 ELSE count(*) END AS n,
               count(DISTINCT d.person_id) AS people, 0 AS amount
        FROM weijiuni_delivery d
        JOIN applicants_person p ON p.id = d.person_id
        JOIN applicants_household h ON h.id = p.household_id
        JOIN applicants_region v ON v.id = h.village_id
        GROUP BY GROUPING SETS ((v.parent_id, d.project_id), (v.parent_id))
        UNION ALL
        SELECT pr.area_id, pr.id::text, 0, 0, pr.funding FROM weijiuni_project pr
    ) x
    GROUP BY 1, 3
    """,
)

#: every metric the rebuild writes, in order
METRICS: list[Metric] = [
    ENROLLED,
    NEW_ENROLLMENTS,
    TEMPORARY,
    PAID,
    OVERDUE,
    HOUSEHOLDS,
    ANOMALIES,
    SERVED,
    PROJECTS,
]
BY_CODE = {m.code: m for m in METRICS}
