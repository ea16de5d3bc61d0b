"""The hub's writes (SPEC §10): one function per business action, each in one transaction,
checking who may act through ``applicants.permissions`` and raising ``HubError`` (a 400 with
field errors at the API, a form error on pages) when a rule refuses."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from applicants.errors import DomainError
from applicants.validators import has_unsafe_text


class HubError(DomainError):
    pass


def fail(field: str, message: str) -> HubError:
    return HubError(message, {field: [message]})


PHONE = re.compile(r"^[0-9][0-9-]{6,19}$")


def clean_text(value, *, field: str, max_length: int, required: bool = True) -> str:
    """Text from a person: stripped, present when required, bounded, no NUL or lone
    surrogate (PostgreSQL refuses them: a 500 otherwise)."""
    text = (value or "").strip() if isinstance(value, str | type(None)) else str(value).strip()
    if required and not text:
        raise fail(field, _("此项为必填项。"))
    if len(text) > max_length:
        raise fail(field, _("不能超过%(n)d个字。") % {"n": max_length})
    if has_unsafe_text(text):
        raise fail(field, _("包含无法保存的字符。"))
    return text


def clean_phone(value, *, field: str = "caller_phone") -> str:
    phone = clean_text(value, field=field, max_length=20)
    if not PHONE.match(phone):
        raise fail(field, _("请填写正确的电话号码（7–20位数字）。"))
    return phone
