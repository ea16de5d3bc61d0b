"""The OpenAPI schema documents the error answers the API really gives, on every operation.

drf-spectacular documents only the success of each operation; clients (and the fuzzer in the
test suite) also meet: 400 field errors (bodies, query parameters — any of them refused for
unsafe text), 401 without credentials, 403 for a role that may not act, 404 outside the
caller's scope or past the last page, 413/415 for a body too large or of another type, and
429 when a rate limit is hit. Declared here once rather than on each view.
"""

from __future__ import annotations

from drf_spectacular import openapi

ERROR_BODY = {
    "type": "object",
    "additionalProperties": {},
    "description": "字段错误：字段名 → 错误信息列表；或 detail：错误信息",
}

ERRORS = {
    "400": "请求有误（字段错误）",
    "401": "未登录或凭据无效",
    "403": "无权执行此操作",
    "404": "不存在或不在您的管辖范围内",
    "429": "请求过于频繁",
}
BODY_ERRORS = {
    "413": "请求内容过大",
    "415": "不支持的内容类型",
}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors |= BODY_ERRORS
        for code, description in errors.items():
            responses.setdefault(
                code,
                {
                    "description": description,
                    "content": {"application/json": {"schema": ERROR_BODY}},
                },
            )
        return responses
