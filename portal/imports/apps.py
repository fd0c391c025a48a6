from django.apps import AppConfig

# Actions beyond view/add: turning a result into a draft stack, and publishing that draft.
DRAFT, PUBLISH = "draft", "publish"


class ImportsConfig(AppConfig):
    name = "portal.imports"
    label = "imports"
    verbose_name = "Infrastructure import"

    def ready(self):
        from portal.accounts import permissions as perms
        from portal.accounts.roles import Role
        from portal.audit import recorder
        from portal.imports.models import ImportJob

        perms.register_policy(
            "imports.importjob",
            {
                perms.VIEW: Role.VIEWER,
                perms.ADD: Role.DEVELOPER,
                # A job is a record of what was found: it is not edited or deleted.
                perms.CHANGE: perms.SUPERUSER_ONLY,
                perms.DELETE: perms.SUPERUSER_ONLY,
                DRAFT: Role.PLATFORM_ENGINEER,
                PUBLISH: Role.PLATFORM_ENGINEER,
            },
        )
        # Results are large and the uploaded state may hold secrets: the trail keeps the
        # parameters, the status and the counts.
        recorder.register(
            ImportJob,
            exclude=(
                "state_upload",
                "progress",
                "skipped",
                "failures",
                "notes",
                "files",
                "estimate",
                "graph",
            ),
        )
