"""Text that PostgreSQL (and every page after it) can hold: one check, used at every edge.

A NUL character cannot be stored in a PostgreSQL text or jsonb value, and a lone UTF-16
surrogate cannot even be encoded to UTF-8 for the driver: either one reaching the database is
a server error. Forms, serializers, query parameters and free JSON all refuse them with a field
error through the functions here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_UNSAFE = re.compile("[\x00\ud800-\udfff]")

UNSAFE_TEXT_MESSAGE = _("含有不允许的字符（空字符或不成对的代理字符），请删除后重试。")


def has_unsafe_text(value: str) -> bool:
    return bool(_UNSAFE.search(value))


def refuse_unsafe_text(value: Any) -> None:
    """A field validator: a NUL or a lone surrogate in a string is refused."""
    if isinstance(value, str) and has_unsafe_text(value):
        raise ValidationError(UNSAFE_TEXT_MESSAGE, code="unsafe_text")


def json_unsafe_text(value: Any) -> bool:
    """Whether any string (key or value) anywhere in a parsed JSON value is unsafe. Iterative,
    so that a deeply nested value cannot exhaust the stack here either."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if has_unsafe_text(item):
                return True
        elif isinstance(item, Mapping):
            for key, child in item.items():
                if isinstance(key, str) and has_unsafe_text(key):
                    return True
                stack.append(child)
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def refuse_unsafe_json(value: Any) -> None:
    """A field validator for free JSON (dicts and lists): every string in it must be safe."""
    if json_unsafe_text(value):
        raise ValidationError(UNSAFE_TEXT_MESSAGE, code="unsafe_text")


#: a mobile or landline number as people write it: digits, optionally a leading +, the area
#: code set off by "-" or a space (13812345678, 0631-5201234, +86 138 1234 5678)
_PHONE = re.compile(r"^\+?[0-9](?:[0-9]|[- ](?=[0-9])){5,19}$")

PHONE_MESSAGE = _("请填写正确的电话号码（数字，区号后可加“-”）。")


def validate_phone(value: Any) -> None:
    """A field validator for phone numbers; blank is left to the field's own rule."""
    if isinstance(value, str) and value and not _PHONE.match(value.strip()):
        raise ValidationError(PHONE_MESSAGE, code="phone")
