from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"
    verbose_name = "Plateau core"

    def ready(self):
        from portal.core import api_schema  # noqa: F401  (registers OpenAPI extensions)
