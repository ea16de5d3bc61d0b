from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicantsConfig(AppConfig):
    name = "applicants"
    verbose_name = _("申请与家庭档案")

    def ready(self) -> None:
        from django.core import checks

        from .checks import check_calendar_coverage

        checks.register(check_calendar_coverage)
