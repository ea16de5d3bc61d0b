"""The supervisor dashboard's pages: the charts, each chart's Excel, a township's households."""

from __future__ import annotations

import re
import tempfile
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import masking
from applicants.models import Region
from eligibility import exports as sheets
from integrity.services import access_log_record

from . import charts
from .households import category_choices, households_rows, township_households
from .params import DashboardParams, ParamsError, can_read_dashboard, scope_root

HOUSEHOLDS_PAGE = 50
MONEY = re.compile(r"^-?\d+\.\d{2}$")


def _reader(request) -> None:
    if not can_read_dashboard(request.user):
        raise Http404


def _regions_for(user) -> list[Region]:
    """The regions the filter offers: the reader's own and every county and township in it."""
    root = scope_root(user)
    if root is None:
        return []
    return list(
        Region.objects.filter(path__startswith=root.path)
        .exclude(level=Region.Level.VILLAGE)
        .order_by("path")
    )


def _trail(region: Region, root: Region | None) -> list[Region]:
    """The drill-down's way back: from the reader's root down to the selected region."""
    codes = region.ancestor_codes()
    start = len(root.ancestor_codes()) - 1 if root else 0
    found = {r.code: r for r in Region.objects.filter(code__in=codes[start:])}
    return [found[c] for c in codes[start:] if c in found]


@login_required
def dashboard(request):
    """城市督导看板: every chart from the summary tables, for the region and period chosen."""
    _reader(request)
    user = request.user
    errors: dict = {}
    try:
        params = DashboardParams.from_query(request.GET, user=user)
    except ParamsError as exc:
        errors = exc.errors
        params = DashboardParams.from_query({}, user=user) if scope_root(user) else None
    if params is None:
        raise Http404
    built = charts.last_build()
    data = charts.dashboard(params, build=built)
    for c in data["charts"].values():
        codes, levels = c.get("codes") or [], c.get("levels") or []
        # the leading text columns (names, codes) are not right-aligned like the figures
        c["head"] = {"regions": 2, "projects": 3}.get(c["kind"], 1)
        c["table"] = [
            {
                "cells": row,
                "code": codes[i] if i < len(codes) else "",
                "level": levels[i] if i < len(levels) else "",
            }
            for i, row in enumerate(c["rows"])
        ]
    period_query = urlencode(
        {
            "from": f"{params.first:%Y-%m}",
            "to": f"{params.last:%Y-%m}",
            "since": params.since.isoformat(),
        }
    )
    return render(
        request,
        "weijiuni/dashboard.html",
        {
            "data": data,
            "charts": list(data["charts"].values()),
            "headline": charts.headline(data),
            "params": params,
            "query": params.as_query(),
            "period_query": period_query,
            "errors": errors,
            "raw": request.GET,
            "regions": _regions_for(user),
            "trail": _trail(params.region, scope_root(user)),
            "is_township": params.region.level == Region.Level.TOWNSHIP,
            "categories": category_choices(),
            "built": built,
        },
        status=400 if errors else 200,
    )


@login_required
def dashboard_export(request, code: str):
    """One chart's table as Excel (streamed from a constant-memory workbook)."""
    _reader(request)
    chart = charts.CHART_BY_CODE.get(code)
    if chart is None:
        raise Http404
    try:
        params = DashboardParams.from_query(request.GET, user=request.user)
    except ParamsError as exc:
        message = "；".join(m for messages in exc.errors.values() for m in messages)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    figures = charts.dashboard(params, only=code)["charts"][code]
    rows = [*figures["rows"], *([figures["total"]] if figures.get("total") else [])]
    columns = [
        sheets.Column(header, 16 if i else 14, lambda row, i=i: _cell(row[i]))
        for i, header in enumerate(figures["columns"])
    ]
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    sheets.write_xlsx(handle.name, sheet=str(figures["title"])[:31], columns=columns, rows=rows)
    access_log_record(
        user=request.user,
        object_type=f"export:dashboard:{code}",
        object_ids=[len(rows)],
        request=request,
        channel="xlsx",
        fields=params.as_query()[:200],
    )
    handle.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"dashboard-{code}-{params.region.code}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _cell(value):
    """Money (a string with 2 places) as a number a sheet can sum; counts are numbers already;
    names and region codes stay text."""
    if isinstance(value, str) and MONEY.match(value):
        return float(value)
    return value


@login_required
def dashboard_households(request):
    """The last step of a drill-down: a township's households, masked for a masked reader and
    written to the access log (masked or not)."""
    _reader(request)
    user = request.user
    root = scope_root(user)
    code = (request.GET.get("region") or "")[:12]
    township = Region.objects.filter(code=code, level=Region.Level.TOWNSHIP).first()
    if township is None or root is None or not township.path.startswith(root.path):
        raise Http404
    category = (request.GET.get("category") or "")[:40]
    known = dict(category_choices())
    if category and category not in known:
        return HttpResponseBadRequest(
            _("未知的保障类别。"), content_type="text/plain; charset=utf-8"
        )
    ids = township_households(user=user, township=township, category=category)
    page = Paginator(ids, HOUSEHOLDS_PAGE).get_page(request.GET.get("page"))
    rows = households_rows(user=user, ids=list(page.object_list))
    unmasked = masking.record_read(
        user=user,
        object_type="household",
        object_ids=[h.pk for h in rows],
        request=request,
        fields="name,id_number",
    )
    return render(
        request,
        "weijiuni/dashboard_households.html",
        {
            "township": township,
            "trail": _trail(township, root),
            "page": page,
            "rows": rows,
            "unmasked": unmasked,
            "category": category,
            "category_name": known.get(category, ""),
            "categories": known.items(),
        },
    )
