"""The files of a batch run's output folder: streamed to temp files, renamed into place at the end.

While a run is going, every output lives in a hidden `.batch-<token>.*.partial` file in the
output folder; only a finished run renames them to results.jsonl, errors.jsonl,
recommendations.csv, summary.md and summary.html, so a stopped run never leaves a truncated file that looks
complete. The partial results survive a stopped run on purpose: with an index beside them (one
line per result: case_id, content hash, where the line is, the summary's digest of the case)
they are what `--resume` reuses. A finished run keeps that index as `.isp-batch-index.jsonl`.

With `--tables parquet` the run also writes cases.parquet, items.parquet, texts.parquet and (with
`--explanations full`) proofs.parquet the same way (engine.batch.tables); a finished run without
tables removes the tables an earlier run left, so the folder never mixes two runs' outputs.

One run at a time writes to a folder: an flock on `.isp-batch.lock`, which records the process
holding it. Only the main process holds it (a forked worker closes its inherited copy at once), so
the kernel releases it when that process ends however it ends (`kill -9`, the OOM killer); a lock
still held when the process that took it is gone (held on by processes an earlier version left
behind) is judged stale and taken over. That process is the one the file records, or for a lock an
earlier version took, the one /proc/locks names; when it cannot be told, the lock is respected.

The publication at the end is all or nothing as far as the user can see: the earlier outputs are
first set aside (renamed to hidden names, the old manifest first), then the new ones renamed in
(the new manifest, each output's size and SHA-256, last); if a rename fails, the new files are taken
out again and the earlier ones put back, so the folder holds the earlier run's outputs, unchanged.
(A crash in the middle of the renames leaves a folder without manifest.json, which never describes
a mixed set.) Nothing in the folder is replaced or removed unless it is a regular file with one
of the outputs' names: a symbolic link, named pipe or folder there stops the run before any case
(exit 2). A write that fails (a full disk) names the file and the errno and removes the run's temp
files.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import socket
import stat
import time
from pathlib import Path
from typing import IO, Any

import msgspec

from engine.batch.tablerows import CaseTables
from engine.batch.tables import ITEMS, PROOFS, TABLE_FILES, TableSet, file_digest
from engine.errors import OutputError, Problem, UsageError, display_name, os_reason, warn
from engine.model.jsontext import compact
from engine.render.csvrows import header_text

RESULTS = "results.jsonl"
ERRORS = "errors.jsonl"
RECOMMENDATIONS = "recommendations.csv"
SUMMARY = "summary.md"
SUMMARY_HTML = "summary.html"
MANIFEST = "manifest.json"
OUTPUTS = (RESULTS, ERRORS, RECOMMENDATIONS, SUMMARY, SUMMARY_HTML, MANIFEST)
INDEX = ".isp-batch-index.jsonl"
LOCK = ".isp-batch.lock"
PARTIAL_PREFIX = ".batch-"
INDEX_FORMAT = 1
ASIDE = ".old"
"""An earlier output set aside while the new ones are renamed in: `.batch-<token>.<name>.old.partial`."""
GUARD_WAIT = 2.0
"""Seconds to wait for another run's moment of taking the lock (the folder's own flock)."""


def prepare(out: Path, resume: bool, force: bool) -> None:
    """Make the output folder usable; refuse to replace earlier outputs unless asked."""
    if resume and force:
        raise UsageError(
            Problem(
                field="--resume/--force",
                code="clash",
                message="choose one",
                hint="--resume keeps the finished cases, --force starts over",
            )
        )
    if out.exists() and not out.is_dir():
        raise UsageError(
            Problem(
                file=str(out),
                field="--out",
                code="not_a_folder",
                message="exists and is not a folder",
                hint="give a folder for the outputs",
            )
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(
            Problem(
                file=str(out), field="--out", code="unwritable", message=f"cannot create the folder: {exc.strerror}"
            )
        ) from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise UsageError(Problem(file=str(out), field="--out", code="unwritable", message="folder is not writable"))
    foreign = not_ours(out)
    if foreign:
        raise UsageError(foreign)
    earlier = [n for n in (*OUTPUTS, *TABLE_FILES) if os.path.lexists(out / n)] + [p.name for p in partials(out)][:1]
    if earlier and not (resume or force):
        raise UsageError(
            Problem(
                file=str(out),
                field="--out",
                code="exists",
                message="already holds batch outputs (" + ", ".join(earlier) + ")",
                hint="add --resume to keep the finished cases, --force to start over, or choose another --out folder",
            )
        )


OWN_NAMES = (*OUTPUTS, INDEX, *TABLE_FILES)
"""The names a run writes in its folder (and may replace or remove there, if they are regular files)."""


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"


def _foreign(path: Path, mode: int) -> Problem:
    return Problem(
        file=display_name(str(path)),
        field="--out",
        code="not_regular",
        message=f"is {_kind(mode)}, not an output file a batch run wrote",
        hint="a batch run never replaces or removes it: move it out of the folder, or choose another --out folder",
    )


def not_ours(out: Path) -> list[Problem]:
    """Entries of the folder named like the run's outputs that are not regular files (links, pipes, folders)."""
    problems = []
    for name in (*OWN_NAMES, LOCK):
        try:
            mode = os.lstat(out / name).st_mode
        except OSError:
            continue
        if not stat.S_ISREG(mode):
            problems.append(_foreign(out / name, mode))
    return problems


