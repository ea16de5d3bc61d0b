"""The dashboard's charts and how each reads the summaries (never the raw tables).

A chart names a metric (:mod:`.metrics`), a shape and the values it shows:

- ``trend``: one point per month of the period (a series per key, or per value);
- ``regions``: one bar per child region of the selected region (drill-down: city → county →
  township → the township's households);
- ``keys``: one bar per key (a category …);
- ``projects``: one row per social organization's project (its organization, name and area
  beside the figures; the chart draws the ones with most funding).

Each chart is one ``SELECT … GROUP BY`` over the summary rows of the reader's region, and its
table (the same rows) is what the page shows under it, the Excel export writes and the API
returns. Adding a metric to the dashboard is one :class:`Chart` here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from applicants.models import DueFor, Region
from integrity.models import AnomalyFinding

from ..models import ServiceKind
from .metrics import BY_CODE
from .params import DashboardParams

VALUE_LABELS = {"n": _("户数/件数"), "people": _("人数"), "amount": _("金额（元）")}


@dataclass(frozen=True)
class Chart:
    code: str
    title: Promise
    metric: str
    kind: str  # trend | regions | keys
    values: tuple[str, ...]
    #: what each value is called in this chart (else VALUE_LABELS)
    value_labels: dict = field(default_factory=dict)
    #: trend: one series per key (stacked) instead of one per value
    by_key: bool = False
    #: range (the period's months) | since (days since the date) | all (every period)
    period: str = "range"
    #: inside: the rows of the selected region; overlap: also the rows of the regions above it
    #: (a project serving the whole city also serves the county read)
    scope: str = "inside"

    def label(self, value: str) -> str:
        return str(self.value_labels.get(value) or VALUE_LABELS[value])


CHARTS: list[Chart] = [
    Chart(
        code="enrolled_trend",
        title=_("在保人数（按类别、月度）"),
        metric="enrolled",
        kind="trend",
        values=("people",),
        by_key=True,
    ),
    Chart(
        code="enrolled_regions",
        title=_("在保户数与人数（按区划，期末月）"),
        metric="enrolled",
        kind="regions",
        values=("n", "people"),
        value_labels={"n": _("在保户（人）次")},
    ),
    Chart(
        code="new_enrollments",
        title=_("新纳入保障（自起始日期起，按类别）"),
        metric="new_enrollments",
        kind="keys",
        values=("n", "people"),
        value_labels={"n": _("新纳入户（人）次")},
        period="since",
    ),
    Chart(
        code="temporary_trend",
        title=_("临时救助人次与金额（月度）"),
        metric="temporary",
        kind="trend",
        values=("n", "amount"),
        value_labels={"n": _("人次")},
    ),
    Chart(
        code="paid_trend",
        title=_("资金发放（已发放，按类别、月度）"),
        metric="paid",
        kind="trend",
        values=("amount",),
        by_key=True,
    ),
    Chart(
        code="paid_regions",
        title=_("资金发放（已发放，按区划）"),
        metric="paid",
        kind="regions",
        values=("n", "amount"),
        value_labels={"n": _("笔数")},
    ),
    Chart(
        code="overdue_regions",
        title=_("超期案件（按区划，当前）"),
        metric="overdue",
        kind="regions",
        values=("n",),
        value_labels={"n": _("超期案件")},
        period="all",
    ),
    Chart(
        code="anomalies_regions",
        title=_("资金异常线索（待核查，按区划，当前）"),
        metric="anomalies",
        kind="regions",
        values=("n", "amount"),
        value_labels={"n": _("待核查线索"), "amount": _("涉及金额（元）")},
        period="all",
    ),
    Chart(
        code="served_kinds",
        title=_("春风万家服务人次与服务人数（按服务类别）"),
        metric="served",
        kind="keys",
        values=("n", "people"),
        value_labels={"n": _("服务人次"), "people": _("服务人数（按月计）")},
    ),
    Chart(
        code="projects",
        title=_("社会组织与项目资金（按项目，累计）"),
        metric="projects",
        kind="projects",
        values=("amount", "n", "people"),
        value_labels={
            "amount": _("项目资金（元）"),
            "n": _("服务人次"),
            "people": _("服务人数"),
        },
        period="all",
        scope="overlap",
    ),
    Chart(
        code="households_regions",
        title=_("登记家庭与人口（按区划）"),
        metric="households",
        kind="regions",
        values=("n", "people"),
        value_labels={"n": _("家庭"), "people": _("人口")},
        period="all",
    ),
]
CHART_BY_CODE = {c.code: c for c in CHARTS}


def key_labels() -> dict[str, str]:
    """What a key reads as: categories and results, hardship types, time limits, areas."""
    from eligibility.labels import RESULT_LABELS
    from eligibility.models import Category

    labels = {code: str(label) for code, label in RESULT_LABELS.items()}
    labels.update(dict(Category.objects.values_list("code", "name")))
    labels.update({code: str(label) for code, label in DueFor.choices})
    labels.update({code: str(label) for code, label in AnomalyFinding.Check.choices})
    labels.update(dict(ServiceKind.objects.values_list("code", "name")))
    labels.update(
        {
            "case": str(_("办结时限")),
            "emergency": str(_("急难型")),
            "expenditure": str(_("支出型")),
            "migrant_no_income": str(_("农民工无收入")),
            "urban": str(_("城市")),
            "rural": str(_("农村")),
            "": str(_("未分类")),
        }
    )
    return labels


# --- reading --------------------------------------------------------------------------------


def _where(chart: Chart, params: DashboardParams) -> tuple[str, list]:
    metric = BY_CODE[chart.metric]
    clauses = ["metric = %s", "path LIKE %s"]
    args: list = [chart.metric, params.region.path + "%"]
    if chart.scope == "overlap":
        clauses[1] = "(path LIKE %s OR %s LIKE path || '%%')"
        args.append(params.region.path)
    if chart.period == "since":
        clauses.append("period >= %s")
        args.append(params.since)
    elif chart.period == "range":
        if metric.stock and chart.kind != "trend":
            # a level (people enrolled): as at the period's last month, never summed
            clauses.append("period = %s")
            args.append(params.last)
        else:
            clauses.append("period BETWEEN %s AND %s")
            args += [params.first, params.last]
    return " AND ".join(clauses), args


def _sums(chart: Chart) -> str:
    return ", ".join(f"sum({v})" for v in chart.values)


def _rows(sql: str, args: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.fetchall()


def _money(chart: Chart, value: str, number) -> int | str:
    if value == "amount":
        return f"{Decimal(number or 0):.2f}"
    return int(number or 0)


def figures(
    chart: Chart, params: DashboardParams, labels: dict[str, str], children: list[Region]
) -> dict:
    """One chart as data: ``columns``, ``rows`` (its table), and what ECharts draws."""
    where, args = _where(chart, params)
    if chart.kind == "trend":
        return _trend(chart, params, where, args, labels)
    if chart.kind == "regions":
        return _regions(chart, params, where, args, children)
    if chart.kind == "projects":
        return _projects(chart, where, args)
    return _keys(chart, where, args, labels)


def child_regions(region: Region) -> list[Region]:
    """The bars of a region chart: a county's or the city's children, or the township itself."""
    if region.level == Region.Level.TOWNSHIP:
        return [region]
    return list(Region.objects.filter(parent=region).order_by("code"))


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, month = [], first
    while month <= last:
        out.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out


def _trend(chart, params, where, args, labels) -> dict:
    sql = (
        f"SELECT period, key, {_sums(chart)} FROM weijiuni_summaryrow "  # noqa: S608  # nosec B608
        f"WHERE {where} GROUP BY period, key"  # only the chart's own constants are formatted in
    )
    found = _rows(sql, args)
    months = _months(params.first, params.last)
    index = {m: i for i, m in enumerate(months)}
    x = [f"{m:%Y-%m}" for m in months]
    if chart.by_key:
        value = chart.values[0]
        keys = sorted({r[1] for r in found})
        table = {k: [0] * len(months) for k in keys}
        for period, key, number in found:
            table[key][index[period]] += number or 0
        series = [
            {"name": labels.get(k, k), "data": [_money(chart, value, v) for v in table[k]]}
            for k in keys
        ]
        columns = [str(_("月份")), *[labels.get(k, k) for k in keys], str(_("合计"))]
        rows = [
            [
                x[i],
                *[_money(chart, value, table[k][i]) for k in keys],
                _money(chart, value, sum(table[k][i] for k in keys)),
            ]
            for i in range(len(months))
        ]
        return {"x": x, "series": series, "columns": columns, "rows": rows, "stack": True}
    sums = {v: [0] * len(months) for v in chart.values}
    for period, _key, *numbers in found:
        for v, number in zip(chart.values, numbers, strict=True):
            sums[v][index[period]] += number or 0
    series = [
        {"name": chart.label(v), "data": [_money(chart, v, n) for n in sums[v]], "value": v}
        for v in chart.values
    ]
    columns = [str(_("月份")), *[chart.label(v) for v in chart.values]]
    rows = [[x[i], *[_money(chart, v, sums[v][i]) for v in chart.values]] for i in range(len(x))]
    return {"x": x, "series": series, "columns": columns, "rows": rows, "stack": False}


def _regions(chart, params, where, args, children) -> dict:
    region: Region = params.region
    depth = len(region.ancestor_codes())
    township = region.level == Region.Level.TOWNSHIP
    child = "%s" if township else "split_part(path, '/', %s)"
    child_arg = region.code if township else depth + 1
    sql = (
        f"SELECT {child} AS code, {_sums(chart)} FROM weijiuni_summaryrow "  # noqa: S608  # nosec B608
        f"WHERE {where} GROUP BY 1"  # only the chart's own constants are formatted in
    )
    found = {r[0]: r[1:] for r in _rows(sql, [child_arg, *args])}
    # a child with no rows still gets its bar (a zero is a figure too)
    x = [c.name for c in children]
    sums = {
        v: [found.get(c.code, (0,) * len(chart.values))[i] for c in children]
        for i, v in enumerate(chart.values)
    }
    series = [
        {"name": chart.label(v), "data": [_money(chart, v, n) for n in sums[v]], "value": v}
        for v in chart.values
    ]
    columns = [str(_("区划")), str(_("代码")), *[chart.label(v) for v in chart.values]]
    rows = [
        [c.name, c.code, *[_money(chart, v, sums[v][i]) for v in chart.values]]
        for i, c in enumerate(children)
    ]
    total = [str(_("合计")), region.code, *[_money(chart, v, sum(sums[v])) for v in chart.values]]
    return {
        "x": x,
        "codes": [c.code for c in children],
        "levels": [c.level for c in children],
        "series": series,
        "columns": columns,
        "rows": rows,
        "total": total,
        "stack": False,
    }


def _keys(chart, where, args, labels) -> dict:
    sql = (
        f"SELECT key, {_sums(chart)} FROM weijiuni_summaryrow "  # noqa: S608  # nosec B608
        f"WHERE {where} GROUP BY key ORDER BY key"  # only the chart's own constants
    )
    found = _rows(sql, args)
    x = [labels.get(r[0], r[0]) for r in found]
    series = [
        {
            "name": chart.label(v),
            "data": [_money(chart, v, r[1 + i]) for r in found],
            "value": v,
        }
        for i, v in enumerate(chart.values)
    ]
    columns = [str(_("分组")), *[chart.label(v) for v in chart.values]]
    rows = [
        [x[j], *[_money(chart, v, r[1 + i]) for i, v in enumerate(chart.values)]]
        for j, r in enumerate(found)
    ]
    total = [
        str(_("合计")),
        *[_money(chart, v, sum(r[1 + i] or 0 for r in found)) for i, v in enumerate(chart.values)],
    ]
    return {
        "x": x,
        "series": series,
        "columns": columns,
        "rows": rows,
        "total": total,
        "stack": False,
    }


#: the projects chart draws this many (most funding first); its table lists every one
PROJECTS_DRAWN = 20


def _projects(chart, where, args) -> dict:
    """One row per project in the reader's region (or serving it from above): the figures are
    the summary rows'; the organization's, project's and area's names are looked up by the
    project's id in the same statement (names, not figures: nothing is grouped but the
    summaries). The total's people are the rows with the empty key: people served by any
    project, each once."""
    picked = ", ".join(f"s.{v}" for v in chart.values)
    sql = (
        f"SELECT s.key, o.name, p.name, a.name, {picked} "  # noqa: S608  # nosec B608
        f"FROM (SELECT key, {_sums(chart)} FROM weijiuni_summaryrow WHERE {where} GROUP BY key) "
        f"AS s (key, {', '.join(chart.values)}) "  # only the chart's own constants are formatted in
        "LEFT JOIN weijiuni_project p ON p.id = nullif(s.key, '')::bigint "
        "LEFT JOIN weijiuni_socialorganization o ON o.id = p.organization_id "
        "LEFT JOIN applicants_region a ON a.id = p.area_id "
        "ORDER BY s.key = '', s.amount DESC, 2, 3, 1"
    )
    found = _rows(sql, args)
    everyone = next((r for r in found if r[0] == ""), None)
    found = [r for r in found if r[0] != ""]
    people = chart.values.index("people")

    def numbers(r) -> list:
        return [_money(chart, v, r[4 + i]) for i, v in enumerate(chart.values)]

    rows = [[r[1] or "", r[2] or f"#{r[0]}", r[3] or "", *numbers(r)] for r in found]
    drawn = found[:PROJECTS_DRAWN]
    series = [
        {"name": chart.label(v), "data": [_money(chart, v, r[4 + i]) for r in drawn], "value": v}
        for i, v in enumerate(chart.values)
    ]
    sums = [sum(r[4 + i] or 0 for r in found) for i in range(len(chart.values))]
    sums[people] = everyone[4 + people] if everyone else 0
    return {
        "x": [r[2] or f"#{r[0]}" for r in drawn],
        "series": series,
        "columns": [
            str(_("社会组织")),
            str(_("救助项目")),
            str(_("服务区域")),
            *[chart.label(v) for v in chart.values],
        ],
        "rows": rows,
        "total": [
            str(_("合计")),
            "",
            "",
            *[_money(chart, v, sums[i]) for i, v in enumerate(chart.values)],
        ],
        "stack": False,
    }


def last_build():
    from ..models import SummaryBuild

    return SummaryBuild.objects.order_by("-finished_at").first()


#: how long a computed dashboard stays in the cache (a rebuild makes a new key at once)
CACHE_SECONDS = 24 * 3600


def dashboard(params: DashboardParams, *, only: str | None = None, build=None) -> dict:
    """Every chart (or one) for the reader's filters, with the headline figures.

    The figures change only when the summaries are rebuilt, so they are cached under the
    last build's id with the filters and the language: the next rebuild's readers get new
    keys, never a stale figure. Aggregates only (no person), so one entry serves every
    reader of the same region."""
    build = build or last_build()
    key = ":".join(
        [
            "dashboard",
            str(build.pk if build else 0),
            params.region.code,
            params.first.isoformat(),
            params.last.isoformat(),
            params.since.isoformat(),
            only or "all",
            get_language() or "",
        ]
    )
    found = cache.get(key)
    if found is None:
        found = _dashboard(params, only=only, build=build)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _dashboard(params: DashboardParams, *, only: str | None, build) -> dict:
    labels = key_labels()
    charts = [c for c in CHARTS if only is None or c.code == only]
    children = child_regions(params.region) if any(c.kind == "regions" for c in charts) else []
    out = {}
    for chart in charts:
        out[chart.code] = {
            "code": chart.code,
            "title": str(chart.title),
            "kind": chart.kind,
            **figures(chart, params, labels, children),
        }
    return {
        "region": {
            "code": params.region.code,
            "name": params.region.name,
            "level": params.region.level,
        },
        "first": f"{params.first:%Y-%m}",
        "last": f"{params.last:%Y-%m}",
        "since": params.since.isoformat(),
        "built_at": build.finished_at.isoformat() if build else None,
        "charts": out,
    }


def headline(data: dict) -> list[tuple[str, object]]:
    """The numbers at the top of the page, read off the charts' totals."""
    charts = data["charts"]

    def total(code: str, i: int):
        row = charts.get(code, {}).get("total")
        return row[i] if row else 0

    def trend_sum(code: str, i: int) -> object:
        rows = charts.get(code, {}).get("rows") or []
        s = sum(Decimal(str(r[i])) for r in rows)
        return f"{s:.2f}" if any("." in str(r[i]) for r in rows) else int(s)

    return [
        (str(_("在保人数（期末月）")), total("enrolled_regions", 3)),
        (str(_("登记家庭")), total("households_regions", 2)),
        (str(_("新纳入（自起始日期）")), total("new_enrollments", 1)),
        (str(_("临时救助人次")), trend_sum("temporary_trend", 1)),
        (str(_("临时救助金额（元）")), trend_sum("temporary_trend", 2)),
        (str(_("已发放资金（元）")), total("paid_regions", 3)),
        (str(_("超期案件")), total("overdue_regions", 2)),
        (str(_("资金异常线索")), total("anomalies_regions", 2)),
        (str(_("社会组织项目资金（元）")), total("projects", 3)),
        (str(_("社会组织服务人数")), total("projects", 5)),
    ]
