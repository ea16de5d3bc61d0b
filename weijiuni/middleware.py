"""Response headers for personal data, and the second factor on every privileged session."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.cache import patch_cache_control

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
