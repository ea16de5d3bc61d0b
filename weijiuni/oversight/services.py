"""The hub's oversight actions: who may act is asked of applicants.permissions, the time limit
of TimeLimit, and the write is integrity's (the ground floor knows neither)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from applicants import permissions
from applicants.applications import today, workday_overrides
from applicants.errors import DomainError
from applicants.models import Region, TimeLimit, User, time_limit
from applicants.workdays import add_workdays
from integrity import services as integrity
from integrity.errors import Refused
from integrity.models import Complaint, DishonestyRecord, RefusedAttempt


def _domain(exc: Refused) -> DomainError:
    return DomainError(exc.message, exc.detail)


def complaint_file(
    *,
    kind,
    content,
    anonymous: bool,
    subject="",
    region_code="",
    complainant_name="",
    complainant_phone="",
    by=None,
    request=None,
    channel: str = "page",
) -> Complaint:
    """File a complaint (投诉举报): from staff when a member of staff files it, else from a
    citizen, anonymous if asked; due for an answer within the limit (TimeLimit)."""
    staff = getattr(by, "is_authenticated", False) and by.role not in ("citizen",)
    source = (
        Complaint.Source.STAFF
        if staff and not anonymous
        else Complaint.Source.ANONYMOUS
        if anonymous
        else Complaint.Source.CITIZEN
    )
    region = None
    code = (region_code or "").strip() if isinstance(region_code, str) else ""
    if code:
        region = (
            Region.objects.filter(code=code).first() if code.isascii() and code.isdigit() else None
        )
        if region is None:
            msg = _("没有这个区划。")
            raise DomainError(msg, {"region": [msg]})
    due = add_workdays(
        today(), time_limit(TimeLimit.Code.COMPLAINT_ANSWER_DAYS), workday_overrides()
    )
    try:
        return integrity.complaint_file(
            kind=kind,
            content=content,
            source=source,
            answer_due_on=due,
            subject=subject,
            region=region,
            complainant_name=complainant_name,
            complainant_phone=complainant_phone,
            by=by if not anonymous else None,
            request=request,
            channel=channel,
        )
    except Refused as exc:
        raise _domain(exc) from exc


def complaint_assign(*, complaint: Complaint, to: User | None, by) -> Complaint:
    permissions.require(permissions.can_assign_complaints(by), _("只有市级督导可以交办投诉举报。"))
    if to is None or not permissions.may_take_complaint(to):
        msg = _("请选择承办人（督导、县级审批人或镇街经办人）。")
        raise DomainError(msg, {"assigned_to": [msg]})
    try:
        with transaction.atomic():
            return integrity.complaint_assign(complaint=complaint, to=to, by=by)
    except Refused as exc:
        raise _domain(exc) from exc


def complaint_answer(*, complaint: Complaint, answer, by) -> Complaint:
    permissions.require(
        permissions.can_handle_complaint(by, complaint), _("只有承办人或市级督导可以答复。")
    )
    try:
        with transaction.atomic():
            return integrity.complaint_answer(complaint=complaint, answer=answer, by=by)
    except Refused as exc:
        raise _domain(exc) from exc


def dishonesty_remove(*, record: DishonestyRecord, reasons, by, request=None, channel="page"):
    """Take a record off the register (it no longer flags applications): the county's approver
    with reasons. A refusal for lack of right is kept as a refused attempt."""
    village = record.household.village
    if not permissions.can_remove_dishonesty(by, village):
        integrity.refused_attempt_record(
            kind=RefusedAttempt.Kind.DISHONESTY_REMOVAL,
            user=by,
            request=request,
            channel=channel,
            target=f"integrity.DishonestyRecord:{record.pk}",
        )
        permissions.require(False, _("只有家庭所在县级审批人可以移除失信记录。"))
    try:
        with transaction.atomic():
            return integrity.dishonesty_remove(
                record=record, reasons=reasons, by=by, request=request
            )
    except Refused as exc:
        raise _domain(exc) from exc


def objection_answer_read(*, objection, request, channel: str) -> None:
    """Log the reading of an objection's written answer by its reference (查询答复): the
    answer is staff's words about a household, so each read is in the access log — by the
    reader's account, or by the public account (网上公众) for a reader without one."""
    if not objection.answered:
        return
    from eligibility.services.notices import public_account

    user = request.user if request.user.is_authenticated else public_account()
    integrity.access_log_record(
        user=user,
        object_type="objection",
        object_ids=[objection.pk],
        request=request,
        channel=channel,
        fields="answer",
    )
