"""Domain errors become 400 field errors at the API edge, in one shape.

Nested list errors are always lists aligned with the input (SPEC §11:
``{"members": [{"id_number": ["…"]}]}``); DRF reports some as ``{"0": {...}}``.
"""

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from applicants.errors import DomainError
from applicants.validators import has_unsafe_text


def _as_lists(value):
    if isinstance(value, dict):
        keys = list(value)
        if keys and all(str(k).isdigit() for k in keys):
            items = [{} for _ in range(max(int(k) for k in keys) + 1)]
            for k, v in value.items():
                items[int(k)] = _as_lists(v)
            return items
        return {k: _as_lists(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_lists(v) for v in value]
    return value


def _printable(value):
    """Error messages may quote the input (``"…" is not a valid choice``); a lone surrogate
    quoted back cannot be encoded as UTF-8 and would turn the 400 into a 500."""
    if isinstance(value, ErrorDetail) and has_unsafe_text(value):
        return ErrorDetail(str(value).encode("utf-8", "replace").decode("utf-8"), value.code)
    if isinstance(value, str) and has_unsafe_text(value):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(v) for v in value]
    return value


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(_printable(_as_lists(exc.detail)), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = Http404()  # never echo which object was looked for
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == status.HTTP_400_BAD_REQUEST:
        response.data = _printable(_as_lists(response.data))
    return response


def not_found(request, exception=None):
    """``handler404``: under ``/api/`` a URL no route matches (``/api/v1/households/1.5/``)
    answers like any other API 404, in JSON; pages keep Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到。")}, status=404)
    return defaults.page_not_found(request, exception)
