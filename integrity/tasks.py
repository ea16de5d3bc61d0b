"""Celery tasks of the integrity app: thin, safe to run twice."""

from celery import shared_task

from . import trail


@shared_task(name="integrity.trail_archive", time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60)
def trail_archive() -> dict[str, int]:
    """Daily (beat): copy trail rows past the retention period to the archive; edits nothing."""
    return trail.trail_archive()


@shared_task(name="integrity.anomaly_checks", time_limit=3600, soft_time_limit=3600 - 60)
def anomaly_checks() -> dict[str, int]:
    """Nightly (beat): every fund-anomaly check; safe to run twice (findings are unique per
    check and subject, and each check runs under its own lock)."""
    from . import checks

    return {r.kind: r.found for r in checks.checks_run_all()}


@shared_task(name="integrity.sql_edit_refusals", time_limit=300, soft_time_limit=240)
def sql_edit_refusals() -> int:
    """Every minute (beat): the database's refusals of edits of audit rows become records."""
    from .services import sql_edit_refusals_record

    record = sql_edit_refusals_record()
    return record.counter if record else 0
