"""Celery tasks of the integrity app: thin, safe to run twice."""

from celery import shared_task

from . import trail


@shared_task(name="integrity.trail_archive", time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60)
def trail_archive() -> dict[str, int]:
    """Daily (beat): copy trail rows past the retention period to the archive; edits nothing."""
    return trail.trail_archive()
