import datetime as dt

import pytest

from applicants.idnumber import (
    IDNumberError,
    mask_id_number,
    mask_name,
    mask_phone,
    parse_id_number,
    with_check_digit,
)

VALID = with_check_digit("37100219580302123")


def test_valid_number_gives_birth_date_and_sex():
    rid = parse_id_number(VALID)
    assert rid.birth_date == dt.date(1958, 3, 2)
    assert rid.sex == "M"  # 17th digit 3 is odd


def test_lowercase_x_is_normalised():
    number = with_check_digit("11010519491231002")
    assert number.endswith("X")
    assert parse_id_number(number.lower()).number == number


def test_wrong_checksum_is_refused_with_its_reason():
    wrong = VALID[:-1] + str((int(VALID[-1]) + 1) % 10 if VALID[-1].isdigit() else 0)
    with pytest.raises(IDNumberError, match="校验位"):
        parse_id_number(wrong)


@pytest.mark.parametrize("odd", ["²", "١"])
def test_unicode_digits_are_refused_with_the_reason(odd):
    """str.isdigit() takes "²" and "١"; an ID number is ASCII digits and X only."""
    for number in (VALID[:-1] + odd, odd + VALID[1:], VALID[:8] + odd + VALID[9:]):
        with pytest.raises(IDNumberError, match="前17位应为数字"):
            parse_id_number(number)


def test_full_width_digits_are_read_as_ascii():
    """A full-width number typed on a Chinese keyboard is folded to ASCII (stdnum), and kept
    so: the stored number is the ASCII one."""
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in VALID)
    assert parse_id_number(full_width).number == VALID


def test_impossible_birth_date_is_refused():
    with pytest.raises(IDNumberError, match="出生日期"):
        parse_id_number(with_check_digit("37100219580231123"))


def test_future_birth_date_is_refused():
    with pytest.raises(IDNumberError, match="出生日期"):
        parse_id_number(with_check_digit("37100220300101123"), today=dt.date(2026, 1, 1))


def test_wrong_length_is_refused():
    with pytest.raises(IDNumberError, match="18位"):
        parse_id_number("3710021958")


def test_unknown_place_code_is_refused():
    with pytest.raises(IDNumberError, match="地区代码"):
        parse_id_number(with_check_digit("99999919580302123"))


def test_masks_follow_spec():
    assert mask_id_number("371002195803021234") == "3710**********1234"
    assert mask_name("张小明") == "张*明"
    assert mask_name("王五") == "王*"
    assert mask_phone("13812345678") == "138****5678"
