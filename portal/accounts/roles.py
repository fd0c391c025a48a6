from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    PLATFORM_ENGINEER = "platform_engineer", "Platform engineer"
    DEVELOPER = "developer", "Developer"
    VIEWER = "viewer", "Viewer"


# A role grants everything the roles below it grant.
ROLE_RANK = {Role.VIEWER: 1, Role.DEVELOPER: 2, Role.PLATFORM_ENGINEER: 3, Role.ADMIN: 4}


def role_at_least(role: str | None, minimum: str) -> bool:
    return role is not None and ROLE_RANK[Role(role)] >= ROLE_RANK[Role(minimum)]
