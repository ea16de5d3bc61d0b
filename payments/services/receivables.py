"""Overpayment recovery (追缴, MZ-2021; fraud: repayment and a fine of 1–3 times, SPEC §9 —
the range is a standard, ``fraud_fine_min_multiple`` / ``fraud_fine_max_multiple``).

Receivables come from two places: payroll generation finds months paid beyond what the ledger
now says (a change dated in the past: ``batches._retroactive``), and staff record what a review
or a fraud finding shows was paid without entitlement (:func:`receivable_record`). A receivable
is offset against later payments (generation withholds from the regular line) or repaid
(:func:`repayment_record`); its balance has one writer at a time (row lock).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import permissions
from applicants.models import Household
from eligibility.models import Enrollment, StandardItem
from eligibility.selectors import standard_value
from eligibility.services.enrollments import month_of
from integrity.services import dishonesty_record

from ..models import Line, Receivable, ReceivableItem, Repayment
from .batches import _refuse

CENT = Decimal("0.01")


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except Exception:  # noqa: BLE001 - any unparsable value is the same field error
        _refuse(_("请输入金额（元）。"), field)
    if not amount.is_finite() or amount <= 0:
        _refuse(_("金额应为大于零、最多两位小数的元。"), field)
    if amount >= Decimal("1e12"):  # before quantize, which cannot hold 1e400 to the cent
        _refuse(_("金额过大。"), field)
    if amount != amount.quantize(CENT):
        _refuse(_("金额应为大于零、最多两位小数的元。"), field)
    return amount


def fine_range(village) -> tuple[Decimal, Decimal]:
    """The fine's multiples in force today for a village (SPEC §9: 1–3 times)."""
    on = timezone.localdate()
    low, high = (
        standard_value(item=item, region=village, area=village.area, on=on)
        for item in (StandardItem.FRAUD_FINE_MIN_MULTIPLE, StandardItem.FRAUD_FINE_MAX_MULTIPLE)
    )
    if low is None or high is None:
        _refuse(
            _("未设置骗取保障金罚款倍数标准，请管理员在“标准”中补充后再认定。"), "fine_multiple"
        )
    return low, high


def paid_for(enrollment: Enrollment, month: dt.date) -> Decimal:
    """What the lines paid for an enrollment and month (paid lines, reissues included)."""
    total = Decimal("0.00")
    for line in Line.objects.filter(
        enrollment=enrollment, month=month, status=Line.Status.PAID
    ).only("amount", "withheld"):
        total += line.amount + line.withheld
    return total


def recoverable(enrollment: Enrollment, month: dt.date) -> Decimal:
    """What is left to recover for an enrollment's month: what was paid less what earlier
    receivables already itemised."""
    recorded = sum(
        ReceivableItem.objects.filter(enrollment=enrollment, month=month).values_list(
            "amount", flat=True
        ),
        Decimal("0.00"),
    )
    return paid_for(enrollment, month) - recorded


