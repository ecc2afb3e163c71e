"""Writing files safely: atomically (temp file + rename) and never over an existing file unasked."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import Problem, UsageError


def check_writable(path: str | os.PathLike[str], force: bool = False) -> Path:
    """Refuse to clobber an existing file (or write into a missing folder) before any work is done."""
    p = Path(path)
    if p.is_dir():
        raise UsageError(Problem(file=str(p), code="is_directory", message="is a directory",
                                 hint="give a file name, e.g. report.html"))
    if p.exists() and not force:
        raise UsageError(Problem(file=str(p), code="exists", message="already exists",
                                 hint="use --force to replace it, or choose another name"))
    if not p.parent.exists():
        raise UsageError(Problem(file=str(p), code="no_folder", message=f"folder {p.parent} does not exist",
                                 hint="create it first"))
    return p


def atomic_write(path: str | os.PathLike[str], text: str | bytes, force: bool = False) -> Path:
    """Write the whole file or nothing: readers never see a half-written file."""
    p = check_writable(path, force)
    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return p
