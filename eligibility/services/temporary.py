"""临时救助 (SPEC §5): a one-off payment sized by the caseworker within the rules' range,
approved by the township up to its limit and by the county above it, paid once per episode;
an emergency may be paid first and documented after (先行救助) within a time limit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.errors import DomainError
from applicants.models import Application, Region, TimeLimit, User, region_scope, time_limit
from applicants.workdays import add_workdays

from ..models import Assessment, StandardItem, TemporaryGrant
from ..selectors import standard_value

#: a case may be paid first from acceptance until its decision
ADVANCE_STATES = ("accepted", "verifying", "surveyed", "proposed", "public_notice")


class TemporaryError(DomainError):
    pass


def temporary_result(assessment_or_result: Assessment | dict | None) -> dict[str, Any]:
    """The eligible 临时救助 result of an assessment, or a clear refusal."""
    if isinstance(assessment_or_result, Assessment):
        results = assessment_or_result.result["results"]
    else:
        results = (assessment_or_result or {}).get("results", [])
    found = next((r for r in results if r["policy"] == "temporary"), None)
    if found is None or not found["eligible"]:
        msg = _("测算结果不符合临时救助条件，不能批准；请作出不予批准决定。")
        raise TemporaryError(msg, {"non_field_errors": [msg]})
    return found


def amount_checked(result: dict[str, Any], amount) -> Decimal:
    """The caseworker's amount, within the rules' range (3–12 × the standard, or up to the
    migrant cap), more than zero, in yuan with 2 places."""
    low, high = Decimal(result["min_amount"]), Decimal(result["max_amount"])
    try:
        value = Decimal(str(amount)) if amount not in (None, "") else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        msg = _("请填写临时救助金额（%(low)s–%(high)s 元）。") % {"low": low, "high": high}
        raise TemporaryError(msg, {"temporary_amount": [msg]})
    if value != value.quantize(Decimal("0.01")) or value <= 0 or not low <= value <= high:
        msg = _("临时救助金额应在 %(low)s 至 %(high)s 元之间（大于 0，最多两位小数）。") % {
            "low": low,
            "high": high,
        }
        raise TemporaryError(msg, {"temporary_amount": [msg]})
    return value


def township_limit(village: Region) -> Decimal:
    """Up to this amount the township approves; above it, the county (local parameter)."""
    value = standard_value(
        item=StandardItem.TEMPORARY_TOWNSHIP_LIMIT,
        region=village,
        area=village.area,
        on=timezone.localdate(),
    )
    return value if value is not None else Decimal("0")


def grant_create(
    *,
    application: Application,
    result: dict[str, Any],
    amount: Decimal,
    by: User,
    reasons: str,
    assessment: Assessment | None = None,
    advance: bool = False,
) -> TemporaryGrant:
    """One grant per case (once per episode): the unique application is the last guard."""
    file_due_on = None
    if advance:
        from applicants.applications import workday_overrides

        file_due_on = add_workdays(
            timezone.localdate(),
            time_limit(TimeLimit.Code.ADVANCE_FILE_DAYS),
            workday_overrides(),
        )
    try:
        with transaction.atomic():
            return TemporaryGrant.objects.create(
                application=application,
                household=application.household,
                hardship_type=(application.data.get("hardship") or {}).get("type", ""),
                amount=amount,
                min_amount=Decimal(result["min_amount"]),
                max_amount=Decimal(result["max_amount"]),
                advance=advance,
                file_due_on=file_due_on,
                reasons=reasons.strip(),
                assessment=assessment,
                approved_by=by,
            )
    except IntegrityError as exc:
        msg = _("本次困难已经救助过，同一次困难只救助一次。")
        raise TemporaryError(msg, {"non_field_errors": [msg]}) from exc


def advances_overdue(*, user, today: dt.date | None = None):
    """先行救助 whose case was not completed in time (for the supervisor's overdue list)."""
    today = today or timezone.localdate()
    q = region_scope(user, path_field="household__village__path")
    qs = TemporaryGrant.objects.filter(
        advance=True, file_completed_at__isnull=True, file_due_on__lt=today
    ).select_related("application", "household__village__parent")
    return (qs if q is None else qs.filter(q)).order_by("file_due_on", "id")
