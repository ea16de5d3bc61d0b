"""Demo data of integrity and oversight (SPEC §12, issue 11), made by the same services as the
pages: running notices in 张村镇, objections filed online (one answered, one waiting, one
overdue), a fraud case that ends in a dishonesty record with a recovery and a re-application
the caseworker sees flagged, complaints in every state, and refused attempts in the trail.
Idempotent: each part is keyed (a submission key, a source, the first complaint)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from applicants import applications as intake
from applicants.models import Application, Household, Region, User
from eligibility import demo_cases
from eligibility.services import notices as notice_services
from integrity import services as integrity
from integrity.errors import Refused
from integrity.models import Complaint, DishonestyRecord, PublicNotice

ZHANGCUN = "371002001"  # 张村镇, 环翠区
NOTICES_IN_ZHANGCUN = 4
FRAUD_SOURCE_NOTE = "隐瞒配偶在外务工收入，虚报家庭收入（演示）"


def _open_notices(staff) -> int:
    """Households of 张村镇 without a case get one up to the 7-day notice."""
    township = Region.objects.get(code=ZHANGCUN)
    running = PublicNotice.objects.filter(
        village__path__startswith=township.path, outcome="", closed_early=False
    ).count()
    has_case = Application.objects.filter(household=OuterRef("pk"))
    free = (
        Household.objects.filter(village__path__startswith=township.path)
        .exclude(members__user__isnull=False)
        .exclude(Exists(has_case))
        .select_related("village__parent__parent")
        .order_by("id")
    )
    made = 0
    for household in free[: max(0, NOTICES_IN_ZHANGCUN - running)]:
        with transaction.atomic():
            demo_cases._advance(household, "public_notice", staff)
        made += 1
    return made


def _objections() -> None:
    """An objection online, anonymous, waiting for its answer; one answered in writing; one
    past its answer limit (the supervisor's list shows it)."""
    notices = list(
        PublicNotice.objects.filter(outcome="", closed_early=False, application__isnull=False)
        .select_related("village__parent")
        .order_by("village__path", "pk")
    )
    outside = [n for n in notices if not n.village.path.startswith("371000/371002/371002001/")]
    inside = [n for n in notices if n.village.path.startswith("371000/371002/371002001/")]
    if len(inside) < 2 or len(outside) < 2:
        return
    notice_services.objection_file(
        reference=inside[-1].reference,
        text="该户家中有一辆货车跑运输，收入不低，建议重新核实。",
    )
    answered = notice_services.objection_file(
        reference=outside[0].reference,
        text="申请人儿子在外地工作，每月有收入。",
        objector_name="王先生",
        objector_phone="13906311234",
    )
    caseworker = User.objects.filter(
        role="caseworker", region=answered.notice.village.parent
    ).first()
    if caseworker is not None:
        notice_services.objection_answer(
            objection=answered,
            answer="经重新入户调查和经济状况核对，申请人之子已另立户籍且自身困难，"
            "不计入本家庭收入，公示内容属实，继续办理。",
            by=caseworker,
        )
    late = notice_services.objection_file(
        reference=outside[1].reference, text="公示的家庭人口与实际居住人数不符。"
    )
    # the demo's clock: filed long enough ago that its answer is overdue
    type(late).objects.filter(pk=late.pk).update(
        answer_due_on=timezone.localdate() - dt.timedelta(days=3)
    )


def _fraud(staff) -> None:
    """A deliberate fraud: the county records the overpayment with a fine of 2 times (the
    dishonesty record follows), the household repays part, and the recorded applicant files
    again — the caseworker sees the flag (一处失信，处处受限)."""
    from payments.models import Line
    from payments.services import receivables

    if DishonestyRecord.objects.filter(reason=FRAUD_SOURCE_NOTE).exists():
        return
    paid = (
        Line.objects.filter(
            status=Line.Status.PAID,
            household__village__path__startswith="371000/371002/371002001/",
            enrollment__isnull=False,
        )
        .order_by("household_id", "month")
        .select_related("household__village__parent__parent", "enrollment")
    )
    first = paid.first()
    if first is None:
        return
    household, enrollment = first.household, first.enrollment
    months = list(paid.filter(enrollment=enrollment).values_list("month", "amount")[:3])
    approver = User.objects.get(username="approver")
    with transaction.atomic():
        receivable = receivables.receivable_record(
            household=household,
            user=approver,
            reason="fraud",
            items=months,
            enrollment=enrollment,
            fine_multiple=Decimal("2.0"),
            note=FRAUD_SOURCE_NOTE,
        )
        receivables.repayment_record(
            receivable=receivable,
            amount=(receivable.total / 2).quantize(Decimal("0.01")),
            paid_on=timezone.localdate(),
            user=approver,
            note="首期退回",
        )
    data = demo_cases._data(household)
    cw = staff.get(household.village.parent.code) or staff["admin"]
    try:
        intake.application_draft_save(
            by=cw, data=data | {"requested": "temporary"}, submission_key="demo-fraud-again"
        )
    except Exception:  # noqa: BLE001 - a demo re-application the rules refuse is left out
        return


def _complaints() -> None:
    if Complaint.objects.exists():
        return
    today = timezone.localdate()
    supervisor = User.objects.get(username="supervisor")
    approver = User.objects.get(username="approver")
    township = Region.objects.get(code=ZHANGCUN)
    integrity.complaint_file(
        kind=Complaint.Kind.SLOWNESS,
        content="10月提交的低保申请，两个月了还没有入户调查，打电话也说再等等。",
        source=Complaint.Source.ANONYMOUS,
        answer_due_on=today - dt.timedelta(days=2),
        region=township,
    )
    named = integrity.complaint_file(
        kind=Complaint.Kind.INACTION,
        content="村里协理员不给代办申请，说我家条件够不上，让我别申请。",
        source=Complaint.Source.CITIZEN,
        answer_due_on=today + dt.timedelta(days=12),
        region=township,
        complainant_name="刘桂英",
        complainant_phone="13806315678",
    )
    integrity.complaint_assign(complaint=named, to=approver, by=supervisor)
    staff_tip = integrity.complaint_file(
        kind=Complaint.Kind.EMBEZZLEMENT,
        content="某村将村干部亲属纳入低保且未备案，请核查。",
        source=Complaint.Source.STAFF,
        answer_due_on=today + dt.timedelta(days=5),
        by=User.objects.get(username="caseworker"),
    )
    integrity.complaint_assign(complaint=staff_tip, to=supervisor, by=supervisor)
    integrity.complaint_answer(
        complaint=staff_tip,
        answer="经县级入户核查，该户为村干部近亲属，已补办备案并重新审核；对相关人员批评教育。",
        by=supervisor,
    )
    integrity.complaint_file(
        kind=Complaint.Kind.MISCONDUCT,
        content="救助金发放名单上有已经去世的人。",
        source=Complaint.Source.ANONYMOUS,
        answer_due_on=today + dt.timedelta(days=14),
    )


def _refused() -> None:
    """What the trail shows of attempts the platform refused."""
    for reference in ("GS0000FORGED", "GSABCDEFGHJK"):
        try:
            integrity.public_notice_for_objection(reference=reference)
        except Refused:
            pass


def seed() -> None:
    staff = demo_cases._staff()
    _open_notices(staff)
    if not Complaint.objects.exists():
        with transaction.atomic():
            _objections()
        _refused()
    _fraud(staff)
    with transaction.atomic():
        _complaints()
