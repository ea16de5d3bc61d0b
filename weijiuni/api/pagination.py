"""Keyset (cursor) pagination: the default of every list in /api/v1/ (issue 15).

A page is found by where the previous one ended, not by counting the rows before it: the query
of page 10,000 costs what page 1 costs (an index range from the cursor), where ``OFFSET`` read
and threw away every row before it. The count is exact only while small
(``EXACT_COUNT_LIMIT``); past that the planner's estimate is given and labelled
``count_exact: false`` — never a ``COUNT(*)`` of a million-row join per request.

How a list uses it (new lists inherit it from ``REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]``):

- order the queryset (``.order_by(...)``) by columns of the model or annotations; ``id`` (or
  ``-id``) is added last when missing, so that the order is total. Index that order (with the
  list's region scope and filters) — the EXPLAIN test of every list checks it.
- a list whose order starts with a computed flag (the applications: overdue first) gives
  ``keyset_segments(request)`` on the view: ``[(Q, ordering), …]``, disjoint filters read one
  after the other, each in its own indexable order.

The cursor is signed (``django.core.signing``) and names the order it belongs to: a cursor
edited by hand, or taken to another list, is a 400, never a scan.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import OrderedDict
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from applicants.paging import estimated_count

SALT = "weijiuni.api.cursor"
#: the text of a cursor is bounded before it is even checked
CURSOR_MAX_LENGTH = 1000


def _encode_value(value):
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value


def _decode_value(value):
    if isinstance(value, dict):
        if "t" in value:
            return dt.datetime.fromisoformat(value["t"])
        if "d" in value:
            return dt.date.fromisoformat(value["d"])
        if "n" in value:
            return Decimal(value["n"])
        raise ValueError(value)
    return value


def _attname(row, name: str) -> str:
    """A foreign key orders by its column (``household`` → ``household_id``)."""
    try:
        return row._meta.get_field(name).attname
    except Exception:  # noqa: BLE001 - an annotation is no field: read it as it is
        return name


def _row_value(row, name: str):
    """The row's value of an ordering key; a key across a relation (``department__code``)
    follows the related objects (the list selects them with the row). A list of ids (a
    ``values_list("pk", flat=True)``, ordered by the id alone) is its own key."""
    if not hasattr(row, "_meta"):
        if name != "id":
            raise TypeError(f"a flat list orders by its ids only, not {name!r}")
        return row
    *path, last = name.split("__")
    for step in path:
        row = getattr(row, step)
        if row is None:
            return None
    return getattr(row, _attname(row, last))


def _keys(ordering) -> list[tuple[str, bool]]:
    """``("-is_overdue", "due_on")`` → ``[("is_overdue", True), ("due_on", False)]``, with the
    primary key last (a total order: no two rows share a position)."""
    keys = []
    for item in ordering:
        if not isinstance(item, str):
            raise TypeError(f"keyset ordering must be field names, not {item!r}")
        name = item.lstrip("-")
        keys.append(("id" if name == "pk" else name, item.startswith("-")))
    if not any(name == "id" for name, _ in keys):
        keys.append(("id", keys[0][1] if keys else True))
    return keys


def _after(keys, values, *, reverse: bool) -> Q:
    """Rows strictly after ``values`` in the order ``keys`` (before, when ``reverse``), with
    PostgreSQL's NULL placement (last ascending, first descending)."""

    def beyond(name, desc, value):
        desc = desc != reverse
        nulls_last = not desc
        if value is None:
            # after NULL: nothing when NULLs come last, every non-NULL when they come first
            return Q(pk__in=[]) if nulls_last else Q(**{f"{name}__isnull": False})
        q = Q(**{f"{name}__{'lt' if desc else 'gt'}": value})
        return q | Q(**{f"{name}__isnull": True}) if nulls_last else q

    def same(name, value):
        return Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})

    result = Q(pk__in=[])
    for i, (name, desc) in enumerate(keys):
        term = beyond(name, desc, values[i])
        for prior, prior_value in zip(keys[:i], values[:i], strict=True):
            term &= same(prior[0], prior_value)
        result |= term
    first_name, first_desc = keys[0]
    if values[0] is not None:
        # the same condition, plus a bound on the first key alone: an index range to start from
        op = "lte" if first_desc != reverse else "gte"
        bound = Q(**{f"{first_name}__{op}": values[0]})
        if first_desc == reverse:  # ascending: NULLs come last, after every value
            bound |= Q(**{f"{first_name}__isnull": True})
        result &= bound
    return result


