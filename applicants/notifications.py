"""Messages to citizens: in-app always, SMS through a pluggable backend (like e-mail backends)."""

from __future__ import annotations

import logging

from django.conf import settings
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
    note = Notification.objects.create(user=user, message=message, application=application)
    if phone:
        sms_backend().send(phone, message)
    return note
