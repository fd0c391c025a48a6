"""The navigation bar, assembled from every plugin's ``plateau_menu_items``."""

import logging
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from portal.plugins import hook

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str
    group: str = "Main"
    weight: int = 100
    staff_only: bool = False

    def href(self) -> str:
        if self.url.startswith(("/", "http://", "https://")):
            return self.url
        try:
            return reverse(self.url)
        except NoReverseMatch:
            logger.warning("menu item %r names an unknown URL %r", self.label, self.url)
            return "#"


@dataclass
class MenuGroup:
    name: str
    items: list[tuple[str, str]]


GROUP_ORDER = ["Main", "Catalog", "Operations", "Reports", "Tools", "Administration"]


def build_menu(user) -> list[MenuGroup]:
    items = [
        item
        for contributed in hook().plateau_menu_items(user=user)
        for item in contributed or []
        if user.is_superuser or not item.staff_only
    ]
    groups: dict[str, list[MenuItem]] = {}
    for item in sorted(items, key=lambda entry: (entry.weight, entry.label)):
        groups.setdefault(item.group, []).append(item)

    def group_rank(name: str) -> tuple[int, str]:
        return (GROUP_ORDER.index(name) if name in GROUP_ORDER else len(GROUP_ORDER), name)

    return [
        MenuGroup(name, [(item.label, item.href()) for item in groups[name]])
        for name in sorted(groups, key=group_rank)
    ]
