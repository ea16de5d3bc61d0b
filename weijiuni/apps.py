from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

#: third-party apps the admin lists, and their models, in Chinese (issue 13: no "AXES" or
#: "Otp_Totp" on the admin's index). App and model names only: they are not in migrations.
#: django-axes' field labels are translatable and come from locale/zh_Hans.
THIRD_PARTY_LABELS = {
    "axes": (
        _("登录安全"),
        {
            "accessattempt": (_("登录失败记录"), _("登录失败记录")),
            "accesslog": (_("登录日志"), _("登录日志")),
            "accessfailurelog": (_("登录失败日志"), _("登录失败日志")),
            "accessattemptexpiration": (_("登录锁定到期"), _("登录锁定到期")),
        },
    ),
    "otp_totp": (_("双因素认证"), {"totpdevice": (_("动态口令设备"), _("动态口令设备"))}),
    "knox": (_("接口令牌"), {"authtoken": (_("接口令牌"), _("接口令牌"))}),
    "pghistory": (
        _("变更历史"),
        {
            "context": (_("变更上下文"), _("变更上下文")),
            "events": (_("变更事件"), _("变更事件")),
            "middlewareevents": (_("请求中的变更事件"), _("请求中的变更事件")),
        },
    ),
}


class WeijiuniConfig(AppConfig):
    verbose_name = _("威救你平台")
    name = "weijiuni"

    def ready(self) -> None:
        from weijiuni.api import schema_auth  # noqa: F401 - registers the OpenAPI scheme

        for label, (app_name, models) in THIRD_PARTY_LABELS.items():
            if not apps.is_installed(label) and label not in apps.app_configs:
                continue
            config = apps.app_configs.get(label)
            if config is None:
                continue
            config.verbose_name = app_name
            for model_name, (one, many) in models.items():
                try:
                    meta = config.get_model(model_name)._meta
                except LookupError:
                    continue
                meta.verbose_name, meta.verbose_name_plural = one, many
