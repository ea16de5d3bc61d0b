"""Dynamic management (动态管理, SPEC §6): periodic reviews, reported changes, and their
outcomes — keep, increase, reduce, stop, or gradual exit (渐退) — each with written reasons, a
frozen assessment where the amount moves, and an effective month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants import permissions
from applicants.errors import DomainError
from applicants.masking import mask_name
from applicants.models import Household, Person, TimeLimit, User, time_limit
from integrity import services as integrity

from ..models import Assessment, Enrollment, Review, StandardItem, WorkRefusal
from ..rules.frozen import enrollment_amount, parameters_from_json
from ..selectors import member_facts, standard_value
from . import enrollments as ledger
from .cases import assessment_freeze_inputs

Code = TimeLimit.Code  # the procedural numbers (data: applicants.TimeLimit)


class ReviewError(DomainError):
    pass


_month = ledger.month_of
_add_months = ledger.add_months

#: outcomes the township proposes and the county confirms (SPEC §1: the approver confirms exits)
NEEDS_CONFIRMATION = frozenset(
    {Review.Outcome.REDUCE, Review.Outcome.STOP, Review.Outcome.GRADUAL_EXIT}
)


SCHEDULE_SQL = """
    INSERT INTO eligibility_review (household_id, kind, status, due_on, reported_change,
                                    outcome, reasons, created_at)
    SELECT h.household_id, 'periodic', 'open', h.due, '', '', '', now()
    FROM (
      SELECT e.household_id,
             (coalesce(last.closed, min(e.start_month))
              + CASE WHEN (
                    SELECT hh.income_unstable FROM applicants_household hh
                    WHERE hh.id = e.household_id)
                THEN make_interval(months => %(unstable)s)
                ELSE make_interval(months => %(stable)s) END
             )::date AS due
      FROM eligibility_enrollment e
      LEFT JOIN LATERAL (
        SELECT max(r.closed_at)::date AS closed FROM eligibility_review r
        WHERE r.household_id = e.household_id AND r.status = 'closed'
      ) last ON true
      WHERE e.status = 'active'
      GROUP BY e.household_id, last.closed
    ) h
    WHERE h.due <= %(horizon)s
    ON CONFLICT (household_id, kind) WHERE status = 'open' DO NOTHING
"""


def reviews_schedule(*, today: dt.date | None = None) -> int:
    """Open the periodic reviews falling due (set-based; safe to run twice: one open review
    per household and kind). Stable households yearly, households with working-age members
    every 6 months (SPEC §6)."""
    today = today or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            SCHEDULE_SQL,
            {
                "today": today,
                "horizon": today + dt.timedelta(days=time_limit(Code.REVIEW_LOOKAHEAD_DAYS, today)),
                "stable": time_limit(Code.REVIEW_MONTHS_STABLE, today),
                "unstable": time_limit(Code.REVIEW_MONTHS_UNSTABLE, today),
            },
        )
        return cursor.rowcount


@transaction.atomic
def review_report_change(*, household: Household, by: User, kind: str, description: str) -> Review:
    """A reported change (income, members, death, moving away) opens a review."""
    permissions.require(
        permissions.can_report_change(by, household.village),
        _("只有本村居协理员或本镇街经办人可以报告家庭情况变化。"),
    )
    return review_open(household=household, by=by, kind=kind, description=description)


def review_open(*, household: Household, by: User | None, kind: str, description: str) -> Review:
    """Open (or add to) the household's review of this kind; callers have checked who acts."""
    if kind not in (Review.Kind.CHANGE, Review.Kind.DEATH):
        msg = _("请选择变化类型。")
        raise ReviewError(msg, {"kind": [msg]})
    if not description.strip():
        msg = _("请写明发生了什么变化。")
        raise ReviewError(msg, {"reported_change": [msg]})
    if not household.enrollments.filter(status=Enrollment.Status.ACTIVE).exists():
        msg = _("该家庭没有在保记录，无需复核。")
        raise ReviewError(msg, {"household": [msg]})
    days = time_limit(
        Code.DEATH_REVIEW_DAYS if kind == Review.Kind.DEATH else Code.CHANGE_REVIEW_DAYS
    )
    review = (
        Review.objects.select_for_update()
        .filter(household=household, kind=kind, status=Review.Status.OPEN)
        .first()
    )
    line = description.strip()
    if by is not None and review is not None:
        line = f"{line}（{by.get_full_name() or by.username}）"
    if review is None:
        return Review.objects.create(
            household=household,
            kind=kind,
            due_on=timezone.localdate() + dt.timedelta(days=days),
            reported_change=line,
            opened_by=by,
        )
    review.reported_change = f"{review.reported_change}\n{line}"
    review.save(update_fields=["reported_change"])
    return review


