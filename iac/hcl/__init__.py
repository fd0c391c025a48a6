"""Write Terraform configuration (HCL) from import results."""

from iac.hcl.archive import zip_files
from iac.hcl.naming import assign_names, normalise
from iac.hcl.syntax import quote
from iac.hcl.writer import render_terraform, write_terraform

__all__ = [
    "assign_names",
    "normalise",
    "quote",
    "render_terraform",
    "write_terraform",
    "zip_files",
]
