"""The adapter interface and the one row check every answer goes through, whatever carried
it (a CSV or JSON result file, a DCI on-search callback)."""

from __future__ import annotations

import abc
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from applicants.idnumber import IDNumberError, parse_id_number

#: DECIMAL(14, 2)
MAX_VALUE = Decimal("999999999999.99")


class SourceUnavailable(Exception):
    """The source could not be reached or refused the request: retried, then "no answer"."""


class Adapter(abc.ABC):
    """Sends one query (the ID numbers of a request) to one source. Answers come back on their
    own channel: a file in the inbox, or the DCI on-search callback."""

    def __init__(self, source) -> None:
        self.source = source
        self.config = source.config or {}

    @abc.abstractmethod
    def send(self, *, transaction_id: str, id_numbers: list[str]) -> None:
        """Put the query on its way (a request file, an HTTP search)."""


@dataclass(frozen=True, slots=True)
class AnswerRow:
    line: int
    id_number: str
    item: str
    value: Decimal
    reference: str


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    reason: str
    row: str

    def as_json(self) -> dict:
        return {"line": self.line, "reason": self.reason, "row": self.row[:300]}


def check_rows(
    raw: Iterable[tuple[int, dict, str]], *, items: set[str], id_numbers: set[str]
) -> tuple[list[AnswerRow], list[Rejected]]:
    """Validate answer rows one by one: a bad row is rejected with its line number and reason,
    the others are used (issue 10, bad input). ``raw`` is (line, fields, original text)."""
    accepted: list[AnswerRow] = []
    rejected: list[Rejected] = []
    seen: set[tuple[str, str, str]] = set()
    for line, fields, text in raw:
        if not isinstance(fields, dict):
            rejected.append(Rejected(line, _("格式错误：列数不对或不是一条记录。"), text))
            continue
        number = str(fields.get("id_number") or "").strip().upper()
        item = str(fields.get("item") or "").strip()
        reference = str(fields.get("reference") or "").strip()[:40]
        try:
            parse_id_number(number)
        except IDNumberError as exc:
            rejected.append(Rejected(line, _("身份证号码无效：") + str(exc), text))
            continue
        if number not in id_numbers:
            rejected.append(Rejected(line, _("身份证号码不在本次核对范围内。"), text))
            continue
        if item not in items:
            rejected.append(Rejected(line, _("未知的核对项目或该来源不提供此项目。"), text))
            continue
        try:
            value = Decimal(str(fields.get("value")).strip())
            if not value.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            rejected.append(Rejected(line, _("数值无效。"), text))
            continue
        if value < 0:
            rejected.append(Rejected(line, _("数值不能为负数。"), text))
            continue
        if value > MAX_VALUE or value != value.quantize(Decimal("0.01")):
            rejected.append(Rejected(line, _("数值超出范围或超过两位小数。"), text))
            continue
        key = (number, item, reference)
        if key in seen:
            rejected.append(Rejected(line, _("重复的记录。"), text))
            continue
        seen.add(key)
        accepted.append(AnswerRow(line, number, item, value, reference))
    return accepted, rejected
