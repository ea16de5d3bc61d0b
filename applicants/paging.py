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

import json

from django.conf import settings
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
    n = queryset.values("pk").order_by(*ordering)[: limit + 1].count()
    bare = queryset.order_by()
    if n <= limit:
        return n, True
    try:
        plan = json.loads(bare.explain(format="json"))
        estimate = int(plan[0]["Plan"]["Plan Rows"])
    except (ValueError, KeyError, IndexError, TypeError):
        estimate = 0
    return max(estimate, limit + 1), False


class BoundedPaginator(Paginator):
    """Django's paginator with a bounded count and at most ``PAGE_MAX_NUMBER`` pages.

    ``count_exact`` says whether ``count`` is exact (templates write "约" before it when not);
    ``truncated`` whether more pages exist than are offered.
    """

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        if isinstance(self.object_list, QuerySet):
            return estimated_count(self.object_list)
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
