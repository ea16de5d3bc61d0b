"""Small integrity services the workflow calls: audit reads, commitments, notices, objections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .models import AccessLog, Commitment, DishonestyRecord, Objection, PublicNotice

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
    masked: bool = False,
) -> int:
    """Write one audit row per object whose personal data the user has just read, unmasked or
    (``masked``) as the masking rules showed it."""
    rows = [
        AccessLog(
            user=user,
            object_type=object_type,
            object_id=pk,
            fields=fields,
            channel=channel,
            ip_address=client_ip(request),
            masked=masked,
        )
        for pk in object_ids
    ]
    AccessLog.objects.bulk_create(rows)
    return len(rows)


def access_log_record_query(
    *,
    user,
    object_type: str,
    ids_queryset,
    request=None,
    channel: str = "xlsx",
    fields: str = PERSONAL_FIELDS,
    masked: bool = False,
) -> int:
    """One audit row per object of a list read in bulk (an export), set-based: a single
    ``INSERT … SELECT`` over the query that selected the rows (``ids_queryset`` yields ids);
    ``masked``: the reader saw the records masked (issue 14 logs those reads too)."""
    from django.db import connection

    select, params = ids_queryset.query.sql_with_params()
    table = AccessLog._meta.db_table
    # the table is the model's own name and the SELECT Django's own SQL; every value is bound
    columns = "user_id, object_type, object_id, fields, channel, ip_address, masked, at"
    sql = f"INSERT INTO {table} ({columns}) SELECT %s, %s, ids.id, %s, %s, %s, %s, now() FROM ({select}) ids(id)"  # noqa: E501, S608  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [user.pk, object_type, fields, channel, client_ip(request), masked, *params]
        )
        return cursor.rowcount


def commitment_record(*, application, persons, channel: str, by) -> int:
    """Record the truthfulness commitment and the verification authorization of each signer.

    Signing twice is harmless: one row per application, person and kind.
    """
    rows = [
        Commitment(application=application, person=p, kind=kind, channel=channel, recorded_by=by)
        for p in persons
        for kind in Commitment.Kind.values
    ]
    Commitment.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def unsigned_adults(*, application, adults) -> list:
    """Adults of the household who have not signed both documents for this application."""
    signed = {}
    for person_id, kind in Commitment.objects.filter(application=application).values_list(
        "person_id", "kind"
    ):
        signed.setdefault(person_id, set()).add(kind)
    need = set(Commitment.Kind.values)
    return [p for p in adults if signed.get(p.pk, set()) != need]


def public_notice_open(
    *,
    application=None,
    household=None,
    purpose: str = "enrollment",
    closes_on: dt.date,
    masked_name: str,
    household_size: int,
    category: str,
    monthly_amount,
    by,
) -> PublicNotice:
    """Open the village notice: masked name, size, category, amount — never ID or address."""
    return PublicNotice.objects.create(
        application=application,
        household=household if household is not None else application.household,
        purpose=purpose,
        closes_on=closes_on,
        masked_name=masked_name,
        household_size=household_size,
        category=category,
        monthly_amount=monthly_amount,
        opened_by=by,
    )


def objection_record(*, notice: PublicNotice, text: str, by) -> Objection:
    notice.closed_early = True
    notice.save(update_fields=["closed_early"])
    return Objection.objects.create(notice=notice, text=text, recorded_by=by)


def dishonesty_record(
    *,
    household,
    person,
    reason: str,
    amount_obtained,
    fine_multiple,
    fine_amount,
    source: str,
    by,
) -> DishonestyRecord:
    """Record established fraud (失信记录) in the caller's transaction; the same source (a
    receivable, a decision) is recorded once."""
    record, _created = DishonestyRecord.objects.get_or_create(
        source=source,
        defaults={
            "household": household,
            "person": person,
            "reason": reason,
            "amount_obtained": amount_obtained,
            "fine_multiple": fine_multiple,
            "fine_amount": fine_amount,
            "recorded_by": by,
        },
    )
    return record
