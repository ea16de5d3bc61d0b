import datetime as dt

from celery import shared_task

from applicants.models import Region

from .dashboard.build import summaries_rebuild


@shared_task(name="weijiuni.ping", time_limit=30, soft_time_limit=20)
def ping() -> dict:
    """Round trip through the broker and the database (used by tests and operators)."""
    return {"pong": True, "regions": Region.objects.count()}


@shared_task(
    name="weijiuni.summaries_rebuild",
    acks_late=True,
    time_limit=600,
    soft_time_limit=540,
    max_retries=2,
)
def summaries_rebuild_task(reason: str = "manual", requested_at: str | None = None) -> int | None:
    """Rebuild the dashboard's summaries; a request older than the last build is skipped."""
    asked = dt.datetime.fromisoformat(requested_at) if requested_at else None
    build = summaries_rebuild(reason=reason, requested_at=asked)
    return build.pk if build is not None else None
