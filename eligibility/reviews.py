"""Dynamic management (动态管理, SPEC §6): periodic reviews, reported changes, and their
outcomes — keep, increase, reduce, stop, or gradual exit (渐退) — each with written reasons, a
frozen assessment where the amount moves, and an effective month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.errors import DomainError
from applicants.models import Household, Role, TimeLimit, User, time_limit
from integrity import services as integrity

from . import rules
from .models import Assessment, Enrollment, EnrollmentAmount, Review, StandardItem, WorkRefusal
from .reevaluation import new_amount
from .selectors import standard_value, standards_in_force
from .workflow import parameters_to_json

Code = TimeLimit.Code  # the procedural numbers (data: applicants.TimeLimit)


class ReviewError(DomainError):
    pass


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


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
    review, created = Review.objects.get_or_create(
        household=household,
        kind=kind,
        status=Review.Status.OPEN,
        defaults={
            "due_on": timezone.localdate() + dt.timedelta(days=days),
            "reported_change": description.strip(),
            "opened_by": by,
        },
    )
    if not created:
        review.reported_change = f"{review.reported_change}\n{description.strip()}"
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
    if not by.is_admin_role and (
        by.role != Role.CASEWORKER or not review.household.village.path.startswith(by.region.path)
    ):
        errors["non_field_errors"] = [_("只有本镇街经办人可以办理复核。")]
    if review.status != Review.Status.OPEN:
        errors["status"] = [_("该复核已办结。")]
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


def _review_inputs(household: Household, base: dict) -> dict:
    """The household as it is now, with the declared assets etc. of its last assessment."""
    members = [
        {
            "person_id": p.pk,
            "relation": p.relation,
            "birth_date": p.birth_date.isoformat(),
            "monthly_income": str(p.monthly_income),
            "disability_grade": p.disability_grade,
            "disability_type": p.disability_type or None,
            "serious_illness": p.serious_illness,
            "self_care": p.self_care,
            "in_school": p.in_school,
        }
        for p in household.members.order_by("id")
    ]
    return {**base, "area": household.village.area, "members": members}


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
    """Close a review with its outcome (SPEC §6). Increase/reduce re-assess the household as it
    is now with the standards in force, freeze that assessment and move each amount; stop ends
    the enrollments; gradual exit keeps the amount and ends after up to 6 months."""
    review = (
        Review.objects.select_for_update().select_related("household__village").get(pk=review.pk)
    )
    month = _check_close(review, by, outcome, reasons, effective_month, exit_months)
    enrollments = list(
        review.household.enrollments.filter(status=Enrollment.Status.ACTIVE).select_related(
            "assessment"
        )
    )
    if outcome in (Review.Outcome.INCREASE, Review.Outcome.REDUCE):
        _reassess(review, by, outcome, reasons, month, enrollments)
    elif outcome == Review.Outcome.STOP:
        for e in enrollments:
            e.status, e.end_month = Enrollment.Status.STOPPED, month
            e.save(update_fields=["status", "end_month"])
        _tekun_exit_notice(review, by, enrollments)
    elif outcome == Review.Outcome.GRADUAL_EXIT:
        for e in enrollments:
            e.end_month = _add_months(month, exit_months)
            e.save(update_fields=["end_month"])
    review.status, review.outcome, review.reasons = Review.Status.CLOSED, outcome, reasons.strip()
    review.effective_month = month if outcome != Review.Outcome.KEEP else None
    review.exit_months = exit_months if outcome == Review.Outcome.GRADUAL_EXIT else None
    review.closed_by, review.closed_at = by, timezone.now()
    review.save()
    return review


def _tekun_exit_notice(review: Review, by: User, enrollments) -> None:
    """特困 support ends after a 7-day notice in the village (SPEC §6)."""
    if review.kind == Review.Kind.DEATH:
        return
    from applicants.idnumber import mask_name

    for e in enrollments:
        if e.policy_code != "tekun" or e.person_id is None:
            continue
        integrity.public_notice_open(
            household=review.household,
            purpose="exit",
            closes_on=timezone.localdate()
            + dt.timedelta(days=time_limit(Code.TEKUN_EXIT_NOTICE_DAYS)),
            masked_name=mask_name(e.person.name),
            household_size=review.household.members.count(),
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
    if not offer.strip():
        msg = _("请写明介绍的工作。")
        raise ReviewError(msg, {"offer": [msg]})
    if refused_on > timezone.localdate():
        msg = _("日期不能晚于今天。")
        raise ReviewError(msg, {"refused_on": [msg]})
    refusal = WorkRefusal.objects.create(
        person=person, refused_on=refused_on, offer=offer.strip(), recorded_by=by
    )
    household = person.household
    active = household.enrollments.filter(status=Enrollment.Status.ACTIVE).order_by("start_month")
    first = active.first()
    if first is not None:
        limit = _refusal_limit(household, timezone.localdate())
        if person.pk in _refusers(household, first.start_month, limit):
            review_report_change(
                household=household,
                by=by,
                kind=Review.Kind.CHANGE,
                description=_("%(name)s 无正当理由拒绝就业已达 %(n)d 次，应减发其本人份额。")
                % {"name": person.name, "n": limit},
            )
    return refusal


def _reassess(review, by, outcome, reasons, month, enrollments) -> None:
    household = review.household
    if not enrollments:
        raise ReviewError(_("该家庭没有在保记录。"))
    base = enrollments[0].assessment.inputs
    inputs = _review_inputs(household, base)
    standards = standards_in_force(region=household.village, area=inputs["area"], on=month)
    assessment = Assessment.objects.create(
        household=household,
        on=month,
        inputs=inputs,
        parameters=parameters_to_json(standards.parameters),
        standard_ids=list(standards.version_ids),
        result={"review": review.pk},
        created_by=by,
    )
    changes = []
    first_start = min(e.start_month for e in enrollments)
    refusers = _refusers(household, first_start, _refusal_limit(household, month))
    size = len(inputs["members"])
    for e in enrollments:
        amount = new_amount(e.policy_code, e.person_id, inputs, standards.parameters, month)
        if amount is None:
            msg = _("按现有情况已不符合保障条件，请选择停保或渐退。")
            raise ReviewError(msg, {"outcome": [msg]})
        if e.person_id is None:  # a household amount: each refusing member loses their share
            amount -= rules.member_share(amount, size) * len(refusers)
        elif e.person_id in refusers:
            amount = Decimal("0.00")
        changes.append((e, max(amount, Decimal("0.00"))))
    total_old = sum((e.monthly_amount for e, _a in changes), Decimal("0"))
    total_new = sum((a for _e, a in changes), Decimal("0"))
    if (outcome == Review.Outcome.INCREASE and total_new <= total_old) or (
        outcome == Review.Outcome.REDUCE and total_new >= total_old
    ):
        msg = _("按规则测算，月保障金由 %(old)s 元变为 %(new)s 元，与所选结果不符。") % {
            "old": total_old,
            "new": total_new,
        }
        raise ReviewError(msg, {"outcome": [msg]})
    for e, amount in changes:
        EnrollmentAmount.objects.create(
            enrollment=e,
            amount=amount,
            previous_amount=e.monthly_amount,
            effective_month=month,
            reason=f"{Review.Outcome(outcome).label}：{reasons.strip()}"[:200],
            assessment=assessment,
        )
        e.monthly_amount = amount
        e.save(update_fields=["monthly_amount"])
    review.assessment = assessment


def due_reviews(*, user):
    """Open reviews in the user's scope, the most urgent first (for the inbox)."""
    from applicants.models import region_scope

    q = region_scope(user, path_field="household__village__path")
    qs = Review.objects.filter(status=Review.Status.OPEN).select_related(
        "household__village__parent"
    )
    return (qs if q is None else qs.filter(q)).order_by("due_on", "id")
