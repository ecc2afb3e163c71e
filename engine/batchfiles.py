"""The files of a batch run's output folder: streamed to temp files, renamed into place at the end.

While a run is going, every output lives in a hidden `.batch-<token>.*.partial` file in the
output folder; only a finished run renames them to results.jsonl, errors.jsonl,
recommendations.csv and summary.md, so a stopped run never leaves a truncated file that looks
complete. The partial results survive a stopped run on purpose: with an index beside them (one
line per result: case_id, content hash, where the line is, the summary's digest of the case)
they are what `--resume` reuses. A finished run keeps that index as `.isp-batch-index.jsonl`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .errors import Problem, UsageError
from .render.csvrows import header_text
from .results import compact

RESULTS = "results.jsonl"
ERRORS = "errors.jsonl"
RECOMMENDATIONS = "recommendations.csv"
SUMMARY = "summary.md"
OUTPUTS = (RESULTS, ERRORS, RECOMMENDATIONS, SUMMARY)
INDEX = ".isp-batch-index.jsonl"
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
    if not os.access(out, os.W_OK):
        raise UsageError(Problem(file=str(out), field="--out", code="unwritable", message="folder is not writable"))
    earlier = [n for n in OUTPUTS if (out / n).exists()] + [p.name for p in partials(out)][:1]
    if earlier and not (resume or force):
        raise UsageError(Problem(file=str(out), field="--out", code="exists",
                                 message="already holds batch outputs (" + ", ".join(earlier) + ")",
                                 hint="add --resume to keep the finished cases, --force to start over, "
                                      "or choose another --out folder"))


def partials(out: Path) -> list[Path]:
    return sorted(p for p in out.glob(PARTIAL_PREFIX + "*.partial"))


# ---------------------------------------------------------------- writing


class Writer:
    """Streams one run's outputs into temp files; `commit` renames them into place."""

    def __init__(self, out: Path, engine: dict[str, Any], rules: str) -> None:
        self.out = out
        token = f"{os.getpid()}-{os.urandom(4).hex()}"
        self.tmp = {name: out / f"{PARTIAL_PREFIX}{token}.{name}.partial" for name in (*OUTPUTS, INDEX)}
        self._fh: dict[str, IO[str]] = {}
        try:
            for name in (RESULTS, INDEX, ERRORS, RECOMMENDATIONS):
                self._fh[name] = open(self.tmp[name], "w", encoding="utf-8", newline="")
        except OSError:
            self.discard(keep_resumable=False)
            raise
        self._offset = 0
        self._fh[INDEX].write(compact({"format": INDEX_FORMAT, "engine": engine, "rules": rules}) + "\n")
        self._fh[RECOMMENDATIONS].write(header_text())

    def result(self, case_id: str, sha: str, line: str, csv_text: str, digest: dict[str, Any]) -> None:
        data = (line + "\n").encode("utf-8")
        self._fh[RESULTS].write(line + "\n")
        self._fh[INDEX].write(compact({"case_id": case_id, "sha256": sha, "offset": self._offset,
                                      "length": len(data), "digest": digest}) + "\n")
        self._offset += len(data)
        self._fh[RECOMMENDATIONS].write(csv_text)

    def error(self, row: dict[str, Any]) -> None:
        self._fh[ERRORS].write(compact(row) + "\n")

    def flush(self) -> None:
        """Make finished cases resumable: results before the index that points at them."""
        self._fh[RESULTS].flush()
        self._fh[INDEX].flush()

    def commit(self, summary: str) -> None:
        """Close, sync and rename every output into place."""
        self._fh[INDEX].write(compact({"end": True, "results_bytes": self._offset}) + "\n")
        with open(self.tmp[SUMMARY], "w", encoding="utf-8", newline="") as summary_fh:
            summary_fh.write(summary)
            summary_fh.flush()
            os.fsync(summary_fh.fileno())
        for fh in self._fh.values():
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
        self._fh.clear()
        for name in (RESULTS, INDEX, ERRORS, RECOMMENDATIONS, SUMMARY):
            os.replace(self.tmp[name], self.out / name)

    def discard(self, keep_resumable: bool = True) -> None:
        """After a stopped run: delete the temp files, keeping the partial results for --resume."""
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


# ---------------------------------------------------------------- reading an earlier run


@dataclass
class Previous:
    """Results of earlier runs in the output folder, by content hash, for --resume.

    Only results of the same rule packs (names and versions, and the same bytes: `rules` is
    engine.loader.rules_digest) are kept; a results line is reused only if the index's byte range
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
                prev._read_index(results, index, engine, rules, finished)
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
                except (KeyError, TypeError, ValueError):
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
        fh = self._open.get(file_no)
        if fh is None:
            fh = self._open[file_no] = open(self.files[file_no], "rb")
        fh.seek(offset)
        data = fh.read(length)
        if not data.startswith(b'{"case_id":' + compact(case_id).encode("utf-8") + b",") or not data.endswith(b"\n"):
            return None
        return case_id, data[:-1].decode("utf-8"), digest

    def close(self) -> None:
        for fh in self._open.values():
            fh.close()
        self._open.clear()
