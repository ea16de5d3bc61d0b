"""Loading a year's State Council holiday notice (国务院办公厅节假日安排) into the calendar the
time limits count working days with, for the years chinese-calendar does not ship."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from .models import HolidayCalendarYear, WorkdayOverride
from .workdays import HolidayRow, holiday_file_years


@dataclass(frozen=True)
class HolidaysLoaded:
    created: int
    updated: int
    unchanged: int
    years: tuple[int, ...]  # years the file made covered (already loaded ones included)
    new_years: tuple[int, ...]  # of those, the ones not loaded before


@transaction.atomic
def holidays_load(*, rows: Sequence[HolidayRow], source: str = "") -> HolidaysLoaded:
    """Write a parsed holiday file as ``WorkdayOverride`` rows and mark its years as loaded.

    Safe to run twice: a day already saying the same is left alone, so the second run writes
    nothing. A day the file does not mention keeps what it had (an administrator's own
    correction is not undone by a reload).
    """
    existing = {o.day: o for o in WorkdayOverride.objects.filter(day__in=[r.day for r in rows])}
    new, changed, unchanged = [], [], 0
    for row in rows:
        override = existing.get(row.day)
        if override is None:
            new.append(WorkdayOverride(day=row.day, is_workday=row.is_workday, note=row.note))
        elif (override.is_workday, override.note) != (row.is_workday, row.note):
            override.is_workday, override.note = row.is_workday, row.note
            changed.append(override)
        else:
            unchanged += 1
    # A concurrent load of the same file may insert a day between the read and here; the
    # upsert makes that a harmless overwrite with the same values instead of an error.
    WorkdayOverride.objects.bulk_create(
        new, update_conflicts=True, unique_fields=["day"], update_fields=["is_workday", "note"]
    )
    WorkdayOverride.objects.bulk_update(changed, ["is_workday", "note"])
    years = sorted(holiday_file_years(rows))
    loaded = set(HolidayCalendarYear.objects.values_list("year", flat=True))
    new_years = [y for y in years if y not in loaded]
    HolidayCalendarYear.objects.bulk_create(
        [HolidayCalendarYear(year=y, source=source[:200]) for y in new_years],
        ignore_conflicts=True,
    )
    return HolidaysLoaded(
        created=len(new),
        updated=len(changed),
        unchanged=unchanged,
        years=tuple(years),
        new_years=tuple(new_years),
    )
