"""Counting and paging big lists without counting them (issue 15).

A ``COUNT(*)`` of a join over a million households costs more than the page it labels. Lists
count exactly while the count is small (``EXACT_COUNT_LIMIT``: a bounded count reads at most
that many rows) and otherwise give the planner's estimate, labelled as such. The pages a
person turns (the inbox, the household list, the overdue list) number their pages, at most
``PAGE_MAX_NUMBER`` of them: past that a person narrows the list with its filters or search,
and a page number beyond it shows the last page allowed (an ``OFFSET`` of a million rows is
never run). The API pages by cursor instead (weijiuni/api/pagination.py).
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


def estimated_count(queryset: QuerySet, *, ordering=("-pk",)) -> tuple[int, bool]:
    """``(n, exact)``: exact when at most ``EXACT_COUNT_LIMIT`` rows match, else the
    planner's estimate (never below the limit + 1, which is known to be exceeded).

    The bounded count reads the first rows in ``ordering`` — the list's own, so the index
    that serves the list's page serves its count (a bare LIMIT over a filter the rows rarely
    meet was a sequential scan of the whole table)."""
    limit = settings.EXACT_COUNT_LIMIT
    bare = queryset.order_by()
    key = _estimate_key(bare, limit)
    if key is not None and (known := cache.get(key)) is not None:
        return known, False
    n = queryset.values("pk").order_by(*ordering)[: limit + 1].count()
    if n <= limit:
        return n, True
    try:
        plan = json.loads(bare.explain(format="json"))
        estimate = int(plan[0]["Plan"]["Plan Rows"])
    except (ValueError, KeyError, IndexError, TypeError):
        estimate = 0
    estimate = max(estimate, limit + 1)
    if key is not None:
        cache.set(key, estimate, settings.ESTIMATED_COUNT_SECONDS)
    return estimate, False


def _estimate_key(bare: QuerySet, limit: int) -> str | None:
    """The cache key of a list's estimate: its SQL with the parameters (the reader's scope and
    filters are in it), so two readers share an estimate exactly when they read the same rows.
    Only estimates are kept (for ``ESTIMATED_COUNT_SECONDS``): a list past the exact limit
    was counted with a bounded count and an EXPLAIN on every request and every page turned —
    most of the database's work behind a page of 25 rows (issue 15). An exact count is never
    kept, so a small list is always exact and current."""
    try:
        sql = str(bare.query)
    except EmptyResultSet:
        return None
    digest = hashlib.sha256(f"{limit}\x00{sql}".encode()).hexdigest()
    return f"estimated-count:{bare.model._meta.label_lower}:{digest}"


class BoundedPaginator(Paginator):
    """Django's paginator with a bounded count and at most ``PAGE_MAX_NUMBER`` pages.

    ``count_exact`` says whether ``count`` is exact (templates write "约" before it when not);
    ``truncated`` whether more pages exist than are offered.
    """

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        if isinstance(self.object_list, QuerySet):
            return estimated_count(self.object_list)
        if isinstance(self.object_list, SegmentedList):
            return estimated_count(self.object_list.query_set)
        return len(self.object_list), True

    @cached_property
    def count(self) -> int:
        return self._counted[0]

    @property
    def count_exact(self) -> bool:
        return self._counted[1]

    @cached_property
    def num_pages(self) -> int:
        return min(super().num_pages, settings.PAGE_MAX_NUMBER)

    @property
    def truncated(self) -> bool:
        return Paginator.num_pages.func(self) > self.num_pages


class SegmentedList:
    """A list in an order no index gives whole, read as disjoint parts one after the other,
    each in an order an index gives (``(Q, ordering)`` pairs, e.g.
    ``eligibility.selectors.application_segments``), for a page-numbered paginator.

    A page ``[offset, offset + n)`` reads at most each part's first ``offset + n`` entries
    in index order (the queryset is narrow: ids; at most ``PAGE_MAX_NUMBER`` pages deep),
    skipping the parts the offset passes whole: a city's inbox sorted "overdue first" by a
    CASE sorted every open case on every page.
    """

    def __init__(self, queryset: QuerySet, parts) -> None:
        self.query_set = queryset.order_by()
        self.parts = list(parts)

    def __getitem__(self, page: slice) -> list:
        if not isinstance(page, slice) or page.step not in (None, 1):
            raise TypeError("SegmentedList is read a page (a slice) at a time")
        offset, stop = page.start or 0, page.stop
        rows: list = []
        for q, ordering in self.parts:
            want = None if stop is None else stop - (page.start or 0) - len(rows)
            if want is not None and want <= 0:
                break
            part = self.query_set.filter(q).order_by(*ordering)
            if not offset:
                rows += list(part[:want])
                continue
            # One read of the part's first offset + want entries (the list is narrow: ids):
            # what it skips is counted from them, where a bounded COUNT and then an OFFSET
            # read walked the same index entries twice (a city's inbox page 100, issue 15)
            head = list(part[: None if want is None else offset + want])
            if len(head) <= offset:
                offset -= len(head)
                continue
            rows += head[offset:]
            offset = 0
        return rows
