"""Which related policies fit a household (issue 13: the self-check listed disaster relief for a
family with no disaster). Pure: a policy serving the household's categories is listed only when
the household has what that policy is about. Policies not named here always fit."""

from __future__ import annotations

from collections.abc import Callable

from .types import Household, Parameters


def _in_school(h: Household, p: Parameters) -> bool:
    return any(m.in_school for m in h.members)


def _disabled(h: Household, p: Parameters) -> bool:
    return any(m.disability_grade is not None for m in h.members)


def _working_age(h: Household, p: Parameters) -> bool:
    return any(p.adult_age <= m.age < p.elderly_age for m in h.members)


def _disaster(h: Household, p: Parameters) -> bool:
    return h.hardship is not None and h.hardship.type == "emergency"


def _child(h: Household, p: Parameters) -> bool:
    return any(m.age < p.adult_age for m in h.members)


#: policy code → what the household must have for the policy to be worth mentioning
FITS: dict[str, Callable[[Household, Parameters], bool]] = {
    "education_assistance": _in_school,
    "disability_subsidies": _disabled,
    "employment_assistance": _working_age,
    "disaster_relief": _disaster,
    "orphan_allowance": _child,
}


def policy_fits(code: str, household: Household, params: Parameters) -> bool:
    rule = FITS.get(code)
    return True if rule is None else rule(household, params)
