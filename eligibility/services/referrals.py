"""政策找人 (SPEC §3, §10): when a household enters a category, the hub refers it to every
policy serving that category, in the department that owns the policy; the department's
officer accepts, declines with a reason, or records the benefit given.

A referral is made in the same transaction as the enrollment (or the one-off grant) that put
the household in the category, so a household is never in a category without its referrals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import permissions
from applicants.errors import DomainError
from applicants.models import Household, User

from ..models import Category, Enrollment, Policy, Referral, ReferralBenefit
from ..rules.money import quantize_yuan


class ReferralError(DomainError):
    pass


def _fail(field: str, message: str) -> ReferralError:
    return ReferralError(message, {field: [message]})


def _policies_by_category(codes: Iterable[str]) -> dict[str, list[Policy]]:
    """Active policies serving each category code, in one query."""
    out: dict[str, list[Policy]] = {}
    rows = (
        Policy.objects.filter(is_active=True, categories__code__in=set(codes))
        .select_related("department")
        .prefetch_related("categories")
        .order_by("code")
        .distinct()
    )
    for policy in rows:
        for category in policy.categories.all():
            out.setdefault(category.code, []).append(policy)
    return out


def _open_referrals(
    *,
    household: Household,
    items: list[tuple[Category, str, int | None, Enrollment | None]],
) -> list[Referral]:
    """Refer ``household`` for each (category, result code, person id, enrollment): one
    referral per policy serving the category, except the policies the result itself pays
    (低保金 for 低保) and policies the household already has an open referral to. The partial
    unique index is the last guard when two approvals race (ON CONFLICT DO NOTHING)."""
    policies = _policies_by_category(c.code for c, *_ in items)
    already = set(
        Referral.objects.filter(
            household=household,
            status__in=[Referral.Status.PENDING, Referral.Status.ACCEPTED],
        ).values_list("policy_id", flat=True)
    )
    rows = []
    for category, result_code, person_id, enrollment in items:
        for policy in policies.get(category.code, []):
            if result_code in policy.paid_by_enrollment or policy.pk in already:
                continue
            already.add(policy.pk)
            rows.append(
                Referral(
                    household=household,
                    person_id=person_id,
                    policy=policy,
                    department_id=policy.department_id,
                    category=category,
                    enrollment=enrollment,
                )
            )
    Referral.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


def referrals_for_enrollments(*, enrollments: list[Enrollment]) -> list[Referral]:
    """The referrals an approval makes: called by the approval, in its transaction."""
    if not enrollments:
        return []
    household = enrollments[0].household
    return _open_referrals(
        household=household,
        items=[(e.category, e.policy_code, e.person_id, e) for e in enrollments],
    )


def referrals_for_temporary(*, household: Household) -> list[Referral]:
    """临时救助 puts the household in the ``temporary`` category for this episode: refer it to
    the other policies serving that category (受灾人员救助 …)."""
    category = Category.objects.filter(code="temporary").first()
    if category is None:
        return []
    return _open_referrals(household=household, items=[(category, "temporary", None, None)])


def _locked(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("department", "policy")
        .get(pk=referral.pk)
    )


def _may_answer(referral: Referral, by: User) -> None:
    permissions.require(
        permissions.can_answer_referral(by, referral),
        _("只有该政策主管部门的经办人可以办理此转介。"),
    )


@transaction.atomic
def referral_accept(*, referral: Referral, by: User) -> Referral:
    """The department accepts the household for its policy (接收)."""
    referral = _locked(referral)
    _may_answer(referral, by)
    if referral.status != Referral.Status.PENDING:
        raise _fail("non_field_errors", _("该转介已办理，不能重复接收。"))
    referral.status = Referral.Status.ACCEPTED
    referral.answered_by, referral.answered_at = by, timezone.now()
    referral.save(update_fields=["status", "answered_by", "answered_at"])
    return referral


@transaction.atomic
def referral_decline(*, referral: Referral, by: User, reason: str) -> Referral:
    """The department declines, with the reason the household and the township will read
    (不予受理须说明理由)."""
    reason = (reason or "").strip()
    if not reason:
        raise _fail("reason", _("不予受理必须填写理由。"))
    if len(reason) > 500:
        raise _fail("reason", _("理由不能超过500个字。"))
    referral = _locked(referral)
    _may_answer(referral, by)
    if referral.status != Referral.Status.PENDING:
        raise _fail("non_field_errors", _("只有待接收的转介可以不予受理。"))
    referral.status = Referral.Status.DECLINED
    referral.decline_reason = reason
    referral.answered_by, referral.answered_at = by, timezone.now()
    referral.save(update_fields=["status", "decline_reason", "answered_by", "answered_at"])
    return referral


#: a benefit's amount fits ``DecimalField(max_digits=12, decimal_places=2)``
MAX_AMOUNT = Decimal("10000000000")


@transaction.atomic
def referral_benefit_record(
    *,
    referral: Referral,
    by: User,
    given_on: dt.date,
    description: str,
    amount: Decimal | None = None,
) -> ReferralBenefit:
    """Record a benefit given on the referral (待遇落实). Recording one on a pending referral
    accepts it; a declined referral gives nothing."""
    description = (description or "").strip()
    if not description:
        raise _fail("description", _("请填写落实的待遇内容。"))
    if len(description) > 200:
        raise _fail("description", _("待遇内容不能超过200个字。"))
    if given_on > timezone.localdate():
        raise _fail("given_on", _("落实日期不能晚于今天。"))
    if amount is not None:
        # the column holds 12 digits (under 10^10 yuan); checked before and after the
        # rounding, which carries 9999999999.995 over (was a 500 on the numeric overflow)
        too_big = _("金额超出范围（应小于 100 亿元）。")
        if not amount.is_finite() or amount >= MAX_AMOUNT:
            raise _fail("amount", too_big)
        if amount < 0:
            raise _fail("amount", _("金额不能为负数。"))
        if quantize_yuan(amount) >= MAX_AMOUNT:
            raise _fail("amount", too_big)
        amount = quantize_yuan(amount)
    referral = _locked(referral)
    _may_answer(referral, by)
    if referral.status == Referral.Status.DECLINED:
        raise _fail("non_field_errors", _("已不予受理的转介不能登记待遇。"))
    if referral.status == Referral.Status.PENDING:
        referral.status = Referral.Status.ACCEPTED
        referral.answered_by, referral.answered_at = by, timezone.now()
        referral.save(update_fields=["status", "answered_by", "answered_at"])
    return ReferralBenefit.objects.create(
        referral=referral, given_on=given_on, description=description, amount=amount, recorded_by=by
    )
