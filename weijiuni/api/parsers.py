"""Request bodies the API will read: bounded in size and in JSON nesting depth.

DRF's JSON parser reads the whole stream (Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not apply
to it) and hands it to ``json.loads``, which recurses once per nesting level: 100,000 ``[``
was a RecursionError and a 500. Here the body is read up to a limit, parsed, and its depth
walked without recursion; anything past a limit is a 400 (or 413 for size) before a view runs.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


def json_depth(value) -> int:
    """The nesting depth of a parsed JSON value (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in children)
    return deepest


class LimitedJSONParser(JSONParser):
    """JSON with at most ``API_MAX_BODY_BYTES`` bytes and ``API_MAX_JSON_DEPTH`` levels."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        too_large = _("请求内容过大（上限 %(limit)d 字节）。") % {"limit": limit}
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        if length and str(length).isdigit() and int(length) > limit:
            raise RequestTooLarge(too_large)
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(too_large)
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except RecursionError as exc:
            raise ParseError(_("JSON 嵌套层数过多。")) from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(_("JSON 格式错误。")) from exc
        if json_depth(data) > settings.API_MAX_JSON_DEPTH:
            raise ParseError(
                _("JSON 嵌套层数过多（上限 %(limit)d 层）。")
                % {"limit": settings.API_MAX_JSON_DEPTH}
            )
        return data


def _refuse_constant(name: str):
    """``NaN``, ``Infinity`` and ``-Infinity`` are not JSON; Python would accept them."""
    raise ValueError(name)
