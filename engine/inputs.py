"""Where batch cases come from: case files, folders of them, JSON Lines and CSV, read lazily.

Inputs are checked up front (paths exist, folders hold cases, CSV headers name case paths) so
that an unusable invocation fails before any case runs. Cases are then streamed one at a time as
small `Item`s; turning an item into a validated `Case` happens in the worker processes.

CSV header format: one column per case path, as in a case file with its sections joined by '.'
(`case_id`, `stage`, `engagement.level`, `power.differential`, `capacity.analytic`, ...), and
`cfir.<construct id>` for CFIR ratings (`cfir.innovation.complexity`). An empty cell means "not
stated". `equity.priority_populations` holds several values separated by ';'. Booleans are
true/false (also yes/no, 1/0).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from .documents import MAX_BYTES, Document, decode, parse, parse_json, read_text
from .errors import CaseError, Problem, UsageError, did_you_mean
from .facts import FACTS

Kind = Literal["file", "jsonl", "csv"]

CASE_SUFFIXES = (".yaml", ".yml", ".json")
"""Suffixes of case files (matched case-insensitively) that a folder given as input is searched for."""
JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv",)
LIST_SEPARATOR = ";"

CSV_COLUMNS: tuple[str, ...] = tuple(FACTS)
"""Every column a CSV may have: the case paths (case_id, site, engagement.level, cfir.<id>, ...)."""


@dataclass(frozen=True)
class Source:
    """One input file and how to read it."""

    path: str
    kind: Kind
    columns: tuple[str, ...] = ()


Item = tuple[Kind, str, int, int, Any]
"""(kind, source file, line, row, payload): one case, small enough to send to a worker.

`line` is where the case starts in the file (0 for a whole file); `row` its 1-based position
among the file's cases (0 for a whole file). The payload is the file path, a JSON Lines line
(bytes) or a CSV row's cells with the header.
"""


def kind_of(path: Path) -> Kind:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in CSV_SUFFIXES:
        return "csv"
    return "file"


def plan(inputs: Sequence[str | os.PathLike[str]]) -> list[Source]:
    """Check every input before any case runs; all problems are reported at once."""
    sources: list[Source] = []
    problems: list[Problem] = []
    if not inputs:
        raise UsageError(Problem(field="INPUT", code="no_input", message="no input given",
                                 hint="name case files, folders, .jsonl or .csv files, e.g. 'batch cases/ --out out'"))
    for raw in inputs:
        p = Path(raw)
        name = str(raw)
        if not p.exists():
            problems.append(Problem(file=name, code="not_found", message="no such file or folder",
                                    hint="check the path; it is relative to the current folder"))
        elif p.is_dir():
            found = [Source(str(f), "file") for f in case_files(p)]
            if not found:
                problems.append(Problem(file=name, code="no_cases", message="folder holds no case files",
                                        hint="case files end in " + ", ".join(CASE_SUFFIXES)
                                             + "; name .jsonl and .csv files directly"))
            sources += found
        elif kind_of(p) == "csv":
            try:
                sources.append(Source(name, "csv", check_header(p)))
            except CaseError as exc:
                problems += exc.problems
        else:
            sources.append(Source(name, kind_of(p)))
    if problems:
        raise UsageError(problems)
    return sources


def case_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The case files (CASE_SUFFIXES) under `folder`, recursively, in a stable order; hidden ones skipped."""
    folder = Path(folder)
    out = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        out += [Path(root) / f for f in files if not f.startswith(".") and f.lower().endswith(CASE_SUFFIXES)]
    return sorted(out, key=lambda f: f.relative_to(folder).parts)


# ---------------------------------------------------------------- CSV header


def check_header(path: Path) -> tuple[str, ...]:
    """The columns of a CSV file, each a case path; a clear error naming the bad column otherwise."""
    name = str(path)
    with _open_csv(path) as fh:
        header = next(csv.reader(fh), None)
    if not header or not any(c.strip() for c in header):
        raise CaseError(Problem(file=name, line=1, code="csv_header", message="no header row",
                                hint="the first row names the columns, e.g. case_id,stage,engagement.level"))
    columns = tuple(c.strip() for c in header)
    problems = []
    seen: set[str] = set()
    for i, col in enumerate(columns, 1):
        if not col:
            problems.append(Problem(file=name, line=1, field=f"column {i}", code="csv_header",
                                    message="empty column name", hint="name every column, or delete the column"))
        elif col not in FACTS:
            problems.append(Problem(file=name, line=1, field=col, code="csv_column",
                                    message=f"unknown column '{col}'", hint=_column_hint(col)))
        elif col in seen:
            problems.append(Problem(file=name, line=1, field=col, code="csv_column",
                                    message=f"column '{col}' appears twice", hint="keep one of them"))
        seen.add(col)
    if "case_id" not in columns:
        problems.append(Problem(file=name, line=1, field="case_id", code="csv_column",
                                message="no case_id column", hint="add a case_id column naming each site"))
    if problems:
        raise CaseError(problems)
    return columns


