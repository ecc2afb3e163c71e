"""Writing files safely: atomically (temp file + rename) and never over an existing file unasked.

Only a regular file (or an absent path) is ever replaced: a symlink, FIFO or device node named
as the output is refused even with --force. A new file gets the mode the umask allows (reports
are meant to be shared); a replaced file keeps its mode.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from engine.errors import OutputError, Problem, UsageError, display_name, os_reason


def check_writable(path: str | os.PathLike[str], force: bool = False) -> Path:
    """Refuse to clobber an existing file (or write into a missing folder) before any work is done."""
    p = Path(path)
    name = display_name(str(p))
    if not str(path):
        raise UsageError(
            Problem(code="no_name", message="the output file name is empty", hint="give a file name, e.g. report.html")
        )
    try:
        st: os.stat_result | None = os.lstat(p)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(Problem(file=name, code="unwritable", message=f"cannot write: {os_reason(exc)}")) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UsageError(
            Problem(file=name, code="is_directory", message="is a directory", hint="give a file name, e.g. report.html")
        )
    if st is not None and not stat.S_ISREG(st.st_mode):
        what = (
            "a symlink"
            if stat.S_ISLNK(st.st_mode)
            else "a named pipe (FIFO)"
            if stat.S_ISFIFO(st.st_mode)
            else "a device"
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "not a regular file"
        )
        raise UsageError(
            Problem(
                file=name,
                code="not_regular",
                message=f"is {what}; only a regular file is replaced",
                hint="choose another name (--force never replaces a link, pipe or device)",
            )
        )
    if st is not None and not force:
        raise UsageError(
            Problem(
                file=name,
                code="exists",
                message="already exists",
                hint="use --force to replace it, or choose another name",
            )
        )
    if not p.parent.exists():
        raise UsageError(
            Problem(
                file=name,
                code="no_folder",
                message=f"folder {display_name(str(p.parent))} does not exist",
                hint="create it first",
            )
        )
    return p


def atomic_write(path: str | os.PathLike[str], text: str | bytes, force: bool = False) -> Path:
    """Write the whole file or nothing: readers never see a half-written file.

    The temp file has a short name in the same folder (an output name of 255 characters must
    still work); any OS error becomes an OutputError naming the file and the errno.
    """
    p = check_writable(path, force)
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        # the permission bits of the file replaced, never its setuid, setgid or sticky bits (a new file
        # is owned by whoever writes it, so those bits would otherwise pass to another owner)
        mode = (stat.S_IMODE(os.stat(p).st_mode) & 0o777) if p.exists() else 0o666 & ~current_umask()
        tmp = _temp_in(p.parent)
    except OSError as exc:
        raise OutputError(
            Problem(file=display_name(str(p)), code="unwritable", message=f"cannot write: {os_reason(exc)}")
        ) from None
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        check_writable(p, True)  # still absent or a regular file: never replace a link made meanwhile
        os.replace(tmp, p)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputError(
                Problem(file=display_name(str(p)), code="unwritable", message=f"cannot write: {os_reason(exc)}")
            ) from None
        raise
    return p


def _temp_in(folder: Path) -> Path:
    """A fresh short temp name in `folder` (same file system, so the rename is atomic)."""
    for _ in range(100):
        candidate = folder / f".isp-{os.urandom(6).hex()}.tmp"
        if not os.path.lexists(candidate):
            return candidate
    raise FileExistsError(errno.EEXIST, "no free temp name", str(folder))  # pragma: no cover


def current_umask() -> int:
    """This process's umask (read by setting and restoring it; there is no getter before 3.13)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
