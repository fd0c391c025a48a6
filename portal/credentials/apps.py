from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "portal.credentials"
    label = "credentials"
    verbose_name = "Credentials"

    def ready(self):
        from portal.accounts.permissions import register_policy
        from portal.accounts.roles import Role
        from portal.audit import recorder
        from portal.credentials import crypto
        from portal.credentials.models import Credential

        register_policy(
            "credentials.credential",
            {
                # Developers pick credentials for stacks' credential parameters; they
                # see names and metadata, never material.
                "view": Role.DEVELOPER,
                "add": Role.PLATFORM_ENGINEER,
                "change": Role.PLATFORM_ENGINEER,
                "delete": Role.PLATFORM_ENGINEER,
                "bind": Role.PLATFORM_ENGINEER,
            },
        )
        # The recorder drops ``ciphertext``; the fingerprint shows that the material changed.
        recorder.register(Credential)
        crypto.register_encrypted_fields(Credential, "ciphertext")
