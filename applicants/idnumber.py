"""Resident ID numbers (居民身份证号码, GB 11643): the one place they are checked and read.

Wraps ``stdnum.cn.ric`` so the rest of the platform never parses an ID number itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum import numdb
from stdnum.cn import ric


class IDNumberError(ValueError):
    """A specific, human-readable reason why an ID number is not acceptable."""


@dataclass(frozen=True, slots=True)
class ResidentID:
    number: str  # normalised: 18 characters, upper-case X
    birth_date: dt.date
    sex: str  # "M" | "F"


def parse_id_number(raw: str, *, today: dt.date | None = None) -> ResidentID:
    """Validate an ID number (length, checksum, birth date, place code) and derive birth/sex."""
    number = ric.compact(raw or "")
    if len(number) != 18:
        raise IDNumberError(_("身份证号码应为18位。"))
    # ASCII only: str.isdigit() also takes "²" and "١", which the checksum cannot read
    if not (
        number.isascii() and number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")
    ):
        raise IDNumberError(_("身份证号码前17位应为数字，末位为数字或X。"))
    if number[17] != ric.calc_check_digit(number):
        raise IDNumberError(_("身份证号码校验位不正确，请核对。"))
    try:
        birth = ric.get_birth_date(number)
    except stdnum_errors.InvalidComponent as exc:
        raise IDNumberError(_("身份证号码中的出生日期无效。")) from exc
    # stdnum's validate() also insists the place code existed in the birth year; real numbers
    # were issued decades after birth with the code of the day (环翠区 371002 dates from 1987),
    # so we only ask that the code is a place code at all.
    if not _known_place(number[:6]):
        raise IDNumberError(_("身份证号码中的地区代码无效。"))
    today = today or timezone.localdate()
    if birth > today or birth.year < 1890:
        raise IDNumberError(_("身份证号码中的出生日期不可能。"))
    sex = "M" if int(number[16]) % 2 else "F"
    return ResidentID(number=number, birth_date=birth, sex=sex)


def _known_place(code: str) -> bool:
    """A province and a county that stdnum's place table knows, in any year."""
    parts = numdb.get("cn/loc").info(code)
    return len(parts) >= 2 and all(props for _part, props in parts)


def with_check_digit(first17: str) -> str:
    """Complete 17 digits with their GB 11643 check digit (demo data and tests)."""
    return first17 + ric.calc_check_digit(first17 + "0")


# Masking moved to applicants.masking (the one module that decides what a reader sees); the
# names stay importable from here for callers written before the move.
from .masking import mask_id_number, mask_name, mask_phone  # noqa: E402, F401
