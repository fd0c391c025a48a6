"""Catalog search and filters.

Done in Python over the stacks a user may see: the catalog holds tens or hundreds of
stacks, and list-in-JSON lookups (technologies, providers, keywords) differ between
SQLite and PostgreSQL, while this reads the same on both.
"""

from collections.abc import Iterable

from portal.catalog.models import Stack


def _text(stack: Stack) -> str:
    words = [stack.name, stack.slug, stack.description, *stack.keywords, *stack.technologies]
    return " ".join([*words, *stack.providers]).lower()


def filter_stacks(
    stacks: Iterable[Stack], query: str = "", technology: str = "", provider: str = ""
) -> list[Stack]:
    """Stacks holding every word of ``query`` (name, description, keywords...) and, when
    given, the technology and the provider."""
    words = query.lower().split()
    return [
        stack
        for stack in stacks
        if all(word in _text(stack) for word in words)
        and (not technology or technology in stack.technologies)
        and (not provider or provider in stack.providers)
    ]


def facets(stacks: Iterable[Stack]) -> tuple[list[str], list[str]]:
    """The technologies and providers to offer as filters."""
    stacks = list(stacks)
    technologies = sorted({name for stack in stacks for name in stack.technologies})
    providers = sorted({name for stack in stacks for name in stack.providers})
    return technologies, providers
