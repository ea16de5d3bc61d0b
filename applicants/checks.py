"""System checks: a working-day calendar about to run out (SPEC §6 time limits count on it)."""

from __future__ import annotations

from django.core.checks import Warning as CheckWarning
from django.db import DatabaseError
from django.utils import timezone

from .workdays import LIBRARY_YEARS, calendar_gap, calendar_gap_message


def check_calendar_coverage(app_configs=None, **kwargs) -> list[CheckWarning]:
    """Warn when the next 60 days reach a year with no holiday calendar (W001)."""
    today = timezone.localdate()
    try:
        gap = calendar_gap(today)
    except DatabaseError:
        # Before ``migrate`` (or without a database) only the library's years are known; the
        # warning is still true then, and a check must not stop the command that runs it.
        gap = calendar_gap(today, covered=LIBRARY_YEARS)
    if gap is None:
        return []
    return [
        CheckWarning(
            calendar_gap_message(gap),
            hint="manage.py load_holidays <file.csv>",
            id="applicants.W001",
        )
    ]
