"""The dashboard's filters (region, period, "since"), checked at the edge, and who may read it.

The page and the API take the same query parameters and get the same errors:
``region`` (a city, county or township code inside the reader's region), ``from`` and ``to``
(months ``YYYY-MM`` inside the months the summaries keep), ``since`` (a day ``YYYY-MM-DD``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Region, Role
from eligibility.services.enrollments import add_months, month_of

from .build import window

MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
CODE = re.compile(r"^\d{6,12}$", re.ASCII)
#: the default period: this many months up to the last month kept
DEFAULT_MONTHS = 12


class ParamsError(Exception):
    """Bad filters: ``errors`` maps each parameter to its messages (a 400 at the edge)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def can_read_dashboard(user) -> bool:
    """督导看板: the city supervisor (their region, read-only) and the administrator."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_admin_role or user.role == Role.SUPERVISOR)
    )


def scope_root(user) -> Region | None:
    """The widest region the reader sees: an administrator the city, a supervisor theirs."""
    if user.is_admin_role:
        return Region.objects.filter(parent__isnull=True).order_by("path").first()
    return user.region if user.region_id else None


@dataclass(frozen=True)
class DashboardParams:
    region: Region
    first: dt.date
    last: dt.date
    since: dt.date

    @classmethod
    def from_query(cls, query, *, user, today: dt.date | None = None) -> DashboardParams:
        today = today or timezone.localdate()
        root = scope_root(user)
        errors: dict[str, list[str]] = {}
        if root is None:
            raise ParamsError({"region": [_("您的账号未设置所属区划。")]})
        kept_first, kept_last = window(today)
        region = root
        code = (query.get("region") or "").strip()
        if code:
            found = Region.objects.filter(code=code).first() if CODE.match(code) else None
            if found is None or found.level == Region.Level.VILLAGE:
                errors["region"] = [_("请选择市、县级或镇街区划。")]
            elif not found.path.startswith(root.path):
                errors["region"] = [_("该区划不在您的查看范围内。")]
            else:
                region = found
        last = _month(query, "to", kept_first, kept_last, errors) or kept_last
        first = _month(query, "from", kept_first, kept_last, errors) or max(
            kept_first, add_months(last, 1 - DEFAULT_MONTHS)
        )
        if first > last and "from" not in errors and "to" not in errors:
            errors["from"] = [_("起始月份不能晚于截止月份。")]
        since = first
        raw = (query.get("since") or "").strip()
        if raw:
            try:
                since = dt.date.fromisoformat(raw) if DAY.match(raw) else None
            except ValueError:
                since = None
            if since is None:
                errors["since"] = [_("请按 YYYY-MM-DD 填写日期。")]
            elif since < kept_first or since > today:
                errors["since"] = [
                    _("日期须在 %(first)s 至 %(today)s 之间。")
                    % {"first": kept_first.isoformat(), "today": today.isoformat()}
                ]
        if errors:
            raise ParamsError(errors)
        return cls(region=region, first=first, last=last, since=since)

    def as_query(self) -> str:
        from urllib.parse import urlencode

        return urlencode(
            {
                "region": self.region.code,
                "from": f"{self.first:%Y-%m}",
                "to": f"{self.last:%Y-%m}",
                "since": self.since.isoformat(),
            }
        )


def _month(query, name: str, first: dt.date, last: dt.date, errors) -> dt.date | None:
    raw = (query.get(name) or "").strip()
    if not raw:
        return None
    match = MONTH.match(raw)
    if not match or int(match.group(1)) < 1 or not 1 <= int(match.group(2)) <= 12:
        errors[name] = [_("请按 YYYY-MM 填写月份。")]
        return None
    month = dt.date(int(match.group(1)), int(match.group(2)), 1)
    if not first <= month <= last:
        errors[name] = [
            _("月份须在 %(first)s 至 %(last)s 之间。")
            % {"first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}"}
        ]
        return None
    return month_of(month)
