"""Small integrity services the workflow calls."""

from __future__ import annotations

from collections.abc import Iterable

from .models import AccessLog

PERSONAL_FIELDS = "name,id_number,phone,income,disability,bank_account"


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def access_log_record(
    *,
    user,
    object_type: str,
    object_ids: Iterable[int],
    request=None,
    channel: str = "page",
    fields: str = PERSONAL_FIELDS,
) -> int:
    """Write one audit row per object whose personal data the user has just read unmasked."""
    rows = [
        AccessLog(
            user=user,
            object_type=object_type,
            object_id=pk,
            fields=fields,
            channel=channel,
            ip_address=client_ip(request),
        )
        for pk in object_ids
    ]
    AccessLog.objects.bulk_create(rows)
    return len(rows)
