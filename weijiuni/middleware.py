"""Response headers for personal data, the second factor on every privileged session, and
query parameters (and page forms) refused when they hold text no database can take."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.cache import patch_cache_control

from applicants.validators import UNSAFE_TEXT_MESSAGE, has_unsafe_text

from . import twofactor


class SecurityHeadersMiddleware:
    """``Permissions-Policy`` on every response; ``Cache-Control: no-store`` on personal data.

    The rule is the simplest that is correct: every response to a logged-in user (pages,
    document downloads, API answers by session or token) and every API response, so that no
    shared or browser cache keeps a household's facts. Static files are served before
    authentication and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        personal = request.path_info.startswith("/api/") or (
            user is not None and user.is_authenticated
        )
        if personal:
            patch_cache_control(response, no_store=True, private=True)
        return response


class SecondFactorMiddleware:
    """A session of a role that needs two factors and has not given the second is ended.

    The login pages only complete such a login after the code; this catches every other way a
    session could come about (the admin's own login form, a session from before two-factor was
    switched on).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and twofactor.second_factor_required(user)
            and not user.is_verified()
        ):
            logout(request)
            if not request.path_info.startswith("/api/"):
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class RefuseUnsafeQueryMiddleware:
    """Every list filters on its query parameters (``?q=``, ``?region=``, ``?state=``,
    ``?household=`` …); a NUL there reached PostgreSQL and was a 500. Checking them once here
    covers every page and endpoint, present and future, with the same message."""

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
