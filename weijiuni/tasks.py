from celery import shared_task

from applicants.models import Region


@shared_task(name="weijiuni.ping", time_limit=30, soft_time_limit=20)
def ping() -> dict:
    """Round trip through the broker and the database (used by tests and operators)."""
    return {"pong": True, "regions": Region.objects.count()}
