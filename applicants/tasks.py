"""Celery tasks of applicants: take ids, call a service, safe to run twice."""

from celery import shared_task


@shared_task(name="applicants.send_sms", time_limit=60, soft_time_limit=50, max_retries=3)
def send_sms(notification_id: int) -> bool:
    from .notifications import sms_send

    return sms_send(notification_id=notification_id)
