from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "integrity"
    verbose_name = _("诚信与监督")

    def ready(self) -> None:
        from .runtime_role import after_migrate

        # Once per migrate (sender: this app), after every app's migrations have run.
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="integrity.runtime_role")