def _check_close(
    review: Review,
    by: User,
    outcome: str,
    reasons: str,
    effective_month: dt.date | None,
    exit_months: int | None,
) -> dt.date:
    errors: dict[str, list[str]] = {}
    if not permissions.can_close_review(by, review.household.village):
        errors["non_field_errors"] = [_("只有本镇街经办人可以办理复核。")]
    if review.status != Review.Status.OPEN:
        errors["status"] = [_("该复核已办结。")]
    elif review.awaiting_confirmation:
        errors["status"] = [_("该复核已提出意见，等待县级审批人确认。")]
    if outcome not in Review.Outcome.values:
        errors["outcome"] = [_("请选择复核结果。")]
    if not reasons.strip():
        errors["reasons"] = [_("请写明复核理由。")]
    this_month = _month(timezone.localdate())
    month = _month(effective_month) if effective_month else None
    if outcome != Review.Outcome.KEEP:
        if month is None:
            errors["effective_month"] = [_("请填写生效月份。")]
        else:
            # Changes apply from now on; only a death may be recorded back to its month,
            # within the 3 months its review allows.
            earliest = (
                _add_months(this_month, -3) if review.kind == Review.Kind.DEATH else (this_month)
            )
            if month < earliest:
                errors["effective_month"] = [
                    _("生效月份不能早于 %(m)s。") % {"m": earliest.strftime("%Y-%m")}
                ]
            elif month > _add_months(this_month, 12):
                errors["effective_month"] = [_("生效月份不能晚于一年以后。")]
            else:
                first = review.household.enrollments.filter(status="active").order_by("start_month")
                started = first.values_list("start_month", flat=True).first()
                if started is not None and month < started and outcome != Review.Outcome.STOP:
                    errors["effective_month"] = [
                        _("生效月份不能早于保障起始月份 %(m)s。") % {"m": started.strftime("%Y-%m")}
                    ]
    if (
        outcome == Review.Outcome.STOP
        and review.kind != Review.Kind.DEATH
        and month is not None
        and review.household.enrollments.filter(status="active", policy_code="tekun").exists()
    ):
        notice_ends = timezone.localdate() + dt.timedelta(
            days=time_limit(Code.TEKUN_EXIT_NOTICE_DAYS)
        )
        earliest = notice_ends if notice_ends.day == 1 else _add_months(notice_ends, 1)
        if month < earliest:
            errors["effective_month"] = [
                _("终止特困供养须先公示7天，生效月份不能早于 %(m)s。")
                % {"m": earliest.strftime("%Y-%m")}
            ]
    longest = time_limit(Code.EXIT_MONTHS_MAX)
    if outcome == Review.Outcome.GRADUAL_EXIT and not (exit_months and 1 <= exit_months <= longest):
        errors["exit_months"] = [_("渐退期为1至%(n)d个月。") % {"n": longest}]
    if errors:
        raise ReviewError(next(iter(errors.values()))[0], errors)
    return month or this_month


def _review_inputs(household: Household, base: dict, refusers: list[int]) -> dict:
    """The household as it is now — its living members — with the declared assets etc. of
    its latest facts, and the work-refusal adjustment in force."""
    members = [
        member_facts(p)
        for p in household.members.filter(status=Person.Status.LIVING).order_by("id")
    ]
    inputs = {**base, "area": household.village.area, "members": members}
    inputs["adjustments"] = {"work_refusal": sorted(refusers)} if refusers else {}
    return inputs


@transaction.atomic
def review_close(
    *,
    review: Review,
    by: User,
    outcome: str,
    reasons: str,
    effective_month: dt.date | None = None,
    exit_months: int | None = None,
) -> Review:
    """Close a review with its outcome (SPEC §6). "Keep" and "increase" take effect at once;
    a stop, reduction or gradual exit is the township's proposal, which takes effect when the
    county approver confirms it (:func:`review_confirm`, proposer ≠ confirmer)."""
    review = (
        Review.objects.select_for_update().select_related("household__village").get(pk=review.pk)
    )
    month = _check_close(review, by, outcome, reasons, effective_month, exit_months)
    enrollments = ledger.household_enrollments_lock(review.household_id)
    review.outcome, review.reasons = outcome, reasons.strip()
    review.effective_month = month if outcome != Review.Outcome.KEEP else None
    review.exit_months = exit_months if outcome == Review.Outcome.GRADUAL_EXIT else None
    if outcome in (Review.Outcome.INCREASE, Review.Outcome.REDUCE):
        review.assessment = _reassess(review, by, outcome, month, enrollments)
    if outcome in NEEDS_CONFIRMATION:
        review.proposed_by, review.proposed_at = by, timezone.now()
        review.save()
        if outcome == Review.Outcome.STOP:
            _tekun_exit_notice(review, by, enrollments)
        return review
    if outcome == Review.Outcome.INCREASE:
        _apply_amounts(review, by, enrollments)
    return _closed(review, by)