# ---------------------------------------------------------------- the folder lock


_HELD: dict[int, tuple[int, int]] = {}
"""The lock (and guard) descriptors this process holds, with their files' (device, inode)."""


def _close_held_in_child() -> None:
    """In a forked child (a worker): close the inherited lock descriptors, so the lock is the main
    process's alone and the kernel releases it when that process ends, even if a worker lives on."""
    for fd, ident in list(_HELD.items()):
        try:
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) == ident:  # the same file still (never an unrelated reused number)
                os.close(fd)
        except OSError:
            pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_held_in_child)


def _hold(fd: int) -> None:
    st = os.fstat(fd)
    _HELD[fd] = (st.st_dev, st.st_ino)


def unlock(fd: int) -> None:
    """Release the folder's lock (closing the descriptor `lock` returned)."""
    _HELD.pop(fd, None)
    try:
        os.close(fd)
    except OSError:
        pass


def lock(out: Path) -> int:
    """Hold the folder for this run (released by `unlock`, or by the kernel when the process ends).

    A second run into the same folder would delete the first one's partial files; it is told so,
    with the process holding the lock. A lock whose recorded process is gone is stale: taken over.
    """
    path = out / LOCK
    guard = _guard(out)
    try:
        fd = _open_lock(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _holder(fd)
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise OutputError(
                    Problem(
                        file=display_name(str(path)),
                        field="--out",
                        code="unlockable",
                        message=f"cannot lock the folder: {os_reason(exc)}",
                        hint="choose an --out folder on a local file system",
                    )
                ) from None
            if guard is None or holder is None or _alive(holder):
                raise _locked(out, holder) from None
            # The run that took the lock is gone; processes it left behind still hold the file.
            # Under the guard no other run is taking the lock now: replace the file by a new one.
            try:
                os.unlink(path)
            except OSError:
                raise _locked(out, holder) from None
            fd = _open_lock(path)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise _locked(out, None) from None
        _hold(fd)
        _record(fd)
        return fd
    finally:
        if guard is not None:
            unlock(guard)


def _locked(out: Path, holder: dict[str, Any] | None) -> UsageError:
    who = ""
    if holder is not None and isinstance(holder.get("pid"), int):
        who = f" (process {holder['pid']}" + (f" on {holder['host']}" if holder.get("host") != _host() else "") + ")"
    return UsageError(
        Problem(
            file=display_name(str(out)),
            field="--out",
            code="locked",
            message=f"another batch run is writing to this folder{who}",
            hint="wait for it to finish, or choose another --out folder",
        )
    )


def _open_lock(path: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            mode = stat.S_IFREG
        if not stat.S_ISREG(mode):  # O_NOFOLLOW refused a symbolic link (ELOOP), or a folder
            raise UsageError(_foreign(path, mode)) from None
        raise OutputError(
            Problem(
                file=display_name(str(path)),
                field="--out",
                code="unwritable",
                message=f"cannot create the lock file: {os_reason(exc)}",
            )
        ) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):  # a named pipe or a device: never locked, never written
        os.close(fd)
        raise UsageError(_foreign(path, mode))
    return fd


def _guard(out: Path) -> int | None:
    """The folder's own flock, held while a run takes its lock (a moment): two runs never both judge
    one lock stale. None where folders cannot be locked (then stale locks are not taken over)."""
    try:
        fd = os.open(out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    deadline = time.monotonic() + GUARD_WAIT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            _hold(fd)
            return fd
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN) or time.monotonic() > deadline:
                os.close(fd)
                return None
            time.sleep(0.01)


def _host() -> str:
    return socket.gethostname()


def _start_time(pid: int) -> int | None:
    """When process `pid` started (clock ticks since boot, Linux), to tell a reused pid; None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def _record(fd: int) -> None:
    """Write who holds the lock into the lock file (for the message, and to judge it stale later)."""
    pid = os.getpid()
    data = compact({"pid": pid, "start": _start_time(pid), "host": _host()}) + "\n"
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, data.encode("utf-8"), 0)
    except OSError:
        pass  # a lock without a record is never judged stale; it still works


def _holder(fd: int) -> dict[str, Any] | None:
    """The process that took the lock: as the lock file records it, else (a lock taken by an earlier
    version, which recorded nothing) as the kernel lists it in /proc/locks; None when unknown (then
    the lock is never judged stale)."""
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
    except (OSError, ValueError):
        data = None
    if isinstance(data, dict) and isinstance(data.get("pid"), int) and not isinstance(data.get("pid"), bool):
        return data
    pid = _locker(fd)
    return None if pid is None else {"pid": pid, "host": _host()}


def _locker(fd: int) -> int | None:
    """The pid /proc/locks gives for the flock on `fd`'s file (Linux): the process that took it, even
    when it has ended and processes that inherited the descriptor hold it on."""
    try:
        st = os.fstat(fd)
        ident = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
        with open("/proc/locks", encoding="ascii", errors="replace") as fh:
            for line in fh:
                fields = line.split()
                if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == ident:  # not a waiter ("->")
                    return int(fields[4])
    except (OSError, ValueError, AttributeError):
        pass
    return None


def _alive(holder: dict[str, Any]) -> bool:
    """Whether the process a lock records may still be running (when in doubt, it is)."""
    pid = holder["pid"]
    if holder.get("host") != _host() or pid <= 0:
        return True  # another machine's process (a shared folder): cannot tell
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, another user's
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
        if state in (b"Z", b"X"):
            return False  # ended, not yet reaped
    except (OSError, IndexError):
        return True
    start = holder.get("start")
    return not isinstance(start, int) or _start_time(pid) in (None, start)  # else the pid was reused


def failed(path: Path, exc: OSError) -> OutputError:
    """An OS error while writing `path`, as a located error with the errno."""
    return OutputError(
        Problem(
            file=display_name(str(path)),
            code="write_failed",
            message=f"cannot write: {os_reason(exc)}",
            hint="free some space or choose another --out folder; the outputs already in the folder were not replaced",
        )
    )


def partials(out: Path) -> list[Path]:
    """The hidden temp files of runs in the folder (regular files only: a pipe or link is never
    read, resumed from or removed)."""
    found = []
    for p in out.glob(PARTIAL_PREFIX + "*.partial"):
        try:
            if stat.S_ISREG(os.lstat(p).st_mode):
                found.append(p)
        except OSError:
            continue
    return sorted(found)


# ---------------------------------------------------------------- writing


class Writer:
    """Streams one run's outputs into temp files; `commit` renames them into place.

    `tables` (`--tables parquet`): also the Parquet tables, proofs.parquet only with `proofs`.
    """

    def __init__(
        self, out: Path, engine: dict[str, Any], rules: str, tables: bool = False, proofs: bool = True
    ) -> None:
        self.out = out
        token = self.token = f"{os.getpid()}-{os.urandom(4).hex()}"
        self.table_names = tuple(n for n in TABLE_FILES if n != PROOFS or proofs) if tables else ()
        self.tmp = {
            name: out / f"{PARTIAL_PREFIX}{token}.{name}.partial" for name in (*OUTPUTS, INDEX, *self.table_names)
        }
        self._fh: dict[str, IO[bytes]] = {}
        self._sha: dict[str, Any] = {}
        self._size: dict[str, int] = {}
        self._hex: dict[str, str] = {}
        """SHA-256 of the files hashed once written (the tables)."""
        self.tables: TableSet | None = None
        name = RESULTS
        try:
            for name in (RESULTS, INDEX, ERRORS, RECOMMENDATIONS):
                self._fh[name] = open(self.tmp[name], "wb")
                self._sha[name] = hashlib.sha256()
                self._size[name] = 0
            if self.table_names:
                name = self.table_names[0]
                self.tables = TableSet({n: self.tmp[n] for n in self.table_names}, engine)
        except OSError as exc:
            self.discard(keep_resumable=False)
            raise failed(self.tmp[name], exc) from None
        self._write(INDEX, compact({"format": INDEX_FORMAT, "engine": engine, "rules": rules}) + "\n")
        self._write(RECOMMENDATIONS, header_text())

    def _write(self, name: str, text: str | bytes) -> None:
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        try:
            self._fh[name].write(data)
        except OSError as exc:
            raise failed(self.out / name, exc) from None
        self._sha[name].update(data)
        self._size[name] += len(data)

    def result(
        self,
        case_id: str,
        sha: str,
        line: str | bytes,
        csv_text: str | bytes,
        digest: dict[str, Any],
        rows: CaseTables | None = None,
    ) -> None:
        offset = self._size[RESULTS]
        self._write(RESULTS, line)
        self._write(RESULTS, b"\n")
        self._write(
            INDEX,
            compact(
                {
                    "case_id": case_id,
                    "sha256": sha,
                    "offset": offset,
                    "length": self._size[RESULTS] - offset,
                    "digest": digest,
                }
            )
            + "\n",
        )
        self._write(RECOMMENDATIONS, csv_text)
        if self.tables is not None and rows is not None:
            try:
                self.tables.add(rows)
            except OSError as exc:
                raise failed(self.out / ITEMS, exc) from None

    def error(self, row: dict[str, Any]) -> None:
        self._write(ERRORS, compact(row) + "\n")

    def flush(self) -> None:
        """Make finished cases resumable: results before the index that points at them."""
        for name in (RESULTS, INDEX):
            try:
                self._fh[name].flush()
            except OSError as exc:
                raise failed(self.out / name, exc) from None

    def commit(self, summary: str, summary_html: str = "") -> None:
        """Close, sync and rename every output into place; the manifest last."""
        self._write(INDEX, compact({"end": True, "results_bytes": self._size[RESULTS]}) + "\n")
        for name, text in ((SUMMARY, summary), (SUMMARY_HTML, summary_html)):
            data = text.encode("utf-8")
            self._sha[name] = hashlib.sha256(data)
            self._size[name] = len(data)
            _write_synced(self.tmp[name], data, self.out / name)
        for name, fh in list(self._fh.items()):
            try:
                fh.flush()
                os.fsync(fh.fileno())
                fh.close()
            except OSError as exc:
                raise failed(self.out / name, exc) from None
        self._fh.clear()
        self._close_tables()
        manifest = {
            "format": 1,
            "files": {
                name: {"bytes": self._size[name], "sha256": self._hex.get(name) or self._sha[name].hexdigest()}
                for name in (RESULTS, ERRORS, RECOMMENDATIONS, SUMMARY, SUMMARY_HTML, *self.table_names)
            },
        }
        _write_synced(self.tmp[MANIFEST], (json.dumps(manifest, indent=2) + "\n").encode("utf-8"), self.out / MANIFEST)
        self._publish()
        _sync_folder(self.out)

    def _aside(self, name: str) -> Path:
        return self.out / f"{PARTIAL_PREFIX}{self.token}.{name}{ASIDE}.partial"

    def _publish(self) -> None:
        """Set the earlier outputs aside, rename the new ones in (the manifest last), then delete the
        earlier ones; if a rename fails, put everything back as it was and say so."""
        new = (ERRORS, RECOMMENDATIONS, SUMMARY, SUMMARY_HTML, *self.table_names, RESULTS, INDEX, MANIFEST)
        foreign = not_ours(self.out)  # checked before any case ran; again, in case it changed since
        if foreign:
            raise OutputError(foreign)
        old = [
            n
            for n in (MANIFEST, *new[:-1], *(t for t in TABLE_FILES if t not in self.table_names))
            if os.path.lexists(self.out / n)
        ]  # the old manifest first: the old set is no longer whole
        aside: list[str] = []
        placed: list[str] = []
        name = MANIFEST
        try:
            for name in old:
                os.rename(self.out / name, self._aside(name))
                aside.append(name)
            for name in new:
                os.replace(self.tmp[name], self.out / name)
                placed.append(name)
        except BaseException as exc:  # a failed rename, or a stop (Ctrl-C, SIGTERM) in the middle
            kept, left = self._restore(placed, aside)
            if not isinstance(exc, OSError):
                raise
            if kept or left:
                raise OutputError(
                    Problem(
                        file=display_name(str(self.out / name)),
                        code="write_failed",
                        message=f"cannot rename into place: {os_reason(exc)}; the folder could not all be put back as "
                        "it was: "
                        + ", ".join(
                            [f"the earlier {n} is kept as {p.name}" for n, p in kept]
                            + [f"{n} is this run's" for n in left]
                        ),
                        hint="put those files right by hand, or run again with --force",
                    )
                ) from None
            raise failed(self.out / name, exc) from None
        for name in aside:
            try:
                self._aside(name).unlink()
            except OSError:
                pass  # a hidden leftover: the next finished run removes it

    def _restore(self, placed: list[str], aside: list[str]) -> tuple[list[tuple[str, Path]], list[str]]:
        """Undo a publication that failed half-way. Returns the earlier outputs that could not be put
        back (and where they are) and this run's outputs that could not be taken out again."""
        left = []
        for name in reversed(placed):
            try:
                os.replace(self.out / name, self.tmp[name])  # back to its temp name: `discard` removes it
            except OSError:
                if name not in aside:  # else the earlier file, put back below, replaces it
                    left.append(name)
        kept = []
        for name in reversed(aside):
            try:
                os.replace(self._aside(name), self.out / name)
            except OSError:
                kept.append((name, self._aside(name)))
        return kept, left

    def _close_tables(self) -> None:
        """Finish the Parquet tables (the last row groups and footers), sync them, note size and hash."""
        if self.tables is None:
            return
        tables, self.tables = self.tables, None
        name = self.table_names[0]
        try:
            tables.close()
            for name in self.table_names:
                with open(self.tmp[name], "rb") as fh:
                    os.fsync(fh.fileno())
                self._size[name], self._hex[name] = file_digest(self.tmp[name])
        except OSError as exc:
            raise failed(self.out / name, exc) from None

    def discard(self, keep_resumable: bool = True) -> None:
        """After a stopped run: delete the temp files, keeping the partial results for --resume."""
        if self.tables is not None:
            self.tables.abort()
            self.tables = None
        for fh in self._fh.values():
            try:
                fh.close()
            except OSError:
                pass
        self._fh.clear()
        keep = {self.tmp[RESULTS], self.tmp[INDEX]} if keep_resumable else set()
        for p in self.tmp.values():
            if p not in keep:
                try:
                    p.unlink()
                except OSError:
                    pass


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _write_synced(tmp: Path, data: bytes, shown_as: Path) -> None:
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise failed(shown_as, exc) from None


def _sync_folder(folder: Path) -> None:
    """Make the renames durable (best effort: not every file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------- reading an earlier run


class Previous(msgspec.Struct):
    """Results of earlier runs in the output folder, by content hash, for --resume.

    Only results of the same rule packs (names and versions, and the same bytes: `rules` is
    engine.rulepacks.loader.read_packs) are kept; a results line is reused only if the index's byte range
    lies inside its file and the line names the same case.
    """

    files: list[Path] = msgspec.field(default_factory=list)
    entries: dict[str, tuple[int, int, int, str, dict[str, Any]]] = msgspec.field(default_factory=dict)
    _open: dict[int, IO[bytes]] = msgspec.field(default_factory=dict)

    @classmethod
    def load(cls, out: Path, engine: dict[str, Any], rules: str) -> Previous:
        prev = cls()
        pairs = [(out / RESULTS, out / INDEX, True)]
        pairs += [
            (p.with_name(p.name.replace(f".{INDEX}.partial", f".{RESULTS}.partial")), p, False)
            for p in partials(out)
            if p.name.endswith(f".{INDEX}.partial")
        ]
        for results, index, finished in pairs:
            if _regular(results) and _regular(index):  # a pipe is never opened: it would block
                try:
                    prev._read_index(results, index, engine, rules, finished)
                except (OSError, ValueError, TypeError, AttributeError, KeyError) as exc:
                    warn(
                        f"{display_name(str(index))}: ignored: the resume index is unreadable "
                        f"({type(exc).__name__}); its cases are evaluated again"
                    )
        return prev

    def _read_index(self, results: Path, index: Path, engine: dict[str, Any], rules: str, finished: bool) -> None:
        size = results.stat().st_size
        found: dict[str, tuple[int, int, int, str, dict[str, Any]]] = {}
        complete = False
        file_no = len(self.files)
        with open(index, encoding="utf-8", errors="replace") as fh:
            for n, raw in enumerate(fh):
                try:
                    entry = json.loads(raw)
                except ValueError:
                    if n == 0:
                        raise  # no header: not an index this tool wrote
                    break  # a line cut short by a stopped run: everything before it is good
                if n == 0:
                    if (
                        entry.get("format") != INDEX_FORMAT
                        or entry.get("engine") != engine
                        or entry.get("rules") != rules
                    ):
                        return  # other rules, edited rules (or another tool version): nothing is reusable
                    continue
                if entry.get("end"):
                    complete = entry.get("results_bytes") == size
                    break
                try:
                    offset, length = int(entry["offset"]), int(entry["length"])
                    if offset + length <= size:
                        found.setdefault(
                            str(entry["sha256"]),
                            (file_no, offset, length, str(entry["case_id"]), dict(entry["digest"])),
                        )
                except (KeyError, TypeError, ValueError, AttributeError):
                    break
        if finished and not complete:
            return  # results.jsonl was replaced or edited after the run: do not trust the index
        self.files.append(results)
        for sha, val in found.items():
            self.entries.setdefault(sha, val)

    def hashes(self) -> frozenset[str]:
        return frozenset(self.entries)

    def line(self, sha: str) -> tuple[str, str, dict[str, Any]] | None:
        """(case_id, results line, digest) of an earlier result, or None if it cannot be trusted."""
        entry = self.entries.get(sha)
        if entry is None:
            return None
        file_no, offset, length, case_id, digest = entry
        try:
            fh = self._open.get(file_no)
            if fh is None:
                fh = self._open[file_no] = open(self.files[file_no], "rb")
            fh.seek(offset)
            data = fh.read(length)
            if not data.startswith(b'{"case_id":' + compact(case_id).encode("utf-8") + b",") or not data.endswith(
                b"\n"
            ):
                return None
            return case_id, data[:-1].decode("utf-8"), digest
        except (OSError, ValueError):  # unreadable or not UTF-8: evaluate the case again
            return None

    def close(self) -> None:
        for fh in self._open.values():
            fh.close()
        self._open.clear()
