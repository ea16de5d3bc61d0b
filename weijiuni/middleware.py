"""Query parameters (and page forms) are refused, as a field error, when they hold text no
database can take.

Every list filters on its query parameters (``?q=``, ``?region=``, ``?state=``,
``?household=`` …); a NUL there reached PostgreSQL and was a 500. Checking them once here
covers every page and endpoint, present and future, with the same message.
"""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse

from applicants.validators import UNSAFE_TEXT_MESSAGE, has_unsafe_text


class RefuseUnsafeQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = _unsafe_keys(request.GET)
        if not bad and request.method == "POST" and not request.path.startswith("/api/"):
            # Pages read their forms field by field; the API's parsers and fields check bodies.
            bad = _unsafe_keys(request.POST)
        if not bad:
            return self.get_response(request)
        message = str(UNSAFE_TEXT_MESSAGE)
        if request.path.startswith("/api/"):
            # A key that is itself unsafe is not echoed back: it is named as a general error.
            errors = {
                (key if not has_unsafe_text(key) else "non_field_errors"): [message] for key in bad
            }
            return JsonResponse(errors, status=400, json_dumps_params={"ensure_ascii": False})
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _unsafe_keys(query) -> list[str]:
    return [
        key
        for key, values in query.lists()
        if has_unsafe_text(key) or any(has_unsafe_text(v) for v in values if isinstance(v, str))
    ]