def _closed(review: Review, by: User) -> Review:
    review.status = Review.Status.CLOSED
    review.closed_by, review.closed_at = by, timezone.now()
    review.save()
    return review


@transaction.atomic
def review_confirm(*, review: Review, by: User, reasons: str) -> Review:
    """The county approver confirms the township's proposed stop, reduction or gradual exit
    (SPEC §1, §6); it takes effect from the proposed month."""
    review = (
        Review.objects.select_for_update().select_related("household__village").get(pk=review.pk)
    )
    _check_confirm(review, by, reasons)
    enrollments = ledger.household_enrollments_lock(review.household_id)
    month = review.effective_month
    if review.outcome == Review.Outcome.REDUCE:
        # The household as it is now (another review or a death may have landed since the
        # proposal): the amounts follow the latest facts, and a reduction that is already in
        # force simply closes.
        review.assessment = _reassess(
            review, by, review.outcome, month, enrollments, already_applied_ok=True
        )
        _apply_amounts(review, by, enrollments)
    elif review.outcome == Review.Outcome.STOP:
        ledger.enrollments_stop(enrollments=enrollments, last_month=_add_months(month, -1))
    elif review.outcome == Review.Outcome.GRADUAL_EXIT:
        ledger.enrollments_schedule_end(
            enrollments=enrollments, last_month=_add_months(month, review.exit_months - 1)
        )
    review.confirm_reasons = reasons.strip()
    return _closed(review, by)


@transaction.atomic
def review_send_back(*, review: Review, by: User, reasons: str) -> Review:
    """The county sends a proposal back to the township with its reasons; nothing changes."""
    review = (
        Review.objects.select_for_update().select_related("household__village").get(pk=review.pk)
    )
    _check_confirm(review, by, reasons)
    review.reported_change = f"{review.reported_change}\n{_('县级退回')}：{reasons.strip()}"
    review.outcome, review.reasons, review.effective_month = "", "", None
    review.exit_months, review.assessment = None, None
    review.proposed_by, review.proposed_at = None, None
    review.save()
    return review


def _check_confirm(review: Review, by: User, reasons: str) -> None:
    errors: dict[str, list[str]] = {}
    if not permissions.can_confirm_review(by, review.household.village):
        errors["non_field_errors"] = [_("只有本县级审批人可以确认复核意见。")]
    elif not review.awaiting_confirmation:
        errors["status"] = [_("该复核没有待确认的意见。")]
    elif review.proposed_by_id == by.pk:
        errors["non_field_errors"] = [_("提出复核意见的人员不能同时确认。")]
    if not reasons.strip():
        errors["reasons"] = [_("请写明确认或退回的理由。")]
    if errors:
        raise ReviewError(next(iter(errors.values()))[0], errors)


def _apply_amounts(review: Review, by: User, enrollments: list[Enrollment]) -> None:
    """Write the reviewed amounts from the effective month; the enrollments of members no
    longer living in the household stop the month before."""
    living = set(
        review.household.members.filter(status=Person.Status.LIVING).values_list("pk", flat=True)
    )
    gone = [e for e in enrollments if e.person_id is not None and e.person_id not in living]
    ledger.enrollments_stop(enrollments=gone, last_month=_add_months(review.effective_month, -1))
    ledger.amounts_write(
        enrollments=[e for e in enrollments if e not in gone],
        from_month=review.effective_month,
        reason=f"{Review.Outcome(review.outcome).label}：{review.reasons}",
        by=by,
        assessment=review.assessment,
        review=review,
    )


def _tekun_exit_notice(review: Review, by: User, enrollments) -> None:
    """特困 support ends after a 7-day notice in the village (SPEC §6)."""
    if review.kind == Review.Kind.DEATH:
        return
    for e in enrollments:
        if e.policy_code != "tekun" or e.person_id is None:
            continue
        integrity.public_notice_open(
            household=review.household,
            purpose="exit",
            closes_on=timezone.localdate()
            + dt.timedelta(days=time_limit(Code.TEKUN_EXIT_NOTICE_DAYS)),
            masked_name=mask_name(e.person.name),
            household_size=review.household.members.filter(status=Person.Status.LIVING).count(),
            category="tekun",
            monthly_amount=e.monthly_amount,
            by=by,
        )


def _refusal_limit(household: Household, on: dt.date) -> int | None:
    value = standard_value(
        item=StandardItem.WORK_REFUSAL_LIMIT,
        region=household.village,
        area=household.village.area,
        on=on,
    )
    return int(value) if value is not None else None


