from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。"),
        "inactive": _("该账号已停用。"),
    }


class OTPCodeForm(forms.Form):
    otp = forms.RegexField(
        label=_("动态口令"),
        regex=r"^\d{6}$",
        max_length=6,
        strip=True,
        error_messages={
            "required": _("请输入验证器上显示的6位动态口令。"),
            "invalid": _("动态口令是6位数字。"),
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