class KeysetPagination(pagination.BasePagination):
    """``?cursor=`` (from ``next``/``previous``) and ``?page_size=`` (default
    ``PAGE_SIZE``, at most ``max_page_size``; a larger one is answered with the largest)."""

    page_size_query_param = "page_size"
    max_page_size = 200
    cursor_query_param = "cursor"

    def __init__(self):
        self.page_size = settings.REST_FRAMEWORK.get("PAGE_SIZE", 50)

    # --- the request ---------------------------------------------------------------------

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ValidationError({self.page_size_query_param: [_("请填写 1 以上的整数。")]})
        return min(int(raw), self.max_page_size)

    def _refuse_page_numbers(self, request) -> None:
        page = request.query_params.get("page")
        if page not in (None, "", "1"):
            raise ValidationError(
                {
                    "page": [
                        _(
                            "列表按游标翻页：请使用上一页结果中的 next 链接（cursor 参数），"
                            "不支持页码。"
                        )
                    ]
                }
            )

    def _decode_cursor(self, request, orders: list[str]):
        raw = request.query_params.get(self.cursor_query_param)
        if raw in (None, ""):
            return None
        invalid = ValidationError(
            {self.cursor_query_param: [_("翻页游标无效，请从第一页重新开始。")]}
        )
        if len(raw) > CURSOR_MAX_LENGTH:
            raise invalid
        try:
            data = signing.loads(raw, salt=SALT)
            segment, values, reverse, order = (data[k] for k in ("s", "v", "r", "o"))
            if order != orders[segment] or not isinstance(reverse, bool) or segment < 0:
                raise invalid
            return segment, [_decode_value(v) for v in values], reverse
        except (signing.BadSignature, KeyError, TypeError, ValueError, IndexError) as exc:
            raise invalid from exc

    def _encode_cursor(self, segment: int, row, keys, reverse: bool, orders) -> str:
        values = [_encode_value(_row_value(row, name)) for name, _desc in keys]
        payload = {"s": segment, "v": values, "r": reverse, "o": orders[segment]}
        return signing.dumps(payload, salt=SALT, compress=True)

    # --- the page ------------------------------------------------------------------------

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self._refuse_page_numbers(request)
        size = self.get_page_size(request)
        segments_of = getattr(view, "keyset_segments", None)
        ordering = queryset.query.order_by or queryset.model._meta.ordering
        segments = segments_of(request) if segments_of else [(Q(), ordering)]
        segments = [(q, _keys(ordering)) for q, ordering in segments]
        orders = [json.dumps(keys) for _q, keys in segments]
        cursor = self._decode_cursor(request, orders)
        start, values, reverse = cursor if cursor else (0, None, False)
        rows: list[tuple[int, object]] = []
        step = -1 if reverse else 1
        segment = start
        while 0 <= segment < len(segments) and len(rows) <= size:
            q, keys = segments[segment]
            qs = queryset.filter(q)
            ordering = [f"{'-' if desc != reverse else ''}{name}" for name, desc in keys]
            if values is not None and segment == start:
                qs = qs.filter(_after(keys, values, reverse=reverse))
            for row in qs.order_by(*ordering)[: size + 1 - len(rows)]:
                rows.append((segment, row))
            segment += step
        more = len(rows) > size
        rows = rows[:size]
        if reverse:
            rows.reverse()
        self.page = [row for _s, row in rows]
        first_keys = segments[0][1]
        self.count, self.count_exact = self._count(
            queryset, [f"{'-' if desc else ''}{name}" for name, desc in first_keys]
        )
        self.next_cursor = self.previous_cursor = None
        if rows:
            first_segment, first = rows[0]
            last_segment, last = rows[-1]
            has_next = (more and not reverse) or (reverse and cursor is not None)
            has_previous = (more and reverse) or (not reverse and cursor is not None)
            if has_next:
                keys = segments[last_segment][1]
                self.next_cursor = self._encode_cursor(last_segment, last, keys, False, orders)
            if has_previous:
                keys = segments[first_segment][1]
                self.previous_cursor = self._encode_cursor(first_segment, first, keys, True, orders)
        return self.page

    def _count(self, queryset, ordering) -> tuple[int, bool]:
        """Exact up to ``EXACT_COUNT_LIMIT`` (a bounded count: at most that many rows read, in
        the list's order), else the planner's estimate of the list's rows, labelled as such."""
        return estimated_count(queryset, ordering=ordering)

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), "page")
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data):
        return Response(
            OrderedDict(
                [
                    ("count", self.count),
                    ("count_exact", self.count_exact),
                    ("next", self._link(self.next_cursor)),
                    ("previous", self._link(self.previous_cursor)),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "count_exact", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": "行数：不超过 EXACT_COUNT_LIMIT 时精确，否则为估计值",
                },
                "count_exact": {"type": "boolean", "description": "count 是否为精确值"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "翻页游标：取自上一页结果的 next 或 previous 链接，不要自行构造",
                "schema": {"type": "string", "maxLength": CURSOR_MAX_LENGTH},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"每页行数，默认 {self.page_size}，最大 {self.max_page_size}",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]


# Older imports of the page-number class get the keyset one: there is one way to page a list.
PageNumberPagination = KeysetPagination
