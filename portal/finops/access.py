"""Who may change the price book. It belongs to no team: the platform engineers of any
team (and administrators) keep it, as they keep the catalog; every team member reads it."""

from django.core.exceptions import PermissionDenied

from portal.accounts import permissions as perms
from portal.finops.models import PriceBook


def may_view_book(user) -> bool:
    return perms.can(user, perms.VIEW, PriceBook)


def may_change_book(user) -> bool:
    return perms.can(user, perms.CHANGE, PriceBook)


def check_may_change_book(user) -> None:
    if not may_change_book(user):
        raise PermissionDenied(
            "You need the platform engineer role in a team to change the price book."
        )
