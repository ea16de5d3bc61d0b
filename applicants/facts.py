"""A household's declared facts (assets, rigid expenditure, supporter, hardship): read from a
page's form, checked, and their errors put back on the form's fields. Shared by the self-check
page and the application form so both read and check them the same way."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

#: the form's field names for the facts, in the order the pages show them
FACT_FIELDS = (
    "financial",
    "houses",
    "vehicles",
    "business_registered",
    "medical",
    "education",
    "rehabilitation",
    "supporter_payment",
    "supporter_income",
    "supporter_able",
    "hardship_type",
    "months_without_income",
    "unemployment_insured",
)
#: (section, key) of the API shape → the form's field name, where they differ
_FORM_NAME = {
    ("supporter", "monthly_payment"): "supporter_payment",
    ("supporter", "household_per_capita_income"): "supporter_income",
    ("supporter", "able"): "supporter_able",
    ("hardship", "type"): "hardship_type",
}
HARDSHIP_TYPES = ("emergency", "expenditure", "migrant_no_income")


def facts_from_post(post) -> dict[str, Any]:
    """The facts in the shape of the assessment API (SPEC §11)."""

    def v(name):
        return (post.get(name) or "").strip()

    hardship = v("hardship_type")
    return {
        "assets": {
            "financial": v("financial") or "0",
            "houses": v("houses") or "0",
            "vehicles": v("vehicles") or "0",
            "business_registered": post.get("business_registered") == "on",
        },
        "rigid_expenditure_12m": {
            "medical": v("medical") or "0",
            "education": v("education") or "0",
            "rehabilitation": v("rehabilitation") or "0",
        },
        "supporter": {
            "monthly_payment": v("supporter_payment") or "0",
            "household_per_capita_income": v("supporter_income") or None,
            "able": post.get("supporter_able") == "on",
        },
        "hardship": {
            "type": hardship,
            "months_without_income": v("months_without_income") or "0",
            "unemployment_insured": post.get("unemployment_insured") == "on",
        }
        if hardship
        else None,
    }


#: money is stored as DECIMAL(12, 2): at most 10 digits before the point
MONEY_MAX = Decimal("9999999999.99")
#: counts (houses, vehicles, months) are stored as PositiveSmallIntegerField
COUNT_MAX = 32767


def _money_error(value) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return _("请填写有效的金额。")
    try:
        amount = Decimal(str(value).strip())
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        return _("请填写有效的金额。")
    if amount < 0:
        return _("金额不能为负数。")
    if amount > MONEY_MAX:
        return _("金额过大（上限 %(max)s 元）。") % {"max": MONEY_MAX}
    if amount != amount.quantize(Decimal("0.01")):
        return _("金额最多保留两位小数。")
    return None


def _count_error(value) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not str(value).isdigit() or not str(value).isascii():
        return _("请填写不小于0的整数。")
    if int(value) > COUNT_MAX:
        return _("数量过大（上限 %(max)d）。") % {"max": COUNT_MAX}
    return None


def _flag_error(value) -> str | None:
    if value in (None, True, False):
        return None
    return _("请填写是或否。")


def facts_errors(data: Mapping[str, Any]) -> dict[str, dict[str, list[str]]]:
    """Field errors of the facts in ``data`` (API shape); empty when they are all acceptable."""
    checks = {
        "assets": {
            "financial": _money_error,
            "houses": _count_error,
            "vehicles": _count_error,
            "business_registered": _flag_error,
        },
        "rigid_expenditure_12m": {
            "medical": _money_error,
            "education": _money_error,
            "rehabilitation": _money_error,
        },
        "supporter": {
            "monthly_payment": _money_error,
            "household_per_capita_income": _money_error,
            "able": _flag_error,
        },
        "hardship": {"months_without_income": _count_error, "unemployment_insured": _flag_error},
    }
    errors: dict[str, dict[str, list[str]]] = {}
    for section, fields in checks.items():
        values = data.get(section) or {}
        if not isinstance(values, Mapping):
            errors[section] = {"non_field_errors": [_("格式错误。")]}
            continue
        for key, check in fields.items():
            if message := check(values.get(key)):
                errors.setdefault(section, {})[key] = [message]
    hardship = data.get("hardship")
    if isinstance(hardship, Mapping) and hardship and hardship.get("type") not in HARDSHIP_TYPES:
        errors.setdefault("hardship", {})["type"] = [_("请选择临时困难类型。")]
    return errors


def errors_by_field(detail: Mapping[str, Any]) -> dict[str, list[str]]:
    """API-shaped field errors → the form's field names (``members[1].birth_date`` →
    ``m1-birth_date``, ``supporter.monthly_payment`` → ``supporter_payment``)."""
    flat: dict[str, list[str]] = {}
    for key, value in detail.items():
        # a list of members' errors, one per member, or (DRF's ListSerializer since 3.15)
        # only the members in error, by index
        members = None
        if key == "members" and isinstance(value, list) and value and isinstance(value[0], dict):
            members = enumerate(value)
        elif (
            key == "members"
            and isinstance(value, Mapping)
            and all(isinstance(i, int) for i in value)
        ):
            members = value.items()
        if members is not None:
            for i, member_errors in members:
                for field, msgs in member_errors.items():
                    flat[f"m{i}-{field}"] = [str(m) for m in msgs]
        elif isinstance(value, Mapping):
            for field, msgs in value.items():
                flat[_FORM_NAME.get((key, field), field)] = [str(m) for m in msgs]
        else:
            flat[key] = [str(m) for m in (value if isinstance(value, list) else [value])]
    return flat
