from django.apps import AppConfig


class FinopsConfig(AppConfig):
    name = "portal.finops"
    label = "finops"
    verbose_name = "Cost and carbon"
