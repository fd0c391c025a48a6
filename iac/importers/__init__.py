"""Importers: read existing infrastructure and describe it as Terraform resources.

The portal registers these through its `plateau_importers` hook; third parties add theirs
the same way. Each value is an `Importer` subclass."""

from iac.importers.aws import AwsImporter
from iac.importers.base import (
    Block,
    Failure,
    Importer,
    ImporterError,
    ImportFilter,
    ImportResult,
    JsonDoc,
    Progress,
    Ref,
    Resource,
    Skipped,
    run_import,
)
from iac.importers.tfstate import TfStateImporter

IMPORTERS: dict[str, type[Importer]] = {
    AwsImporter.name: AwsImporter,
    TfStateImporter.name: TfStateImporter,
}

__all__ = [
    "IMPORTERS",
    "AwsImporter",
    "Block",
    "Failure",
    "ImportFilter",
    "ImportResult",
    "Importer",
    "ImporterError",
    "JsonDoc",
    "Progress",
    "Ref",
    "Resource",
    "Skipped",
    "TfStateImporter",
    "run_import",
]