def _column_hint(col: str) -> str:
    if f"cfir.{col}" in FACTS:
        return f"did you mean 'cfir.{col}'? CFIR ratings are columns named cfir.<construct id>"
    return (did_you_mean(col, CSV_COLUMNS, 0.7)
            or "columns are case paths such as engagement.level or cfir.innovation.complexity; "
               "see 'CSV input' in the README")


def _open_csv(path: Path) -> Any:
    # bytes that are not UTF-8 survive as surrogates and are reported for their own row
    return open(path, newline="", encoding="utf-8-sig", errors="surrogateescape")


# ---------------------------------------------------------------- streaming items


def items(sources: Iterable[Source]) -> Iterator[Item]:
    """Every case of every source, in input order, one at a time."""
    for src in sources:
        if src.kind == "file":
            yield ("file", src.path, 0, 0, src.path)
        elif src.kind == "jsonl":
            yield from _jsonl_items(src.path)
        else:
            yield from _csv_items(src)


def _jsonl_items(path: str) -> Iterator[Item]:
    row = 0
    with open(path, "rb") as fh:
        for line_no, line in enumerate(fh, 1):
            if line.strip():
                row += 1
                yield ("jsonl", path, line_no, row, line.rstrip(b"\r\n"))


def _csv_items(src: Source) -> Iterator[Item]:
    with _open_csv(Path(src.path)) as fh:
        reader = csv.reader(fh)
        next(reader, None)
        row = 0
        start = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                row += 1
                yield ("csv", src.path, start, row, (src.columns, tuple(cells)))
            start = reader.line_num + 1


def count(sources: Iterable[Source]) -> int:
    """How many cases the sources hold (for a progress bar): a quick pass reading no case."""
    return sum(1 for _ in items(sources))


# ---------------------------------------------------------------- item -> case


def content(item: Item) -> str:
    """The item's text as read (a file's text, a JSON line, a CSV row with its header)."""
    kind, source, line, _, payload = item
    if kind == "file":
        return read_text(payload, CaseError)
    if kind == "jsonl":
        if len(payload) > MAX_BYTES:
            raise CaseError(Problem(file=source, line=line, code="too_large",
                                    message=f"line is {len(payload):,} bytes; the limit is {MAX_BYTES:,}"))
        if not isinstance(payload, bytes):
            return str(payload)
        try:
            return decode(payload, source, CaseError)
        except CaseError as exc:  # the decoder counts lines within this one line: point at the file's line
            raise CaseError([replace(p, line=line + p.line - 1 if p.line else line) for p in exc.problems]) from None
    columns, cells = payload
    return json.dumps([columns, cells], ensure_ascii=False, separators=(",", ":"))


def content_hash(item: Item, text: str) -> str:
    """Identifies a case's content (with how it is read) across runs, for --resume."""
    return hashlib.sha256(f"{item[0]}\n{text}".encode("utf-8", "surrogateescape")).hexdigest()


def to_document(item: Item, text: str) -> Document:
    """Parse one item into case data (not yet validated) that knows where it came from."""
    kind, source, line, _, payload = item
    if kind == "file":
        return parse(text, source, CaseError)
    if kind == "jsonl":
        return parse_json(text, source, CaseError, line=line)
    columns, cells = payload
    return Document(source, row_data(columns, cells, source, line), {(): line})


def row_data(columns: Sequence[str], cells: Sequence[str], source: str = "<csv>", line: int = 0) -> dict[str, Any]:
    """One CSV row -> case data: 'engagement.level' -> {'engagement': {'level': ...}}, blanks left out."""
    if len(cells) != len(columns):
        raise CaseError(Problem(file=source, line=line, code="csv_row",
                                message=f"row has {len(cells)} cells but the header has {len(columns)} columns",
                                hint="check for a missing or extra comma; quote cells that contain commas"))
    data: dict[str, Any] = {}
    for col, cell in zip(columns, cells, strict=True):
        value: Any = cell.strip()
        if not value:
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise CaseError(Problem(file=source, line=line, field=col, code="encoding",
                                    message="not UTF-8 text", hint="save the file as UTF-8")) from None
        if FACTS[col].kind == "list":
            value = [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]
        section, _, rest = col.partition(".")
        if rest:
            data.setdefault(section, {})[rest] = value
        else:
            data[col] = value
    return data
