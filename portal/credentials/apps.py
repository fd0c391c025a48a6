from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "portal.credentials"
    label = "credentials"
    verbose_name = "Credentials"
