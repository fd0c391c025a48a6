"""Write an import result as a Terraform folder a person would review: one file per
category, providers per region, an `import {}` block per resource, references instead
of literal ids, and a README saying what was left out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from iac.hcl.naming import assign_names
from iac.hcl.syntax import Attribute, Block, Expression, FunctionCall, render_file
from iac.importers import catalog
from iac.importers.base import Block as NestedBlock
from iac.importers.base import ImportResult, JsonDoc, Ref, Resource

AWS_PROVIDER_VERSION = "~> 5.0"  # separate security group rule resources need 5.x
TERRAFORM_VERSION = ">= 1.5"  # import blocks


def alias(region: str) -> str:
    return region.replace("-", "_")


class _Writer:
    def __init__(self, result: ImportResult):
        self.result = result
        self.names = assign_names(result.resources)
        regions = list(result.regions)
        for resource in result.resources:
            if resource.region and resource.region not in regions:
                regions.append(resource.region)
        self.regions = regions
        self.aliased = len(regions) > 1
        self.uses_aws = any(r.type.startswith("aws_") for r in result.resources)

    def address(self, resource: Resource) -> str:
        return f"{resource.type}.{self.names[resource.key]}"

    def provider(self, resource: Resource) -> Expression | None:
        if not self.aliased or not resource.type.startswith("aws_"):
            return None
        # Global services (IAM, Route 53) go through the first region's provider.
        return Expression(f"aws.{alias(resource.region or self.regions[0])}")

    def value(self, value: Any) -> Any:
        if isinstance(value, Ref):
            name = self.names.get(value.key)
            if name is None:
                return value.literal
            return Expression(f"{value.type}.{name}.{value.attr}")
        if isinstance(value, JsonDoc):
            return FunctionCall("jsonencode", value.value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, Mapping):
            return {key: self.value(item) for key, item in value.items()}
        return value

    def resource_block(self, resource: Resource) -> Block:
        body: list = []
        provider = self.provider(resource)
        if provider:
            body += [Attribute("provider", provider), None]
        nested = []
        for name, value in resource.attributes.items():
            if isinstance(value, list) and value and isinstance(value[0], NestedBlock):
                for item in value:
                    fields = [Attribute(k, self.value(v)) for k, v in item.items()]
                    nested += [None, Block(name, (), fields)]
            else:
                body.append(Attribute(name, self.value(value)))
        if body and body[-1] is None:  # provider only: no blank line before the end
            body.pop()
        return Block("resource", (resource.type, self.names[resource.key]), body + nested)

    def import_block(self, resource: Resource) -> Block:
        body = [
            Attribute("to", Expression(self.address(resource))),
            Attribute("id", resource.id),
        ]
        provider = self.provider(resource)
        if provider:
            body.append(Attribute("provider", provider))
        return Block("import", (), body)

    def providers(self) -> str:
        required = Block(
            "required_providers",
            (),
            [Attribute("aws", {"source": "hashicorp/aws", "version": AWS_PROVIDER_VERSION})],
        )
        blocks = [
            Block(
                "terraform",
                (),
                [Attribute("required_version", TERRAFORM_VERSION), None, required],
            )
        ]
        for region in self.regions:
            body = [Attribute("region", region)]
            if self.aliased:
                body.insert(0, Attribute("alias", alias(region)))
            blocks.append(Block("provider", ("aws",), body))
        if not self.regions:
            blocks.append(Block("provider", ("aws",), []))
        return render_file(blocks)

    def ordered(self) -> list[Resource]:
        order = {rtype: index for index, rtype in enumerate(catalog.TYPES)}
        return sorted(
            self.result.resources,
            key=lambda r: (order.get(r.type, len(order)), r.type, self.names[r.key]),
        )

    def files(self) -> dict[str, str]:
        by_category: dict[str, list[Block]] = defaultdict(list)
        resources = self.ordered()
        for resource in resources:
            by_category[catalog.category(resource.type)].append(self.resource_block(resource))
        files = {}
        if self.uses_aws:
            files["providers.tf"] = self.providers()
        for name in (*catalog.CATEGORIES, "other"):
            if by_category.get(name):
                files[f"{name}.tf"] = render_file(by_category[name])
        if resources:
            files["imports.tf"] = render_file([self.import_block(r) for r in resources])
        files["README.md"] = self.readme()
        return files

    def readme(self) -> str:
        result = self.result
        counts = result.counts()
        lines = [
            f"# Imported infrastructure ({result.importer})",
            "",
            f"{len(result.resources)} resources"
            + (f" in {', '.join(self.regions)}" if self.regions else "")
            + ". Each has an `import` block in `imports.tf` (Terraform 1.5 or later):",
            "run `terraform init`, then `terraform plan` shows what would be imported and",
            "any difference between this configuration and the real resources.",
            "",
            "| type | count | file |",
            "| --- | ---: | --- |",
        ]
        for rtype in sorted(counts):
            lines.append(f"| `{rtype}` | {counts[rtype]} | {catalog.category(rtype)}.tf |")
        if result.skipped:
            lines += [
                "",
                "## Skipped",
                "",
                "| type | why | count | ids |",
                "| --- | --- | ---: | --- |",
            ]
            groups: dict[tuple[str, str], list[str]] = defaultdict(list)
            for item in result.skipped:
                groups[(item.type, item.reason)].append(item.id)
            for (rtype, reason), ids in sorted(groups.items()):
                shown = ", ".join(f"`{i}`" for i in ids[:5]) + (" ..." if len(ids) > 5 else "")
                lines.append(f"| `{rtype}` | {reason} | {len(ids)} | {shown} |")
        if result.failures:
            lines += ["", "## Failed", ""]
            for failure in result.failures:
                where = f" in {failure.region}" if failure.region else ""
                lines.append(f"- `{failure.type}`{where}: {failure.message}")
        if result.notes:
            lines += ["", "## Notes", ""]
            lines += [f"- {note}" for note in result.notes]
        return "\n".join(lines) + "\n"


def render_terraform(result: ImportResult) -> dict[str, str]:
    """File name -> content for the whole folder."""
    return _Writer(result).files()


def write_terraform(result: ImportResult, directory: str | Path) -> dict[str, str]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files = render_terraform(result)
    for name, content in files.items():
        (directory / name).write_text(content, encoding="utf-8")
    return files
