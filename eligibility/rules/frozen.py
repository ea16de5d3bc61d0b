"""Frozen facts and numbers ↔ JSON, and the one amount function (SPEC §5, §6).

An assessment is frozen as JSON (``Assessment.inputs``: ISO birth dates, money as strings;
``Assessment.parameters``: the policy numbers) so that it can be replayed years later. Every
writer of an enrollment amount — approval, reviews, re-evaluation, and payroll through the
ledger — computes it with :func:`enrollment_amount` from those frozen facts, the numbers in
force and the adjustments frozen with the facts (a work-refusal deduction). Pure: no Django.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from . import engine
from .money import quantize_yuan
from .reductions import member_share
from .types import (
    Assessment,
    Assets,
    Hardship,
    Household,
    Member,
    Parameters,
    RigidExpenditure,
    Supporter,
)

ZERO = Decimal("0")
ZERO_YUAN = Decimal("0.00")

#: result codes and the category an enrollment in them belongs to (单人保 counts as 低保)
CATEGORY_OF_POLICY = {"dibao_single": "dibao"}

#: results enrolled as a status without monthly cash: they feed referrals (SPEC §5, issue 8)
STATUS_ONLY = frozenset({"dibao_edge", "relative_poverty"})
#: paid on top of the household's 低保 (SPEC §5): combined with whatever else is chosen
ADD_ONS = frozenset({"child_in_hardship", "severe_disability"})
#: results that exclude each other: one per household, one per member (SPEC §5: 支出型 is
#: paid as 低保; 孤儿 is not combined with 特困; 单人保 is the member's own 低保)
HOUSEHOLD_SLOT = frozenset({"dibao", "expenditure_hardship", "dibao_edge", "relative_poverty"})
MEMBER_SLOT = frozenset({"tekun", "dibao_single", "orphan"})


def category_of(policy: str) -> str:
    return CATEGORY_OF_POLICY.get(policy, policy)


def age_on(birth: dt.date, on: dt.date) -> int:
    """Full years of age on a date (a person born on 29 Feb turns a year older on 1 Mar)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _money(value: Any) -> Decimal:
    return ZERO if value in (None, "") else Decimal(value)


#: what an empty declaration means; shared, since the dataclasses are frozen (a re-evaluation
#: builds a million households, most of which declared no assets, expenditure or supporter)
NO_ASSETS, NO_EXPENDITURE, NO_SUPPORTER = Assets(), RigidExpenditure(), Supporter()


