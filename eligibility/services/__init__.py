"""Eligibility actions. For now: assess a household without storing anything (SPEC §11)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Region

from .. import rules
from ..errors import EligibilityError
from ..models import AREA_ITEMS, Policy, Standard
from ..rules.frozen import household_from_input
from ..selectors import StandardsInForce, policies_for_categories, standards_in_force

ZERO = Decimal("0")


@dataclass(frozen=True)
class AssessmentPreview:
    standards: StandardsInForce
    assessment: rules.Assessment
    related_policies: list[Policy]
    household: rules.Household | None = None


def area_for(region: Region, area: str | None) -> str:
    """The urban/rural choice: given, or the village's own (SPEC §2)."""
    if area:
        return area
    if region.level == Region.Level.VILLAGE:
        return region.area
    msg = _("请选择城市或农村（area），或填写村（居）代码。")
    raise EligibilityError(msg, {"area": [msg]})


def assessment_preview(
    *,
    region: Region,
    area: str | None,
    on: dt.date,
    members: Sequence[Mapping[str, Any]],
    assets: Mapping[str, Any] | None = None,
    rigid_expenditure: Mapping[str, Any] | None = None,
    supporter: Mapping[str, Any] | None = None,
    hardship: Mapping[str, Any] | None = None,
) -> AssessmentPreview:
    """Assess a household with the standards in force on ``on``; store nothing (SPEC §11).

    Used by the public self-check page and ``POST /api/v1/assessments/``.
    """
    area = area_for(region, area)
    standards = standards_in_force(region=region, area=area, on=on)
    household = household_from_input(
        area=area,
        on=on,
        members=members,
        assets=assets,
        rigid_expenditure=rigid_expenditure,
        supporter=supporter,
        hardship=hardship,
    )
    assessment = rules.assess(household, standards.parameters)
    related = policies_for_categories(assessment.categories)
    return AssessmentPreview(
        standards=standards, assessment=assessment, related_policies=related, household=household
    )


@transaction.atomic
def standard_add(
    *,
    item: str,
    region: Region,
    area: str,
    value: Decimal,
    effective_from: dt.date,
    by,
    note: str = "",
    instance: Standard | None = None,
) -> Standard:
    """Record a new version of a policy number (SPEC §4: a change never rewrites history)."""
    standard_validate(
        item=item, region=region, area=area, value=value, effective_from=effective_from
    )
    standard = instance or Standard()
    standard.item, standard.region, standard.area = item, region, area
    standard.value, standard.effective_from, standard.note = value, effective_from, note
    standard.created_by = by
    # Every active enrollment is re-evaluated with the new numbers (SPEC §6), in the background:
    # now for a standard already in force (amounts from its month, back-pay for months paid),
    # on its day (beat) for one dated in the future, so that nothing moves before then.
    standard.reevaluation_pending = effective_from > timezone.localdate()
    standard.save()
    if not standard.reevaluation_pending:
        from ..tasks import enqueue_reevaluation

        enqueue_reevaluation(standard.pk)
    return standard


def reevaluations_due(*, today: dt.date | None = None) -> list[int]:
    """Start the re-evaluation of every standard whose day has come (beat, daily). Claimed by
    a conditional UPDATE, so two beats never start one standard twice."""
    from ..tasks import enqueue_reevaluation

    today = today or timezone.localdate()
    with transaction.atomic():
        ids = list(
            Standard.objects.filter(reevaluation_pending=True, effective_from__lte=today)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        claimed = [
            pk
            for pk in ids
            if Standard.objects.filter(pk=pk, reevaluation_pending=True).update(
                reevaluation_pending=False
            )
        ]
        for pk in claimed:
            enqueue_reevaluation(pk)
    return claimed


def standard_validate(
    *, item: str, region: Region, area: str, value: Decimal, effective_from: dt.date
) -> None:
    """Refuse a second version for the same item, scope and day, an urban/rural split on an
    item that has none, a negative number, and a region that is neither city nor county."""
    if region.level not in (Region.Level.CITY, Region.Level.COUNTY):
        msg = _("标准只能按市或县（市、区）设定。")
        raise EligibilityError(msg, {"region": [msg]})
    if area and item not in AREA_ITEMS:
        msg = _("该项标准不区分城乡。")
        raise EligibilityError(msg, {"area": [msg]})
    if value < 0:
        msg = _("标准不能为负数。")
        raise EligibilityError(msg, {"value": [msg]})
    if Standard.objects.filter(
        item=item, region=region, area=area, effective_from=effective_from
    ).exists():
        msg = _("该日期已有这一项标准，请选择新的执行日期。")
        raise EligibilityError(msg, {"effective_from": [msg]})


def region_for_standard(code: str) -> Region:
    """The city or county a standard is set for, by code; field errors otherwise."""
    region = Region.objects.filter(code=code).first()
    if region is None:
        msg = _("未知的行政区划代码。")
        raise EligibilityError(msg, {"region": [msg]})
    return region
