"""Small integrity services the workflow calls: audit reads and refused attempts, commitments,
notices and objections, the dishonesty register, complaints.

Who may act is decided by the caller (applicants.permissions, which this ground floor cannot
import); these services validate what they are given, write in the caller's transaction and
refuse with :class:`integrity.errors.Refused`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import Refused
from .models import (
    AccessLog,
    Commitment,
    Complaint,
    DishonestyRecord,
    DishonestyRemoval,
    Objection,
    PublicNotice,
    RefusedAttempt,
)

#: a NUL cannot be stored by PostgreSQL and a lone surrogate cannot be encoded: refused
_UNSAFE = re.compile("[\x00\ud800-\udfff]")
#: a reference as the platform makes them (models.new_reference): prefix + 10 characters
REFERENCE = re.compile(r"^[A-Z]{2}[23456789A-HJ-NP-Z]{10}$")

PERSONAL_FIELDS = "name,id_number,phone,income,disability,bank_account"


def sql_edit_refusals_record() -> RefusedAttempt | None:
    """Turn the database's count of refused edits of protected rows (an UPDATE or DELETE of
    the audit trail in SQL, or through any code, refused by its trigger and rolled back) into
    one RefusedAttempt for the refusals since the last one. Safe to run twice and at once: a
    transaction lock, and one record per count (a unique constraint)."""
    from django.db import connection
    from django.db.models import Max

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('integrity.sql_edit_refusals'))")
        cursor.execute("SELECT last_value, is_called FROM public.integrity_sql_edit_refusals")
        last, called = cursor.fetchone()
        count = last if called else 0
        kind = RefusedAttempt.Kind.SQL_EDIT
        seen = RefusedAttempt.objects.filter(kind=kind).aggregate(m=Max("counter"))["m"] or 0
        if count <= seen:
            return None
        return RefusedAttempt.objects.create(
            kind=kind,
            channel="sql",
            counter=count,
            target=_("审计记录（数据库）"),
            detail=_(
                "数据库拒绝了 %(new)s 次修改或删除审计记录的操作（累计 %(count)s 次），"
                "操作者见数据库日志"
            )
            % {"new": count - seen, "count": count},
        )


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
    (``masked``) as the masking rules showed it.

    One ``INSERT … SELECT unnest(ids)`` statement, committed with the request's own work or on
    its own: every list and page calls this, and ``bulk_create`` built a model instance per row
    and wrapped the statement in a transaction of its own (issue 15: a fifth of a small list's
    time)."""
    ids = [int(pk) for pk in object_ids]
    if not ids:
        return 0
    return _access_log_insert(
        source="SELECT unnest(%s::bigint[])",
        source_params=[ids],
        user=user,
        object_type=object_type,
        fields=fields,
        channel=channel,
        request=request,
        masked=masked,
    )


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
    from django.core.exceptions import EmptyResultSet

    try:
        select, params = ids_queryset.query.sql_with_params()
    except EmptyResultSet:  # ``.none()`` (a search that may match nothing) read no record
        return 0
    return _access_log_insert(
        source=select,
        source_params=list(params),
        user=user,
        object_type=object_type,
        fields=fields,
        channel=channel,
        request=request,
        masked=masked,
    )


