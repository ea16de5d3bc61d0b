"""Eligibility actions. For now: assess a household without storing anything (SPEC §11)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from applicants.models import Region

from . import rules
from .errors import EligibilityError
from .models import AREA_ITEMS, Policy, Standard
from .selectors import StandardsInForce, policies_for_categories, standards_in_force

ZERO = Decimal("0")


@dataclass(frozen=True)
class AssessmentPreview:
    standards: StandardsInForce
    assessment: rules.Assessment
    related_policies: list[Policy]


def age_on(birth: dt.date, on: dt.date) -> int:
    """Full years of age on a date (a person born on 29 Feb turns a year older on 1 Mar)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def area_for(region: Region, area: str | None) -> str:
    """The urban/rural choice: given, or the village's own (SPEC §2)."""
    if area:
        return area
    if region.level == Region.Level.VILLAGE:
        return region.area
    msg = _("请选择城市或农村（area），或填写村（居）代码。")
    raise EligibilityError(msg, {"area": [msg]})


def _money(value: Any) -> Decimal:
    return ZERO if value in (None, "") else Decimal(value)


def household_from_input(
    *,
    area: str,
    on: dt.date,
    members: Sequence[Mapping[str, Any]],
    assets: Mapping[str, Any] | None,
    rigid_expenditure: Mapping[str, Any] | None,
    supporter: Mapping[str, Any] | None,
    hardship: Mapping[str, Any] | None,
) -> rules.Household:
    """Turn validated input (birth dates known) into the rules engine's household."""
    assets = assets or {}
    rigid_expenditure = rigid_expenditure or {}
    supporter = supporter or {}
    return rules.Household(
        area=area,
        members=tuple(
            rules.Member(
                relation=m["relation"],
                age=age_on(m["birth_date"], on),
                monthly_income=_money(m.get("monthly_income")),
                disability_grade=m.get("disability_grade") or None,
                disability_type=m.get("disability_type") or None,
                serious_illness=bool(m.get("serious_illness")),
                self_care=m.get("self_care") or "full",
                in_school=bool(m.get("in_school")),
                # absent in inputs frozen before issue 8: no declared parent situation
                parent_situations=tuple(m.get("parent_situations") or ()),
                care_arrangement=m.get("care_arrangement") or None,
            )
            for m in members
        ),
        assets=rules.Assets(
            financial=_money(assets.get("financial")),
            vehicles=int(assets.get("vehicles") or 0),
            houses=int(assets.get("houses") or 0),
            business_registered=bool(assets.get("business_registered")),
        ),
        rigid_expenditure=rules.RigidExpenditure(
            medical=_money(rigid_expenditure.get("medical")),
            education=_money(rigid_expenditure.get("education")),
            rehabilitation=_money(rigid_expenditure.get("rehabilitation")),
        ),
        supporter=rules.Supporter(
            monthly_payment=_money(supporter.get("monthly_payment")),
            household_per_capita_income=(
                None
                if supporter.get("household_per_capita_income") in (None, "")
                else Decimal(supporter["household_per_capita_income"])
            ),
            able=bool(supporter.get("able")),
        ),
        hardship=(
            rules.Hardship(
                type=hardship["type"],
                months_without_income=int(hardship.get("months_without_income") or 0),
                unemployment_insured=bool(hardship.get("unemployment_insured")),
                on_dibao=bool(hardship.get("on_dibao")),
            )
            if hardship
            else None
        ),
    )


def household_from_inputs(inputs: Mapping[str, Any], on: dt.date) -> rules.Household:
    """A frozen assessment's inputs (JSON: ISO birth dates, money as strings) → the rules
    engine's household on date ``on``. Used to replay, re-evaluate and review."""
    return household_from_input(
        area=inputs["area"],
        on=on,
        members=[
            {**m, "birth_date": dt.date.fromisoformat(m["birth_date"])} for m in inputs["members"]
        ],
        assets=inputs.get("assets"),
        rigid_expenditure=inputs.get("rigid_expenditure_12m"),
        supporter=inputs.get("supporter"),
        hardship=inputs.get("hardship"),
    )


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
    return AssessmentPreview(standards=standards, assessment=assessment, related_policies=related)


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
    standard.save()
    # Every active enrollment is re-evaluated with the new numbers (SPEC §6), in the background.
    from .tasks import reevaluation_start

    transaction.on_commit(lambda: reevaluation_start.delay(standard.pk))
    return standard


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
