"""A stack's icon: a name from the portal's set, or an image file inside the stack folder.

Image files come from catalog repositories, so they are checked like the rest: inside the
folder, small, and really the image their suffix says."""

from pathlib import Path

from .paths import path_escape

CONTENT_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}
MAX_BYTES = 256 * 1024
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def icon_content_type(icon: str | None) -> str | None:
    """The image type when ``icon`` names a file, None for an icon name."""
    return CONTENT_TYPES.get(Path(icon).suffix.lower()) if icon else None


def icon_problem(root: Path, icon: str) -> str | None:
    """Why the icon file ``icon`` cannot be shown, or None when it can."""
    reason = path_escape(root, icon)
    if reason:
        return reason
    path = root / icon
    if not path.is_file():
        return f"icon file {icon!r} not found"
    size = path.stat().st_size
    if size > MAX_BYTES:
        return f"icon file {icon!r} is {size} bytes; the limit is {MAX_BYTES}"
    content = path.read_bytes()
    if icon_content_type(icon) == "image/png" and not content.startswith(_PNG_SIGNATURE):
        return f"icon file {icon!r} is not a PNG image"
    if icon_content_type(icon) == "image/svg+xml" and b"<svg" not in content[:4096]:
        return f"icon file {icon!r} is not an SVG document (no <svg> element at its start)"
    return None