def _access_log_insert(
    *, source: str, source_params: list, user, object_type, fields, channel, request, masked
) -> int:
    """One ``INSERT … SELECT``: an audit row per id the SQL ``source`` yields (one column)."""
    from django.db import connection

    table = AccessLog._meta.db_table
    columns = "user_id, object_type, object_id, fields, channel, ip_address, masked, at"
    # the table is the model's own name and the source our own SQL; every value is bound
    sql = f"INSERT INTO {table} ({columns}) SELECT %s, %s, ids.id, %s, %s, %s, %s, now() FROM ({source}) ids(id)"  # noqa: E501, S608  # nosec B608
    values = [user.pk, object_type, fields, channel, client_ip(request), masked, *source_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
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


def refused_attempt_record(
    *,
    kind: str,
    user=None,
    request=None,
    channel: str = "page",
    target: str = "",
    detail: str = "",
) -> RefusedAttempt:
    """Keep a refused attempt as evidence (issue 11: "refused, and the attempt itself
    audited"). Call it outside the action's transaction, which is about to roll back."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return RefusedAttempt.objects.create(
        kind=kind,
        user=user,
        channel=channel[:10],
        target=_UNSAFE.sub("", str(target))[:120],
        detail=_UNSAFE.sub("", str(detail))[:300],
        ip_address=client_ip(request),
    )


def text_field(value, *, field: str, max_length: int, required: bool, label: str) -> str:
    """A free-text input as stored: stripped, no NUL or lone surrogate, within its length;
    a required one not empty. Refused with a field error naming ``label``."""
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        msg = _("%(label)s格式不正确。") % {"label": label}
        raise Refused(msg, {field: [msg]})
    if _UNSAFE.search(text):
        msg = _("%(label)s含有不允许的字符（空字符或不成对的代理字符）。") % {"label": label}
        raise Refused(msg, {field: [msg]})
    if required and not text:
        msg = _("请填写%(label)s。") % {"label": label}
        raise Refused(msg, {field: [msg]})
    if len(text) > max_length:
        msg = _("%(label)s最多 %(n)d 个字。") % {"label": label, "n": max_length}
        raise Refused(msg, {field: [msg]})
    return text


PHONE = re.compile(r"^[0-9+\- ]{5,20}$")


def phone_field(value, *, field: str) -> str:
    text = text_field(value, field=field, max_length=20, required=False, label=_("联系电话"))
    if text and not PHONE.match(text):
        msg = _("请填写有效的联系电话（数字，5至20位）。")
        raise Refused(msg, {field: [msg]})
    return text


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
    household = household if household is not None else application.household
    return PublicNotice.objects.create(
        application=application,
        household=household,
        village_id=household.village_id,
        purpose=purpose,
        closes_on=closes_on,
        masked_name=masked_name,
        household_size=household_size,
        category=category,
        monthly_amount=monthly_amount,
        opened_by=by,
    )


def public_notice_decided(*, application_id: int, outcome: str, on: dt.date) -> int:
    """The county decided the case: its running notice becomes a line of the published result
    list (公示结果, SPEC §9: "after approval, the county's list stays publicly searchable")."""
    return PublicNotice.objects.filter(
        application_id=application_id, closed_early=False, outcome=""
    ).update(outcome=outcome, decided_on=on)


def public_notice_for_objection(
    *, reference, user=None, request=None, channel: str = "page", on: dt.date | None = None
) -> PublicNotice:
    """The notice an objection names, if it may still be objected to. A reference that is
    not one of ours (forged or mistyped) or a notice whose period is over is refused with a
    clear error, and the attempt kept (RefusedAttempt)."""
    on = on or timezone.localdate()
    reference = reference.strip().upper() if isinstance(reference, str) else ""
    notice = None
    if REFERENCE.match(reference):
        notice = PublicNotice.objects.filter(reference=reference).first()
    if notice is None:
        refused_attempt_record(
            kind=RefusedAttempt.Kind.NOTICE_FORGED,
            user=user,
            request=request,
            channel=channel,
            target=_UNSAFE.sub("", reference)[:40],
        )
        msg = _("公示编号不存在，请核对公示上的编号。")
        raise Refused(msg, {"notice": [msg]})
    superseded = (
        notice.application_id is not None
        and PublicNotice.objects.filter(
            application_id=notice.application_id, opened_at__gt=notice.opened_at
        ).exists()
    )
    # an objection already closed it early: more objections to it are still recorded and
    # answered (the case is back in the survey); a newer notice or a decision ends it
    if superseded or notice.outcome or notice.closes_on < on:
        refused_attempt_record(
            kind=RefusedAttempt.Kind.NOTICE_EXPIRED,
            user=user,
            request=request,
            channel=channel,
            target=notice.reference,
            detail=f"closes_on={notice.closes_on} closed_early={notice.closed_early}",
        )
        msg = _("该公示已于 %(d)s 结束，不能再提出异议；如有问题请通过投诉举报反映。") % {
            "d": notice.closes_on
        }
        raise Refused(msg, {"notice": [msg]})
    return notice


def objection_record(
    *,
    notice: PublicNotice,
    text: str,
    by=None,
    channel: str = Objection.Channel.WINDOW,
    objector_name: str = "",
    objector_phone: str = "",
    answer_due_on: dt.date | None = None,
) -> Objection:
    """Record an objection (online by anyone, or at the window by staff) and close the notice
    early: the case goes back to the survey (the caller reopens it). The caller computes the
    answer's time limit (a TimeLimit) and takes the notice row's lock."""
    text = text_field(text, field="text", max_length=2000, required=True, label=_("异议内容"))
    name = text_field(
        objector_name, field="objector_name", max_length=50, required=False, label=_("姓名")
    )
    phone = phone_field(objector_phone, field="objector_phone")
    if channel not in Objection.Channel.values:
        msg = _("渠道不正确。")
        raise Refused(msg, {"channel": [msg]})
    PublicNotice.objects.filter(pk=notice.pk).update(closed_early=True)
    notice.closed_early = True
    return Objection.objects.create(
        notice=notice,
        text=text,
        channel=channel,
        objector_name=name,
        objector_phone=phone,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
        answer_due_on=answer_due_on,
    )


@transaction.atomic
def objection_answer(*, objection: Objection, answer: str, by) -> Objection:
    """The written answer (书面答复) to an objection, given once; the objector reads it by the
    reference. The caller checks who may answer (the township of the notice)."""
    answer = text_field(answer, field="answer", max_length=2000, required=True, label=_("答复"))
    locked = Objection.objects.select_for_update().get(pk=objection.pk)
    if locked.answered_at is not None:
        msg = _("该异议已于 %(d)s 答复。") % {
            "d": f"{timezone.localtime(locked.answered_at):%Y-%m-%d}"
        }
        raise Refused(msg, {"answer": [msg]})
    locked.answer, locked.answered_at, locked.answered_by = answer, timezone.now(), by
    locked.save(update_fields=["answer", "answered_at", "answered_by"])
    return locked


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


def dishonesty_remove(*, record: DishonestyRecord, reasons: str, by, request=None):
    """Remove a record from the register (it stops flagging new applications), with reasons;
    once per record. The record itself stays as it was (append-only); the removal is its own
    row. The caller checks that ``by`` is the county's approver."""
    reasons = text_field(
        reasons, field="reasons", max_length=1000, required=True, label=_("移除理由")
    )
    msg = _("该失信记录已移除。")
    with transaction.atomic():
        # the record's row lock queues a second removal of the same record behind the first,
        # which then sees it removed (else both pass the check and one hits the unique key)
        DishonestyRecord.objects.select_for_update().filter(pk=record.pk).first()
        if DishonestyRemoval.objects.filter(record=record).exists():
            raise Refused(msg, {"non_field_errors": [msg]})
        try:
            with transaction.atomic():
                return DishonestyRemoval.objects.create(
                    record=record, reasons=reasons, removed_by=by, ip_address=client_ip(request)
                )
        except IntegrityError as exc:  # the last line: the one-removal-per-record key
            raise Refused(msg, {"non_field_errors": [msg]}) from exc


def complaint_file(
    *,
    kind: str,
    content,
    source: str,
    answer_due_on: dt.date,
    subject="",
    region=None,
    complainant_name="",
    complainant_phone="",
    by=None,
    request=None,
    channel: str = "page",
) -> Complaint:
    """File a complaint or tip (投诉举报, SPEC §9). One without content is refused, and the
    attempt kept; an anonymous one keeps no name or phone."""
    errors: dict[str, list[str]] = {}
    if kind not in Complaint.Kind.values:
        errors["kind"] = [_("请选择投诉举报类型。")]
    if source not in Complaint.Source.values:
        errors["source"] = [_("来源不正确。")]
    try:
        content = text_field(
            content, field="content", max_length=4000, required=True, label=_("投诉举报内容")
        )
    except Refused as exc:
        if not (isinstance(content, str) and content.strip()):
            refused_attempt_record(
                kind=RefusedAttempt.Kind.COMPLAINT_EMPTY,
                user=by,
                request=request,
                channel=channel,
                detail=f"kind={str(kind)[:20]}",
            )
        errors.update(exc.detail)
    values = {}
    for field, label, length, value in (
        ("subject", _("被投诉单位或人员"), 100, subject),
        ("complainant_name", _("姓名"), 50, complainant_name),
    ):
        try:
            values[field] = text_field(
                value, field=field, max_length=length, required=False, label=label
            )
        except Refused as exc:
            errors.update(exc.detail)
    try:
        values["complainant_phone"] = phone_field(complainant_phone, field="complainant_phone")
    except Refused as exc:
        errors.update(exc.detail)
    if errors:
        raise Refused(next(iter(errors.values()))[0], errors)
    if source == Complaint.Source.ANONYMOUS:
        values["complainant_name"] = values["complainant_phone"] = ""
    return Complaint.objects.create(
        kind=kind,
        source=source,
        content=content,
        region=region,
        filed_by=by if getattr(by, "is_authenticated", False) else None,
        answer_due_on=answer_due_on,
        **values,
    )


@transaction.atomic
def complaint_assign(*, complaint: Complaint, to, by) -> Complaint:
    """Hand a complaint to the person who will look into it (交办); not once answered. The
    caller checks that ``by`` may assign and ``to`` may handle it."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.status == Complaint.Status.ANSWERED:
        msg = _("该投诉举报已答复，不能再交办。")
        raise Refused(msg, {"assigned_to": [msg]})
    locked.assigned_to, locked.assigned_at = to, timezone.now()
    locked.status = Complaint.Status.ASSIGNED
    locked.save(update_fields=["assigned_to", "assigned_at", "status"])
    return locked


@transaction.atomic
def complaint_answer(*, complaint: Complaint, answer, by) -> Complaint:
    """The written answer to a complaint, given once; read by its reference."""
    answer = text_field(answer, field="answer", max_length=4000, required=True, label=_("答复"))
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.status == Complaint.Status.ANSWERED:
        msg = _("该投诉举报已答复。")
        raise Refused(msg, {"answer": [msg]})
    locked.answer, locked.answered_at, locked.answered_by = answer, timezone.now(), by
    locked.status = Complaint.Status.ANSWERED
    locked.save(update_fields=["answer", "answered_at", "answered_by", "status"])
    return locked
