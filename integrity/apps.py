from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IntegrityConfig(AppConfig):
    name = "integrity"

    def ready(self) -> None:
        from .runtime_role import after_migrate

        # Once per migrate (sender: this app), after every app's migrations have run.
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="integrity.runtime_role")
