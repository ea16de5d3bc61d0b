"""Two-factor login (双因素认证): TOTP devices from django-otp.

MLPS level 3 (GB/T 22239-2019 8.1.4.1) asks for two factors for privileged users: the roles in
``OTP_REQUIRED_ROLES`` need a confirmed TOTP device outside demo mode; anyone else may add one,
and once they have, their logins ask for it too. In demo mode the demo accounts log in with the
password alone.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from applicants.models import Role

_CODE = re.compile(r"^\d{6}$")


def second_factor_required(user) -> bool:
    """Whether this user's role must log in with a second factor (never in demo mode)."""
    if settings.DEMO or not user.is_authenticated:
        return False
    role = Role.ADMIN if user.is_superuser else user.role
    return role in settings.OTP_REQUIRED_ROLES


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def second_step_needed(user) -> bool:
    """Password alone is not enough: the role needs a second factor or the user has set one up.

    Never in demo mode: the demo accounts are shared, and one visitor's authenticator must not
    lock the others out.
    """
    if settings.DEMO:
        return False
    return second_factor_required(user) or confirmed_device(user) is not None


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device a user is setting up (one, reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    return device


def verify_code(device: TOTPDevice | None, code: str) -> bool:
    """Check a 6-digit code; django-otp throttles a device after failures and refuses reuse."""
    if device is None or not _CODE.match(code or ""):
        return False
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        return device.verify_token(code)


def confirm_device(*, device: TOTPDevice, code: str) -> bool:
    """Bind a new device once its first code checks out; older devices of the user are dropped."""
    if not verify_code(device, code):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    device.confirmed = True
    return True
