"""Messages to citizens: in-app always, SMS through a pluggable backend (like e-mail backends)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification

logger = logging.getLogger("weijiuni.sms")


class LoggingSMSBackend:
    """Writes the SMS to the log: the default until a gateway is configured."""

    def send(self, phone: str, message: str) -> None:
        logger.info("SMS to %s: %s", phone[:3] + "****" + phone[-4:], message)


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


def notify(*, user, message: str, application=None, phone: str = "") -> Notification:
    """Write the in-app message in the caller's transaction; its SMS copy goes out after that
    transaction commits (a rolled-back action sends nothing)."""
    note = Notification.objects.create(
        user=user, message=message, application=application, sms_phone=phone
    )
    if phone:
        from .tasks import send_sms

        transaction.on_commit(lambda: send_sms.delay(note.pk))
    return note


def sms_send(*, notification_id: int) -> bool:
    """Send one notification's SMS exactly once (the row is claimed under a lock)."""
    with transaction.atomic():
        note = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, sms_sent_at__isnull=True)
            .exclude(sms_phone="")
            .first()
        )
        if note is None:
            return False
        sms_backend().send(note.sms_phone, note.message)
        note.sms_sent_at = timezone.now()
        note.save(update_fields=["sms_sent_at"])
    return True
