"""Working days (工作日) for the time limits of MZ-2021, with the Chinese holiday calendar.

chinese-calendar knows the State Council's holidays and make-up working days for the years it
ships; an administrator's ``WorkdayOverride`` rows win over it, and beyond its years (it raises
for them) Monday to Friday are working days until an override says otherwise.

That fallback is silently wrong at Spring Festival, so a year counts as *covered* only when
chinese-calendar ships it or an administrator loaded its holiday notice (``load_holidays``, which
writes the overrides and a ``HolidayCalendarYear``); ``calendar_gap`` names the first day that is
not, for the system check, the admin pages and ``/healthz``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import chinese_calendar
from chinese_calendar.constants import holidays as _library_holidays
from django.utils.translation import gettext as _


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


#: the years chinese-calendar ships the State Council's notices for (it raises outside them)
LIBRARY_YEARS = range(min(_library_holidays).year, max(_library_holidays).year + 1)

#: how far ahead the calendar must be known: the longest time limit (45 working days) fits in it
CALENDAR_LOOKAHEAD_DAYS = 60


def covered_years() -> set[int]:
    """Years whose holidays are known: chinese-calendar's plus those an administrator loaded."""
    from .models import HolidayCalendarYear

    return set(LIBRARY_YEARS) | set(HolidayCalendarYear.objects.values_list("year", flat=True))


def calendar_gap(
    today: dt.date, days: int = CALENDAR_LOOKAHEAD_DAYS, covered: Iterable[int] | None = None
) -> dt.date | None:
    """The first day from ``today`` to ``today + days`` in a year whose holidays nobody loaded,
    or None when the whole window is covered. ``covered`` defaults to ``covered_years()``."""
    known = set(covered_years() if covered is None else covered)
    end = today + dt.timedelta(days=days)
    for year in range(today.year, end.year + 1):
        if year not in known:
            return max(today, dt.date(year, 1, 1))
    return None


def calendar_gap_message(gap: dt.date) -> str:
    """What an administrator is told about a gap (admin pages and the system check)."""
    return _(
        "节假日日历只覆盖到 %(last)s：自 %(gap)s 起周一至周五一律按工作日计算，春节等法定节假日"
        "会被算作工作日，办理时限将偏早。请按国务院办公厅公布的 %(year)s 年节假日安排，用 "
        "“manage.py load_holidays 文件.csv”导入（格式见运维手册 docs/operations.md）。"
    ) % {"last": gap - dt.timedelta(days=1), "gap": gap, "year": gap.year}


@dataclass(frozen=True)
class HolidayRow:
    """One line of a holiday file: a rest day (放假) or a make-up working day (调休上班)."""

    line: int
    day: dt.date
    is_workday: bool
    note: str


class HolidayFileError(ValueError):
    """A holiday file with bad lines; ``errors`` names each by its line number."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


HOLIDAY_COLUMNS = ("date", "is_workday", "note")
_TRUE = {"1", "true", "yes", "y", "是", "上班", "工作日"}
_FALSE = {"0", "false", "no", "n", "否", "放假", "休息日"}
_NOTE_MAX = 100  # WorkdayOverride.note


def parse_holiday_csv(data: bytes) -> list[HolidayRow]:
    """Read ``date,is_workday,note`` lines (UTF-8, with or without BOM; a header line first).

    Every bad line is reported with its number at once, and nothing is returned unless all
    are good, so a file is loaded whole or not at all.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HolidayFileError(
            [_("文件不是 UTF-8 编码（第 %(n)s 字节）。") % {"n": exc.start}]
        ) from exc
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(c.strip().lower() for c in header) != HOLIDAY_COLUMNS:
        msg = _("第%(line)s行：表头应为“date,is_workday,note”。") % {"line": reader.line_num or 1}
        raise HolidayFileError([msg])
    rows: list[HolidayRow] = []
    errors: list[str] = []
    seen: dict[dt.date, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(HOLIDAY_COLUMNS):
            errors.append(
                _("第%(line)s行：应有3列（date,is_workday,note），实有%(n)s列。")
                % {"line": line, "n": len(cells)}
            )
            continue
        raw_day, raw_flag, note = (c.strip() for c in cells)
        problems = []
        try:
            day = dt.date.fromisoformat(raw_day)
        except ValueError:
            day = None
            problems.append(_("日期“%(v)s”无效，应为 YYYY-MM-DD") % {"v": raw_day})
        flag = raw_flag.lower()
        if flag not in _TRUE | _FALSE:
            problems.append(
                _("is_workday“%(v)s”无效，应为 1（上班）或 0（放假）") % {"v": raw_flag}
            )
        if len(note) > _NOTE_MAX:
            problems.append(_("说明超过%(n)s个字") % {"n": _NOTE_MAX})
        if day is not None and day in seen:
            problems.append(_("日期 %(d)s 与第%(first)s行重复") % {"d": day, "first": seen[day]})
        if problems:
            errors.append(_("第%(line)s行：") % {"line": line} + "；".join(problems) + "。")
            continue
        seen[day] = line
        rows.append(HolidayRow(line=line, day=day, is_workday=flag in _TRUE, note=note))
    if not rows and not errors:
        errors.append(_("文件中没有日期行。"))
    if errors:
        raise HolidayFileError(errors)
    return rows


def holiday_file_years(rows: Iterable[HolidayRow]) -> set[int]:
    """The years a file covers: those it gives at least one rest day for. A notice's make-up
    working day may fall in the year before (e.g. a Saturday before New Year); that alone does
    not make the earlier year known."""
    return {r.day.year for r in rows if not r.is_workday}
