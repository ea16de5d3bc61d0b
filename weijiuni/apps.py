from django.apps import AppConfig


class WeijiuniConfig(AppConfig):
    verbose_name = "威救你"
    name = "weijiuni"