def receivable_record(
    *,
    household: Household,
    user,
    reason: str,
    items: Iterable[tuple[dt.date, object]],
    enrollment: Enrollment | None = None,
    schedule: str = Receivable.Schedule.REPAY,
    installment=None,
    fine_multiple=None,
    note: str = "",
) -> Receivable:
    """Record money paid without entitlement, itemised per month. A review's finding is the
    township's to record; fraud, with its fine (1–3 times: the standards in force), the county's."""
    if reason not in (Receivable.Reason.REVIEW, Receivable.Reason.FRAUD):
        _refuse(_("请选择追缴原因。"), "reason")
    if schedule not in Receivable.Schedule.values:
        _refuse(_("请选择追缴方式。"), "schedule")
    village = household.village
    if reason == Receivable.Reason.FRAUD:
        permissions.require(
            permissions.can_decide_case(user, village),
            _("骗取保障金的认定和罚款由区市审批人办理。"),
        )
    else:
        permissions.require(
            permissions.can_close_review(user, village)
            or permissions.can_decide_case(user, village),
            _("您没有办理追缴的权限。"),
        )
    if enrollment is not None and enrollment.household_id != household.pk:
        _refuse(_("该保障对象不属于此家庭。"), "enrollment")
    if schedule == Receivable.Schedule.OFFSET and enrollment is None:
        _refuse(_("从后续待遇中抵扣需要选择保障对象。"), "schedule")
    months: dict[dt.date, Decimal] = {}
    for month, amount in items:
        month = month_of(month)
        if month in months:
            _refuse(_("同一月份只能填写一次。"), "items")
        months[month] = _money(amount, "items")
    if not months:
        _refuse(_("请逐月填写多发金额。"), "items")
    total = sum(months.values(), Decimal("0.00"))
    fine_amount = None
    if reason == Receivable.Reason.FRAUD:
        low, high = fine_range(village)
        try:
            multiple = Decimal(str(fine_multiple))
        except Exception:  # noqa: BLE001
            multiple = Decimal(0)
        if not (multiple.is_finite() and low <= multiple <= high) or (
            multiple != multiple.quantize(Decimal("0.1"))
        ):
            _refuse(
                _("罚款倍数应在 %(low)s 至 %(high)s 倍之间（一位小数）。")
                % {"low": f"{low.normalize():f}", "high": f"{high.normalize():f}"},
                "fine_multiple",
            )
        fine_multiple, fine_amount = multiple, (total * multiple).quantize(CENT)
    else:
        fine_multiple = None
    if installment not in (None, ""):
        installment = _money(installment, "installment")
    else:
        installment = None
    if len(note) > 500 or "\x00" in note:
        _refuse(_("说明最多 500 字。"), "note")
    with transaction.atomic():
        if enrollment is not None:
            # one writer of an enrollment's recoveries at a time: two recordings of the same
            # month at once would each see the other's items missing and together recover
            # more than was paid
            Enrollment.objects.select_for_update().filter(pk=enrollment.pk).first()
            for month, amount in months.items():
                if amount > recoverable(enrollment, month):
                    _refuse(
                        _("%(m)s 追缴金额超过当月实际发放金额。") % {"m": f"{month:%Y-%m}"},
                        "items",
                    )
        receivable = Receivable.objects.create(
            household=household,
            enrollment=enrollment,
            reason=reason,
            schedule=schedule,
            installment=installment,
            total=total,
            balance=total,
            fine_multiple=fine_multiple,
            fine_amount=fine_amount,
            note=note,
            created_by=user,
        )
        ReceivableItem.objects.bulk_create(
            ReceivableItem(
                receivable=receivable,
                enrollment=enrollment,
                month=month,
                amount=amount,
            )
            for month, amount in sorted(months.items())
        )
        if reason == Receivable.Reason.FRAUD:  # the dishonesty register (SPEC §9) has it too
            dishonesty_record(
                household=household,
                person=household.members.filter(relation="applicant").first(),
                reason=note or _("骗取社会救助资金"),
                amount_obtained=total,
                fine_multiple=fine_multiple,
                fine_amount=fine_amount,
                source=f"payments.Receivable:{receivable.pk}",
                by=user,
            )
    return receivable


def repayment_record(
    *, receivable: Receivable, amount, paid_on: dt.date, user, note: str = ""
) -> Repayment:
    """Money the household returned: lowers the balance, never below zero."""
    amount = _money(amount, "amount")
    if len(note) > 200 or "\x00" in note:
        _refuse(_("说明最多 200 字。"), "note")
    with transaction.atomic():
        receivable = (
            Receivable.objects.select_for_update()
            .select_related("household__village")
            .get(pk=receivable.pk)
        )
        village = receivable.household.village
        permissions.require(
            permissions.can_close_review(user, village)
            or permissions.can_decide_case(user, village),
            _("您没有登记退回的权限。"),
        )
        if receivable.status != Receivable.Status.OPEN:
            _refuse(_("该追缴已结清。"), "amount")
        if amount > receivable.balance:
            _refuse(_("退回金额超过未追回余额 %(b)s 元。") % {"b": receivable.balance}, "amount")
        repayment = Repayment.objects.create(
            receivable=receivable, amount=amount, paid_on=paid_on, note=note, recorded_by=user
        )
        receivable.balance -= amount
        if receivable.balance == 0:
            receivable.status = Receivable.Status.SETTLED
        receivable.save(update_fields=["balance", "status"])
    return repayment
