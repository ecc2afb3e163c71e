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

One run at a time writes to a folder (an flock on `.isp-batch.lock`). The renames at the end
cannot all happen at once, so the old manifest.json is deleted first and the new one (each
output's size and SHA-256) written last: a folder whose manifest is missing or disagrees with
the files does not hold one finished run's outputs. A write that fails (a full disk) names
the file and the errno and removes the run's temp files.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

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


def prepare(out: Path, resume: bool, force: bool) -> None:
    """Make the output folder usable; refuse to replace earlier outputs unless asked."""
    if resume and force:
        raise UsageError(Problem(field="--resume/--force", code="clash", message="choose one",
                                 hint="--resume keeps the finished cases, --force starts over"))
    if out.exists() and not out.is_dir():
        raise UsageError(Problem(file=str(out), field="--out", code="not_a_folder",
                                 message="exists and is not a folder", hint="give a folder for the outputs"))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(Problem(file=str(out), field="--out", code="unwritable",
                                 message=f"cannot create the folder: {exc.strerror}")) from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise UsageError(Problem(file=str(out), field="--out", code="unwritable", message="folder is not writable"))
    earlier = [n for n in (*OUTPUTS, *TABLE_FILES) if (out / n).exists()] + [p.name for p in partials(out)][:1]
    if earlier and not (resume or force):
        raise UsageError(Problem(file=str(out), field="--out", code="exists",
                                 message="already holds batch outputs (" + ", ".join(earlier) + ")",
                                 hint="add --resume to keep the finished cases, --force to start over, "
                                      "or choose another --out folder"))


def lock(out: Path) -> int:
    """Hold the folder for this run (released when the returned descriptor is closed).

    A second run into the same folder would delete the first one's partial files; it is told so.
    """
    try:
        fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as exc:
        raise OutputError(Problem(file=display_name(str(out / LOCK)), field="--out", code="unwritable",
                                  message=f"cannot create the lock file: {os_reason(exc)}")) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise UsageError(Problem(file=display_name(str(out)), field="--out", code="locked",
                                 message="another batch run is writing to this folder",
                                 hint="wait for it to finish, or choose another --out folder")) from None
    return fd


def failed(path: Path, exc: OSError) -> OutputError:
    """An OS error while writing `path`, as a located error with the errno."""
    return OutputError(Problem(file=display_name(str(path)), code="write_failed",
                               message=f"cannot write: {os_reason(exc)}",
                               hint="free some space or choose another --out folder; "
                                    "the outputs already in the folder were not replaced"))


def partials(out: Path) -> list[Path]:
    return sorted(p for p in out.glob(PARTIAL_PREFIX + "*.partial"))


# ---------------------------------------------------------------- writing


class Writer:
    """Streams one run's outputs into temp files; `commit` renames them into place.

    `tables` (`--tables parquet`): also the Parquet tables, proofs.parquet only with `proofs`.
    """

    def __init__(self, out: Path, engine: dict[str, Any], rules: str, tables: bool = False,
                 proofs: bool = True) -> None:
        self.out = out
        token = f"{os.getpid()}-{os.urandom(4).hex()}"
        self.table_names = tuple(n for n in TABLE_FILES if n != PROOFS or proofs) if tables else ()
        self.tmp = {name: out / f"{PARTIAL_PREFIX}{token}.{name}.partial"
                    for name in (*OUTPUTS, INDEX, *self.table_names)}
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

    def result(self, case_id: str, sha: str, line: str | bytes, csv_text: str | bytes,
               digest: dict[str, Any], rows: CaseTables | None = None) -> None:
        offset = self._size[RESULTS]
        self._write(RESULTS, line)
        self._write(RESULTS, b"\n")
        self._write(INDEX, compact({"case_id": case_id, "sha256": sha, "offset": offset,
                                    "length": self._size[RESULTS] - offset, "digest": digest}) + "\n")
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
        manifest = {"format": 1, "files": {name: {"bytes": self._size[name],
                                                  "sha256": self._hex.get(name) or self._sha[name].hexdigest()}
                                           for name in (RESULTS, ERRORS, RECOMMENDATIONS, SUMMARY, SUMMARY_HTML,
                                                        *self.table_names)}}
        _write_synced(self.tmp[MANIFEST], (json.dumps(manifest, indent=2) + "\n").encode("utf-8"),
                      self.out / MANIFEST)
        name = MANIFEST
        try:
            (self.out / MANIFEST).unlink(missing_ok=True)  # the old set is no longer one run's outputs
            for name in TABLE_FILES:  # an earlier run's tables are not this run's
                if name not in self.table_names:
                    (self.out / name).unlink(missing_ok=True)
            for name in (ERRORS, RECOMMENDATIONS, SUMMARY, SUMMARY_HTML, *self.table_names, RESULTS, INDEX,
                         MANIFEST):
                os.replace(self.tmp[name], self.out / name)
        except OSError as exc:
            raise failed(self.out / name, exc) from None
        _sync_folder(self.out)

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


@dataclass
class Previous:
    """Results of earlier runs in the output folder, by content hash, for --resume.

    Only results of the same rule packs (names and versions, and the same bytes: `rules` is
    engine.rulepacks.loader.rules_digest) are kept; a results line is reused only if the index's byte range
    lies inside its file and the line names the same case.
    """

    files: list[Path] = field(default_factory=list)
    entries: dict[str, tuple[int, int, int, str, dict[str, Any]]] = field(default_factory=dict)
    _open: dict[int, IO[bytes]] = field(default_factory=dict)

    @classmethod
    def load(cls, out: Path, engine: dict[str, Any], rules: str) -> Previous:
        prev = cls()
        pairs = [(out / RESULTS, out / INDEX, True)]
        pairs += [(p.with_name(p.name.replace(f".{INDEX}.partial", f".{RESULTS}.partial")), p, False)
                  for p in partials(out) if p.name.endswith(f".{INDEX}.partial")]
        for results, index, finished in pairs:
            if results.exists() and index.exists():
                try:
                    prev._read_index(results, index, engine, rules, finished)
                except (OSError, ValueError, TypeError, AttributeError, KeyError) as exc:
                    warn(f"{display_name(str(index))}: ignored: the resume index is unreadable "
                         f"({type(exc).__name__}); its cases are evaluated again")
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
                    if (entry.get("format") != INDEX_FORMAT or entry.get("engine") != engine
                            or entry.get("rules") != rules):
                        return  # other rules, edited rules (or another tool version): nothing is reusable
                    continue
                if entry.get("end"):
                    complete = entry.get("results_bytes") == size
                    break
                try:
                    offset, length = int(entry["offset"]), int(entry["length"])
                    if offset + length <= size:
                        found.setdefault(str(entry["sha256"]), (file_no, offset, length, str(entry["case_id"]),
                                                                dict(entry["digest"])))
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
            if not data.startswith(b'{"case_id":' + compact(case_id).encode("utf-8") + b",") \
                    or not data.endswith(b"\n"):
                return None
            return case_id, data[:-1].decode("utf-8"), digest
        except (OSError, ValueError):  # unreadable or not UTF-8: evaluate the case again
            return None

    def close(self) -> None:
        for fh in self._open.values():
            fh.close()
        self._open.clear()
