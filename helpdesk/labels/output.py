"""Writing a finished PDF to a file: whole or not at all, with a clear message on failure."""

from __future__ import annotations

from pathlib import Path

from helpdesk.labels.errors import invalid


def write_pdf(pdf: bytes, target: str | Path, *, overwrite: bool = True) -> Path:
    """Write ``pdf`` to ``target`` through a temporary file, so a failed write leaves no half
    file behind; returns the path written. A file there already is replaced only with
    ``overwrite``, and only a regular file ever is (never a device or a pipe)."""
    path = Path(target).expanduser()
    if path.is_dir():
        raise invalid(f"{path} is a folder; give a file name such as labels.pdf.")
    if path.exists() and not path.is_file():
        raise invalid(f"{path} is not a regular file; give a file name such as labels.pdf.")
    if path.exists() and not overwrite:
        raise invalid(f"{path} exists already; choose another name or add --overwrite.")
    temporary = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(pdf)
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise invalid(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    return path
