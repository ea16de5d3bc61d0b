"""Working days (工作日) for the time limits of MZ-2021, with the Chinese holiday calendar.

chinese-calendar knows the State Council's holidays and make-up working days for the years it
ships; an administrator's ``WorkdayOverride`` rows win over it, and beyond its years (it raises
for them) Monday to Friday are working days until an override says otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import chinese_calendar


def is_workday(day: dt.date, overrides: Mapping[dt.date, bool] | None = None) -> bool:
    if overrides and day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_workdays(
    start: dt.date, days: int, overrides: Mapping[dt.date, bool] | None = None
) -> dt.date:
    """The date ``days`` working days after ``start`` (the start day itself does not count)."""
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_workday(day, overrides):
            left -= 1
    return day


def workdays_between(
    start: dt.date, end: dt.date, overrides: Mapping[dt.date, bool] | None = None
) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end ≤ start)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day, overrides):
            count += 1
    return count
