"""Celery tasks of applicants: take ids, call a service, safe to run twice."""

from celery import shared_task
from django.db import transaction


@shared_task(name="applicants.send_sms", time_limit=60, soft_time_limit=50, max_retries=3)
def send_sms(notification_id: int) -> bool:
    from .notifications import sms_send

    return sms_send(notification_id=notification_id)


def enqueue_sms(notification_id: int) -> None:
    """Send a notification's SMS once the transaction that wrote it has committed."""
    transaction.on_commit(lambda: send_sms.delay(notification_id))


def enqueue_summaries_rebuild(reason: str) -> None:
    """Rebuild the supervisor dashboard's summaries once the transaction that finished a batch
    job (a payroll, a reconciliation, a re-evaluation) has committed. Sent by the task's name:
    no app below the hub imports it (ARCHITECTURE: dependencies point down)."""
    from celery import current_app
    from django.utils import timezone

    def send() -> None:
        current_app.send_task(
            "weijiuni.summaries_rebuild",
            kwargs={"reason": reason, "requested_at": timezone.now().isoformat()},
            # the default queue as configured when sent (a router set up earlier keeps the
            # name it first read)
            queue=current_app.conf.task_default_queue,
        )

    transaction.on_commit(send)
