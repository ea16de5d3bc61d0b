from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicantsConfig(AppConfig):
    name = "applicants"
    verbose_name = _("申请与家庭档案")

    def ready(self) -> None:
        from django.core import checks
        from django.db.models.signals import post_delete, post_save

        from .checks import check_calendar_coverage
        from .models import Region, forget_scope_villages

        checks.register(check_calendar_coverage)
        for signal in (post_save, post_delete):
            signal.connect(forget_scope_villages, sender=Region, dispatch_uid="scope-villages")
