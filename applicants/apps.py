from django.apps import AppConfig


class ApplicantsConfig(AppConfig):
    name = "applicants"

    def ready(self) -> None:
        from django.core import checks

        from .checks import check_calendar_coverage

        checks.register(check_calendar_coverage)
