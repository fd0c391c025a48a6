"""What every importer shares: the shape of a discovered resource, filters, progress
reports, and the loop that runs an importer type by type so one failing type never
stops the others."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar


class ImporterError(Exception):
    """A problem that stops an import before it starts: bad credentials, an unreachable
    endpoint, an unknown resource type in a filter, an unreadable state file."""


@dataclass(frozen=True)
class Ref:
    """A reference from one resource's argument to another resource.

    `literal` is the value the cloud reported (an id, an ARN, a name); the HCL writer
    prints it as is when the target was not imported, and `type.name.attr` when it was.
    """

    type: str
    id: str
    attr: str = "id"
    literal: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.type, self.id)


class Block(dict):
    """A nested block (`route { ... }`), as opposed to a map-valued argument (`tags = {}`):
    HCL writes them differently."""


@dataclass(frozen=True)
class JsonDoc:
    """A JSON document argument (an IAM policy): written as `jsonencode({...})` so that
    reviewers read HCL rather than an escaped string."""

    value: Any


@dataclass
class Resource:
    type: str
    id: str  # the Terraform import id; also what references point at
    name_hint: str  # a human name (Name tag, bucket name...), normalised by the writer
    region: str | None  # None for global services (IAM, Route 53)
    attributes: dict[str, Any]  # arguments a person would write; values may hold Refs
    parent: tuple[str, str] | None = None  # owner of an untaggable child (rule -> group)

    @property
    def key(self) -> tuple[str, str]:
        return (self.type, self.id)

    @property
    def tags(self) -> dict[str, str]:
        return self.attributes.get("tags") or {}

    @property
    def references(self) -> list[Ref]:
        return list(iter_refs(self.attributes))


def iter_refs(value: Any) -> Iterator[Ref]:
    if isinstance(value, Ref):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from iter_refs(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from iter_refs(item)


@dataclass(frozen=True)
class Skipped:
    type: str
    id: str
    reason: str


@dataclass(frozen=True)
class Failure:
    type: str
    region: str | None
    message: str


@dataclass(frozen=True)
class Progress:
    type: str
    region: str | None
    found: int  # resources of this type found so far in this region
    done: bool


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class ImportFilter:
    include_types: frozenset[str] = frozenset()  # empty: every type
    exclude_types: frozenset[str] = frozenset()
    tags: Mapping[str, str] = field(default_factory=dict)  # every pair must match

    @classmethod
    def parse(
        cls,
        include: Iterable[str] = (),
        exclude: Iterable[str] = (),
        tags: Iterable[str] = (),
    ) -> ImportFilter:
        """Build a filter from command-line style values; tags as `key=value`."""
        pairs = {}
        for item in tags:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise ImporterError(f"tag filter {item!r} must look like key=value")
            pairs[key] = value
        return cls(frozenset(include), frozenset(exclude), pairs)

    def check(self, known: Sequence[str]) -> None:
        unknown = sorted((self.include_types | self.exclude_types) - set(known))
        if unknown:
            raise ImporterError(
                f"unknown resource type(s) {', '.join(unknown)}; known types: {', '.join(known)}"
            )

    def selects_type(self, resource_type: str) -> bool:
        if self.include_types and resource_type not in self.include_types:
            return False
        return resource_type not in self.exclude_types

    def matches_tags(self, tags: Mapping[str, str]) -> bool:
        return all(tags.get(key) == value for key, value in self.tags.items())


@dataclass
class ImportResult:
    importer: str
    regions: list[str] = field(default_factory=list)  # the regions asked for, in order
    resources: list[Resource] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # caveats for the README

    def counts(self) -> Counter:
        return Counter(resource.type for resource in self.resources)


class Importer(ABC):
    name: ClassVar[str]
    # Parents before children: the tag filter lets an untaggable child (a rule, an
    # attachment, a record) through when its parent was kept.
    resource_types: ClassVar[tuple[str, ...]]

    def regions(self) -> list[str]:
        return []

    def scopes(self, resource_type: str) -> Sequence[str | None]:
        """Where to look for a type: one entry per region, or [None] for global ones."""
        return [None]

    def check(self) -> None:  # noqa: B027 - optional hook, most importers need no check
        """Raise ImporterError early when the source cannot be read at all."""

    def notes(self) -> list[str]:
        return []

    @abstractmethod
    def discover(self, resource_type: str, region: str | None) -> Iterator[Resource | Skipped]:
        """Yield what exists of one type in one region (or globally)."""

    def describe_error(self, exc: Exception) -> str:
        return f"{type(exc).__name__}: {exc}"


def run_import(
    importer: Importer,
    filters: ImportFilter | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    filters = filters or ImportFilter()
    filters.check(importer.resource_types)
    importer.check()
    result = ImportResult(importer=importer.name, regions=importer.regions())
    kept: set[tuple[str, str]] = set()
    for resource_type in importer.resource_types:
        if not filters.selects_type(resource_type):
            continue
        for region in importer.scopes(resource_type):
            found = 0
            try:
                for item in importer.discover(resource_type, region):
                    if isinstance(item, Skipped):
                        result.skipped.append(item)
                        continue
                    if not _passes_tags(item, filters, kept):
                        continue
                    kept.add(item.key)
                    result.resources.append(item)
                    found += 1
                    if progress:
                        progress(Progress(resource_type, region, found, done=False))
            except Exception as exc:  # isolate the type: report it, go on with the rest
                message = importer.describe_error(exc)
                if found:
                    message += f" (after {found} found, which are kept)"
                result.failures.append(Failure(resource_type, region, message))
            if progress:
                progress(Progress(resource_type, region, found, done=True))
    result.notes.extend(importer.notes())
    return result


def _passes_tags(resource: Resource, filters: ImportFilter, kept: set) -> bool:
    if not filters.tags:
        return True
    if resource.parent is not None:
        return resource.parent in kept
    return filters.matches_tags(resource.tags)
