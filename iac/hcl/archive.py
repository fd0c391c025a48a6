"""Pack a rendered Terraform folder as a zip, for download from the portal."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping


def zip_files(files: Mapping[str, str], root: str = "terraform") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            path = f"{root}/{name}" if root else name
            # A fixed date keeps the archive identical for identical content.
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()
