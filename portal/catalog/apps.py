from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "portal.catalog"
    label = "catalog"
    verbose_name = "Stack catalog"

    def ready(self):
        from portal.accounts.permissions import register_policy
        from portal.audit import recorder
        from portal.catalog.models import Stack, StackSource, StackVersion
        from portal.catalog.visibility import SOURCE_POLICY

        register_policy("catalog.stacksource", SOURCE_POLICY)
        # Refresh bookkeeping changes every few minutes and says nothing about who changed
        # what; a user's "Refresh now" is recorded as its own event.
        recorder.register(StackSource, exclude=("last_refreshed", "last_error", "refresh_started"))
        recorder.register(Stack)
        # The report, definition and README are the snapshot's content, not a change.
        recorder.register(StackVersion, exclude=("report", "definition", "readme"))