def _member(m: Mapping[str, Any], birth: dt.date, on: dt.date) -> Member:
    return Member(
        relation=m["relation"],
        age=age_on(birth, on),
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


def _household(
    area: str,
    members: tuple[Member, ...],
    assets: Mapping[str, Any] | None,
    rigid_expenditure: Mapping[str, Any] | None,
    supporter: Mapping[str, Any] | None,
    hardship: Mapping[str, Any] | None,
) -> Household:
    return Household(
        area=area,
        members=members,
        assets=Assets(
            financial=_money(assets.get("financial")),
            vehicles=int(assets.get("vehicles") or 0),
            houses=int(assets.get("houses") or 0),
            business_registered=bool(assets.get("business_registered")),
        )
        if assets
        else NO_ASSETS,
        rigid_expenditure=RigidExpenditure(
            medical=_money(rigid_expenditure.get("medical")),
            education=_money(rigid_expenditure.get("education")),
            rehabilitation=_money(rigid_expenditure.get("rehabilitation")),
        )
        if rigid_expenditure
        else NO_EXPENDITURE,
        supporter=Supporter(
            monthly_payment=_money(supporter.get("monthly_payment")),
            household_per_capita_income=(
                None
                if supporter.get("household_per_capita_income") in (None, "")
                else Decimal(supporter["household_per_capita_income"])
            ),
            able=bool(supporter.get("able")),
        )
        if supporter
        else NO_SUPPORTER,
        hardship=(
            Hardship(
                type=hardship["type"],
                months_without_income=int(hardship.get("months_without_income") or 0),
                unemployment_insured=bool(hardship.get("unemployment_insured")),
                on_dibao=bool(hardship.get("on_dibao")),
            )
            if hardship
            else None
        ),
    )


def household_from_input(
    *,
    area: str,
    on: dt.date,
    members: Sequence[Mapping[str, Any]],
    assets: Mapping[str, Any] | None,
    rigid_expenditure: Mapping[str, Any] | None,
    supporter: Mapping[str, Any] | None,
    hardship: Mapping[str, Any] | None,
) -> Household:
    """Turn validated input (birth dates known) into the rules engine's household."""
    return _household(
        area,
        tuple(_member(m, m["birth_date"], on) for m in members),
        assets,
        rigid_expenditure,
        supporter,
        hardship,
    )


def household_from_inputs(inputs: Mapping[str, Any], on: dt.date) -> Household:
    """A frozen assessment's inputs (JSON: ISO birth dates, money as strings) → the rules
    engine's household on date ``on``. Used to replay, re-evaluate and review."""
    return _household(
        inputs["area"],
        tuple(_member(m, dt.date.fromisoformat(m["birth_date"]), on) for m in inputs["members"]),
        inputs.get("assets"),
        inputs.get("rigid_expenditure_12m"),
        inputs.get("supporter"),
        inputs.get("hardship"),
    )


def parameters_to_json(params: Parameters) -> dict[str, Any]:
    return {
        k: (
            str(v)
            if isinstance(v, Decimal)
            else {kk: str(vv) for kk, vv in v.items()}
            if isinstance(v, dict)
            else v
        )
        for k, v in dataclasses.asdict(params).items()
    }


def parameters_from_json(data: Mapping[str, Any]) -> Parameters:
    """Frozen numbers → Parameters; a number frozen before it existed reads as not set."""
    values = {}
    for field in dataclasses.fields(Parameters):
        if field.name not in data:
            # frozen before the field existed (the issue-8 category amounts): its default
            # applies, None = "not set", so the old assessment replays as it was decided
            continue
        v = data[field.name]
        if field.name == "care_yearly":
            values[field.name] = {k: Decimal(x) for k, x in v.items()}
        elif isinstance(v, str):
            values[field.name] = Decimal(v)
        else:
            values[field.name] = v
    return Parameters(**values)


def result_json(assessment: Assessment) -> dict[str, Any]:
    """An assessment's result as stored with the frozen facts (replayed equal)."""

    def money(v):
        return None if v is None else str(v)

    return {
        "household_size": assessment.household_size,
        "counted_income": money(assessment.counted_income),
        "per_capita_income": money(assessment.per_capita_income),
        "categories": sorted(assessment.categories),
        "results": [
            {
                "policy": r.policy,
                "eligible": r.eligible,
                "member": r.member,
                "monthly_amount": money(r.monthly_amount),
                "min_amount": money(r.min_amount),
                "max_amount": money(r.max_amount),
                "line": money(r.line),
                "reasons": list(r.reasons),
            }
            for r in assessment.results
        ],
    }


def member_index(inputs: Mapping[str, Any], person_id: int) -> int | None:
    """Where a person stands in frozen inputs; None once they have left the household."""
    for i, m in enumerate(inputs["members"]):
        if m.get("person_id") == person_id:
            return i
    return None


def enrollment_amount(
    policy: str,
    person_id: int | None,
    inputs: Mapping[str, Any],
    params: Parameters,
    on: dt.date,
) -> Decimal | None:
    """The monthly amount one enrollment is due under frozen facts and the numbers in force:
    its own policy's result, less the adjustments frozen with the facts — a member who refused
    suitable work the set number of times loses their share of a household amount, or their
    own amount (SPEC §6). Status-only results (边缘, relative poverty) are due 0.00.

    None when the rules no longer find the enrollment eligible (a review decides, not the
    writer) or the enrolled member has left the household.
    """
    index = None if person_id is None else member_index(inputs, person_id)
    if person_id is not None and index is None:
        return None
    household = household_from_inputs(inputs, on)
    result = engine.result_for(policy, household, params, index, explain=False)
    if result is None or not result.eligible:
        return None
    amount = ZERO_YUAN if policy in STATUS_ONLY else result.monthly_amount
    if amount is None:
        return None
    refusers = set((inputs.get("adjustments") or {}).get("work_refusal") or ())
    if not refusers:
        return amount
    if person_id is None:
        present = sum(1 for m in inputs["members"] if m.get("person_id") in refusers)
        amount -= member_share(amount, len(inputs["members"])) * present
    elif person_id in refusers:
        amount = ZERO
    return quantize_yuan(max(amount, ZERO))
