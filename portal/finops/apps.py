from django.apps import AppConfig


class FinopsConfig(AppConfig):
    name = "portal.finops"
    label = "finops"
    verbose_name = "Cost and carbon"

    def ready(self):
        from portal.accounts import permissions as perms
        from portal.accounts.roles import Role
        from portal.audit import recorder
        from portal.finops import models, signals

        editable = {
            perms.VIEW: Role.VIEWER,
            perms.ADD: Role.PLATFORM_ENGINEER,
            perms.CHANGE: Role.PLATFORM_ENGINEER,
            perms.DELETE: Role.PLATFORM_ENGINEER,
        }
        # The book has no team: "may change it" means "is a platform engineer in a team"
        # (asked with the model, as permissions.can does for "New" buttons).
        perms.register_policy("finops.pricebook", editable)
        perms.register_policy("finops.pricebookoverride", editable)
        # Price lists are loaded by operators; estimates and measures are written by runs.
        read_only = {
            perms.VIEW: Role.VIEWER,
            perms.ADD: perms.SUPERUSER_ONLY,
            perms.CHANGE: perms.SUPERUSER_ONLY,
            perms.DELETE: perms.SUPERUSER_ONLY,
        }
        for label in ("finops.pricelist", "finops.runestimate", "finops.runemission"):
            perms.register_policy(label, read_only)
        recorder.register(models.PriceBook)
        recorder.register(models.PriceBookOverride)
        recorder.register(models.PriceList, exclude=("catalog",))
        # Run estimates and measures are the worker's records of a run, like its status
        # changes: the run's own actions are what the audit trail holds.
        signals.connect()