def _refusers(household: Household, since: dt.date, limit: int | None) -> list[int]:
    """Members who refused suitable work at least ``limit`` times since ``since``."""
    if limit is None:
        return []
    from django.db.models import Count

    return list(
        WorkRefusal.objects.filter(person__household=household, refused_on__gte=since)
        .values("person_id")
        .annotate(n=Count("id"))
        .filter(n__gte=limit)
        .values_list("person_id", flat=True)
    )


@transaction.atomic
def work_refusal_record(*, person, by: User, refused_on: dt.date, offer: str) -> WorkRefusal:
    """Record a refusal of suitable work; reaching the set number opens a review that reduces
    that member's share (SPEC §6)."""
    household = person.household
    permissions.require(
        permissions.can_record_work_refusal(by, household.village),
        _("只有本镇街经办人可以登记拒绝就业。"),
    )
    if not offer.strip():
        msg = _("请写明介绍的工作。")
        raise ReviewError(msg, {"offer": [msg]})
    if refused_on > timezone.localdate():
        msg = _("日期不能晚于今天。")
        raise ReviewError(msg, {"refused_on": [msg]})
    refusal = WorkRefusal.objects.create(
        person=person, refused_on=refused_on, offer=offer.strip(), recorded_by=by
    )
    active = household.enrollments.filter(status=Enrollment.Status.ACTIVE).order_by("start_month")
    first = active.first()
    if first is not None:
        limit = _refusal_limit(household, timezone.localdate())
        if person.pk in _refusers(household, first.start_month, limit):
            # The text leaves the township (a supervisor reads reviews): a masked name only.
            review_open(
                household=household,
                by=by,
                kind=Review.Kind.CHANGE,
                description=_("成员 %(name)s 无正当理由拒绝就业已达 %(n)d 次，应减发其本人份额。")
                % {"name": mask_name(person.name), "n": limit},
            )
    return refusal


def _reassess(
    review: Review,
    by: User,
    outcome: str,
    month: dt.date,
    enrollments: list[Enrollment],
    *,
    already_applied_ok: bool = False,
) -> Assessment:
    """Assess the household as it is now with the numbers in force in ``month``, freeze it
    (facts, numbers and the rules' result, so it replays), and refuse an outcome the rules
    contradict. Writes no amount: that is the ledger's, at once or on confirmation."""
    household = review.household
    if not enrollments:
        raise ReviewError(_("该家庭没有在保记录。"))
    base = max(enrollments, key=lambda e: e.assessment_id).assessment.inputs
    first_start = min(e.start_month for e in enrollments)
    refusers = _refusers(household, first_start, _refusal_limit(household, month))
    inputs = _review_inputs(household, base, refusers)
    if not inputs["members"]:
        msg = _("家庭已无共同生活成员，请选择停保。")
        raise ReviewError(msg, {"outcome": [msg]})
    assessment = assessment_freeze_inputs(
        household=household, inputs=inputs, on=month, numbers_on=ledger.numbers_on(month), by=by
    )
    params = parameters_from_json(assessment.parameters)
    total_old = total_new = Decimal("0.00")
    living = {m["person_id"] for m in inputs["members"]}
    for e in enrollments:
        total_old += e.monthly_amount
        if e.person_id is not None and e.person_id not in living:
            continue  # stops with the member
        amount = enrollment_amount(e.policy_code, e.person_id, inputs, params, month)
        if amount is None:
            msg = _("按现有情况已不符合保障条件，请选择停保或渐退。")
            raise ReviewError(msg, {"outcome": [msg]})
        total_new += amount
    unchanged_ok = already_applied_ok and total_new == total_old
    if not unchanged_ok and (
        (outcome == Review.Outcome.INCREASE and total_new <= total_old)
        or (outcome == Review.Outcome.REDUCE and total_new >= total_old)
    ):
        msg = _("按规则测算，月保障金由 %(old)s 元变为 %(new)s 元，与所选结果不符。") % {
            "old": total_old,
            "new": total_new,
        }
        raise ReviewError(msg, {"outcome": [msg]})
    return assessment


def due_reviews(*, user):
    """Open reviews in the user's scope, the most urgent first (for the inbox)."""
    from applicants.models import region_scope

    q = region_scope(user, path_field="village__path")  # the review's own column (issue 15)
    qs = Review.objects.filter(status=Review.Status.OPEN).select_related(
        "household__village__parent"
    )
    return (qs if q is None else qs.filter(q)).order_by("due_on", "id")


def reviews_awaiting_confirmation(*, user):
    """Proposed stops, reductions and exits waiting for this approver (待确认)."""
    return due_reviews(user=user).filter(proposed_at__isnull=False)
