"""Login pages: password, then (when needed) the TOTP code step; setting up one's TOTP device."""

from __future__ import annotations

import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import twofactor
from .forms import LoginForm, OTPCodeForm

#: the session key of a login whose password checked out and whose code is still awaited
PENDING = "weijiuni_otp_pending"


class LoginView(auth_views.LoginView):
    """Step 1: username and password (django-axes counts the failures)."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def dispatch(self, request, *args, **kwargs):
        # Someone signed in without the admin's rights, sent here by the admin: sending them
        # back to the admin would send them here again, a redirect loop (issue 13). Say no.
        if (
            request.user.is_authenticated
            and not request.user.is_staff
            and self.get_redirect_url().startswith(reverse("admin:index"))
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "failure_limit": settings.AXES_FAILURE_LIMIT}

    def form_valid(self, form):
        user = form.get_user()
        if not twofactor.second_step_needed(user):
            auth_login(self.request, user)
            return HttpResponseRedirect(self.get_success_url())
        # Not logged in yet: the session remembers whose password was right, for a few minutes.
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_success_url(),
        }
        return redirect("login_otp")


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending:
        return None, None
    if time.time() - pending["at"] > settings.OTP_LOGIN_TIMEOUT_MINUTES * 60:
        del request.session[PENDING]
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


def _qr_svg(uri: str) -> str:
    # segno draws the QR code as inline SVG on the server: no CDN, no image endpoint, no script.
    # The markup is segno's own, of an URI we built; no user input reaches it unescaped.
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=2)
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703


def _device_context(device: TOTPDevice) -> dict:
    from base64 import b32encode

    uri = device.config_url
    return {
        "otpauth_uri": uri,
        "secret": b32encode(device.bin_key).decode(),
        "qr_svg": _qr_svg(uri),
    }


@sensitive_post_parameters("otp")
def login_otp(request):
    """Step 2: the 6-digit code; a role that needs one and has none sets it up here first."""
    user, pending = _pending_user(request)
    if user is None:
        messages.error(request, _("登录已超时，请重新输入用户名和密码。"))
        return redirect("login")
    device = twofactor.confirmed_device(user)
    enrolling = device is None
    if enrolling:
        device = twofactor.pending_device(user)
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["otp"]
        ok = (
            twofactor.confirm_device(device=device, code=code)
            if enrolling
            else twofactor.verify_code(device, code)
        )
        if ok:
            del request.session[PENDING]
            user.backend = pending["backend"]
            auth_login(request, user)
            otp_login(request, device)
            nxt = pending["next"]
            if not url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
                nxt = settings.LOGIN_REDIRECT_URL
            return redirect(nxt)
        form.add_error("otp", _("动态口令不正确或已过期，请输入验证器上当前显示的6位数字。"))
    context = {"form": form, "enrolling": enrolling, "username": user.get_username()}
    if enrolling:
        context.update(_device_context(device))
    return render(request, "registration/login_otp.html", context)


@login_required
@sensitive_post_parameters("otp")
def two_factor_setup(request):
    """双因素认证设置: add (or replace) one's TOTP device, shown as a secret and an otpauth URI."""
    user = request.user
    if settings.DEMO:
        return render(request, "registration/two_factor_setup.html", {"demo": True})
    current = twofactor.confirmed_device(user)
    device = twofactor.pending_device(user)
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.confirm_device(device=device, code=form.cleaned_data["otp"]):
            otp_login(request, device)
            messages.success(request, _("动态口令已启用，之后登录时需要输入验证器上的6位数字。"))
            return redirect("two_factor_setup")
        form.add_error("otp", _("动态口令不正确或已过期，请输入验证器上当前显示的6位数字。"))
    context = {
        "form": form,
        "current": current,
        "required": twofactor.second_factor_required(user),
        **_device_context(device),
    }
    return render(request, "registration/two_factor_setup.html", context)
