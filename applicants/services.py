"""Writes about households and their members; one transaction per business action."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from . import permissions
from .errors import HouseholdError
from .idnumber import IDNumberError, parse_id_number
from .models import Household, Person, Region, Role, User
from .validators import UNSAFE_TEXT_MESSAGE, has_unsafe_text

MEMBER_FIELDS = (
    "relation",
    "name",
    "phone",
    "disability_grade",
    "disability_type",
    "serious_illness",
    "self_care",
    "labour_capacity",
    "in_school",
    "parent_situations",
    "care_arrangement",
    "monthly_income",
    "bank_name",
    "bank_account",
)


def region_get_by_code(code: str) -> Region:
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist as exc:
        raise HouseholdError(
            _("未知的行政区划代码 %(code)s。") % {"code": code},
            {"village": [_("未知的行政区划代码 %(code)s。") % {"code": code}]},
        ) from exc


def _member_errors(index_errors: dict[int, dict[str, list[str]]], count: int) -> list[dict]:
    return [index_errors.get(i, {}) for i in range(count)]


#: text fields of a member and the length of their column
_TEXT_LENGTHS = {"name": 50, "phone": 20, "bank_name": 60, "bank_account": 40}
#: choice fields of a member; an empty choice leaves the column's default
_CHOICES = {
    "self_care": Person.SelfCare,
    "labour_capacity": Person.LabourCapacity,
    "disability_type": Person.DisabilityType,
}
_MONEY_MAX = Decimal("9999999999.99")


def _clean_member(raw: Mapping[str, Any], today: dt.date) -> tuple[dict, dict[str, list[str]]]:
    """One member checked against the household file's columns: every refusal is a field error
    here, never a database error on save (drafts keep whatever was typed until submission)."""
    errors: dict[str, list[str]] = {}
    data = {k: raw[k] for k in MEMBER_FIELDS if k in raw and raw[k] is not None}
    try:
        rid = parse_id_number(str(raw.get("id_number") or ""), today=today)
        data["id_number"], data["birth_date"], data["sex"] = rid.number, rid.birth_date, rid.sex
    except IDNumberError as exc:
        errors["id_number"] = [str(exc)]
    for field, length in _TEXT_LENGTHS.items():
        value = data.get(field, "")
        if not isinstance(value, str):
            errors[field] = [_("请填写文字。")]
        elif has_unsafe_text(value):
            errors[field] = [str(UNSAFE_TEXT_MESSAGE)]
        elif len(value) > length:
            errors[field] = [_("最多填写%(n)d个字符。") % {"n": length}]
    if not str(raw.get("name") or "").strip():
        errors["name"] = [_("请填写姓名。")]
    if raw.get("relation") not in Person.Relation.values:
        errors["relation"] = [_("请选择与申请人的关系。")]
    for field, choices in _CHOICES.items():
        value = data.get(field)
        if value == "" and field != "disability_type":  # blank: the column's default
            data.pop(field)
        elif value not in (None, "", *choices.values):
            errors[field] = [_("请从列表中选择。")]
    for field in ("serious_illness", "in_school"):
        if field in data and data[field] not in (True, False):
            errors[field] = [_("请填写是或否。")]
    try:
        income = Decimal(str(raw.get("monthly_income", "0") or "0"))
        if not income.is_finite():
            raise InvalidOperation
        if income < 0:
            errors["monthly_income"] = [_("月收入不能为负数。")]
        elif income > _MONEY_MAX:
            errors["monthly_income"] = [_("金额过大（上限 %(max)s 元）。") % {"max": _MONEY_MAX}]
        elif income != income.quantize(Decimal("0.01")):
            errors["monthly_income"] = [_("金额最多保留两位小数。")]
        data["monthly_income"] = income
    except (InvalidOperation, ValueError):
        errors["monthly_income"] = [_("月收入应为金额数字。")]
    grade = raw.get("disability_grade")
    if grade not in (None, "") and (
        isinstance(grade, bool)
        or not (str(grade).isascii() and str(grade).isdigit())
        or not 1 <= int(grade) <= 4
    ):
        errors["disability_grade"] = [_("残疾等级应为1至4级。")]
    elif grade == "":
        data.pop("disability_grade", None)
    situations = raw.get("parent_situations") or []
    if (
        not isinstance(situations, list | tuple)
        or len(situations) > 2
        or any(c not in Person.ParentSituation.values for c in situations)
    ):
        errors["parent_situations"] = [_("父母情况最多两项（父亲、母亲各一项），请从列表中选择。")]
    else:
        data["parent_situations"] = list(situations)
    care = raw.get("care_arrangement") or ""
    if care not in ("", *Person.CareArrangement.values):
        errors["care_arrangement"] = [_("请选择机构集中养育或社会散居。")]
    data["care_arrangement"] = care if care in Person.CareArrangement.values else ""
    return data, errors


@transaction.atomic
def household_register(
    *, village: Region, address: str, members: Sequence[Mapping[str, Any]], by: User
) -> Household:
    """Register a household with its members (家庭登记); all or nothing.

    Refuses, with field errors: an empty household, not exactly one applicant, an invalid or
    duplicate ID number, a village outside the registering user's scope.
    """
    if village.level != Region.Level.VILLAGE:
        msg = _("家庭必须登记到村（居）一级。")
        raise HouseholdError(msg, {"village": [msg]})
    if not permissions.can_register_households(by):
        msg = _("您的角色不能登记家庭。")
        raise HouseholdError(msg)
    if not permissions.can_register_households(by, village):
        msg = _("该村（居）不在您的管辖范围内。")
        raise HouseholdError(msg, {"village": [msg]})
    if not members:
        msg = _("家庭至少需要一名成员。")
        raise HouseholdError(msg, {"members": [msg]})

    today = dt.date.today()  # noqa: DTZ011 - a calendar date, compared with birth dates
    cleaned: list[dict] = []
    errors: dict[int, dict[str, list[str]]] = {}
    for i, raw in enumerate(members):
        data, member_errors = _clean_member(raw, today)
        cleaned.append(data)
        if member_errors:
            errors[i] = member_errors

    seen: dict[str, int] = {}
    for i, data in enumerate(cleaned):
        number = data.get("id_number")
        if not number:
            continue
        if number in seen:
            errors.setdefault(i, {})["id_number"] = [
                _("与第%(n)d位成员的身份证号码重复。") % {"n": seen[number] + 1}
            ]
        seen[number] = i
    for number, message in registered_elsewhere(numbers=seen, by=by).items():
        errors.setdefault(seen[number], {})["id_number"] = [message]

    applicants = [
        i for i, d in enumerate(cleaned) if d.get("relation") == Person.Relation.APPLICANT
    ]
    if errors:
        raise HouseholdError(
            _("家庭成员信息有误，请按提示修改。"), {"members": _member_errors(errors, len(cleaned))}
        )
    if len(applicants) != 1:
        msg = _("每个家庭须有且只有一名申请人。")
        raise HouseholdError(msg, {"members": [msg]})

    try:
        # A savepoint: two registrations of the same new ID number at once both pass the check
        # above; the unique constraint decides, and the loser gets the same field error.
        with transaction.atomic():
            household = Household.objects.create(village=village, address=address, created_by=by)
            Person.objects.bulk_create(Person(household=household, **data) for data in cleaned)
    except IntegrityError as exc:
        taken = registered_elsewhere(numbers=seen, by=by)
        if not taken:
            raise
        raise HouseholdError(
            _("家庭成员信息有误，请按提示修改。"),
            {
                "members": _member_errors(
                    {seen[n]: {"id_number": [m]} for n, m in taken.items()}, len(cleaned)
                )
            },
        ) from exc
    return household


#: told to whoever may not see the existing record: it must not say that this person is
#: registered (a welfare applicant) somewhere else
NEUTRAL_DUPLICATE = _("该身份证号码暂不能在此登记，请核对号码，或到户籍所在地镇街经办窗口办理。")


def registered_elsewhere(
    *, numbers, by: User, household: Household | None = None
) -> dict[str, str]:
    """ID numbers among ``numbers`` already in another household file, each with the message
    for ``by``: staff who may see that record are told it is registered; anyone else (a
    citizen, staff of another township) gets a neutral message that reveals nothing."""
    taken = Person.objects.filter(id_number__in=list(numbers))
    if household is not None:
        taken = taken.exclude(household=household)
    taken_numbers = set(taken.values_list("id_number", flat=True))
    if not taken_numbers:
        return {}
    visible: set[str] = set()
    if by.role != Role.CITIZEN:
        visible = set(
            Person.objects.for_user(by)
            .filter(id_number__in=taken_numbers)
            .values_list("id_number", flat=True)
        )
    told = _("该身份证号码已登记在其他家庭，一人只能有一条记录。")
    return {n: str(told if n in visible else NEUTRAL_DUPLICATE) for n in taken_numbers}


def region_set_path(*, region: Region) -> None:
    """Keep a region's ``path`` (its chain of codes) in step with its parent, and the paths of
    everything below it in step with it (one UPDATE), so scopes follow a moved region."""
    old = region.path
    parent_path = region.parent.path if region.parent_id else ""
    region.path = f"{parent_path}{region.code}/"
    if old and old != region.path:
        Region.objects.filter(path__startswith=old).exclude(pk=region.pk).update(
            path=Concat(Value(region.path), Substr("path", len(old) + 1))
        )


_BANK_ACCOUNT = re.compile(r"^[0-9]{10,30}$")


@transaction.atomic
def member_account_set(*, person: Person, bank_name: str, bank_account: str, by: User) -> Person:
    """Correct a member's bank account (社保卡) — after a failed payment, say: the township.
    Payroll reissues the failed lines to the corrected account in its next batch."""
    from .permissions import can_correct_account, require

    person = (
        Person.objects.select_for_update().select_related("household__village").get(pk=person.pk)
    )
    require(can_correct_account(by, person.household.village), _("您没有更正银行账户的权限。"))
    bank_name, bank_account = (bank_name or "").strip(), (bank_account or "").replace(" ", "")
    errors: dict[str, list[str]] = {}
    if not bank_name or len(bank_name) > 60 or "\x00" in bank_name:
        errors["bank_name"] = [_("请填写开户银行（最多 60 字）。")]
    if not _BANK_ACCOUNT.match(bank_account):
        errors["bank_account"] = [_("银行账号应为 10 至 30 位数字。")]
    if errors:
        raise HouseholdError(next(iter(errors.values()))[0], errors)
    person.bank_name, person.bank_account = bank_name, bank_account
    person.save(update_fields=["bank_name", "bank_account"])
    return person
