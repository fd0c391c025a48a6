"""Usage values, following Infracost's usage-file convention.

``{"resource_usage": {"aws_s3_bucket.logs": {"standard": {"storage_gb": 100}}}}``; an
address ending in ``[*]`` applies to every instance of a counted resource.
"""

import re
from decimal import Decimal
from pathlib import Path

import yaml

from iac.estimate.errors import InputError

INDEX = re.compile(r"\[[^\]]*\]$")


class Usage:
    def __init__(self, data: dict | None = None):
        data = data or {}
        self.by_address: dict = data.get("resource_usage", data) or {}

    def for_address(self, address: str) -> dict:
        if address in self.by_address:
            return self.by_address[address]
        wildcard = INDEX.sub("[*]", address)
        return self.by_address.get(wildcard, {})

    @staticmethod
    def value(values: dict, key: str) -> Decimal | None:
        """``key`` may be dotted for nested usage (``standard.storage_gb``)."""
        node = values
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return None if node is None else Decimal(str(node))


def load_usage_file(path: str | Path) -> Usage:
    try:
        return Usage(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InputError(
            str(getattr(error, "problem", None) or error),
            file=str(path),
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
