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
import io
import json
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, Any, Literal

import msgspec

from engine.errors import CaseError, Problem, UsageError, did_you_mean, display_name, os_reason, shown, warn
from engine.io.documents import MAX_BYTES, Document, decode, open_regular, parse, parse_json, read_text
from engine.model.facts import FACTS, LIST_SEPARATOR
from engine.model.fields import FIELDS, csv_columns

Kind = Literal["file", "jsonl", "csv"]

CASE_SUFFIXES = (".yaml", ".yml", ".json")
"""Suffixes of case files (matched case-insensitively) that a folder given as input is searched for."""
DECISIONS_SUFFIX = ".plan.yaml"
"""A team's decisions file beside a case (engine/io/decisionfile.py): folder walks skip it."""
JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv",)

CSV_COLUMNS: tuple[str, ...] = (*csv_columns(), *(p for p in FACTS if p.startswith("cfir.")))
"""Every column a CSV may have: the registry's case paths (engine/model/fields.py: case_id, site,
engagement.level, problem.tags, ...) and cfir.<id>. People, events and assets are records: YAML or JSON only."""

_LIST_COLUMNS = frozenset(f.path for f in FIELDS if f.kind in ("list", "tags"))
"""Columns whose cell holds several values separated by ';'."""


class InputFile(msgspec.Struct, frozen=True):
    """One input file and how to read it."""

    path: str
    kind: Kind
    columns: tuple[str, ...] = ()


class Unreadable(msgspec.Struct, frozen=True):
    """The payload of an item that could not be read (a line too long, a broken CSV row).

    It travels like any case and becomes that case's line of errors.jsonl: one unreadable row
    never stops the rest of the file.
    """

    code: str
    message: str
    hint: str = ""


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


def plan(inputs: Sequence[str | os.PathLike[str]]) -> list[InputFile]:
    """Check every input before any case runs; all problems are reported at once."""
    sources: list[InputFile] = []
    problems: list[Problem] = []
    if not inputs:
        raise UsageError(
            Problem(
                field="INPUT",
                code="no_input",
                message="no input given",
                hint="name case files, folders, .jsonl or .csv files, e.g. 'batch cases/ --out out'",
            )
        )
    for raw in inputs:
        p = Path(raw)
        name = str(raw)
        try:
            mode = os.stat(p).st_mode
        except FileNotFoundError:
            mode = None
        except OSError as exc:
            problems.append(Problem(file=name, code="unreadable", message=f"cannot read: {os_reason(exc)}"))
            continue
        if not name:
            problems.append(
                Problem(
                    field="INPUT",
                    code="no_input",
                    message="an input is an empty name",
                    hint="name case files, folders, .jsonl or .csv files",
                )
            )
        elif mode is None:
            problems.append(
                Problem(
                    file=name,
                    code="not_found",
                    message="no such file or folder",
                    hint="check the path; it is relative to the current folder",
                )
            )
        elif not stat.S_ISDIR(mode) and not stat.S_ISREG(mode):
            problems.append(
                Problem(
                    file=name,
                    code="not_regular",
                    message="is not a regular file or folder (a named pipe, device or socket)",
                    hint="give saved files or folders",
                )
            )
        elif stat.S_ISDIR(mode):
            found = [InputFile(str(f), "file") for f in case_files(p)]
            if not found:
                problems.append(
                    Problem(
                        file=name,
                        code="no_cases",
                        message="folder holds no case files",
                        hint="case files end in " + ", ".join(CASE_SUFFIXES) + "; name .jsonl and .csv files directly",
                    )
                )
            sources += found
        elif kind_of(p) == "csv":
            try:
                sources.append(InputFile(name, "csv", check_header(p)))
            except CaseError as exc:
                problems += exc.problems
        else:
            sources.append(InputFile(name, kind_of(p)))
    if problems:
        raise UsageError(problems)
    return sources


def case_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The case files (CASE_SUFFIXES) under `folder`, recursively, in a stable order; hidden ones skipped.

    Symlinked folders are followed, each real folder once: a link back into the walk (a loop) or
    a second link to a folder already searched is skipped with a warning, never silently.
    """
    folder = Path(folder)
    out: list[Path] = []
    seen: set[tuple[int, int]] = set()
    todo = [folder]
    while todo:
        here = todo.pop()
        try:
            st = os.stat(here)
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError as exc:
            warn(f"{display_name(str(here))}: skipped: cannot read the folder: {os_reason(exc)}")
            continue
        if (st.st_dev, st.st_ino) in seen:
            warn(f"{display_name(str(here))}: skipped: the folder it links to is already searched")
            continue
        seen.add((st.st_dev, st.st_ino))
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                todo.append(Path(entry.path))
            elif entry.name.lower().endswith(CASE_SUFFIXES) and not entry.name.lower().endswith(DECISIONS_SUFFIX):
                out.append(Path(entry.path))  # a team's decisions file (<stem>.plan.yaml) is not a case
    return sorted(out, key=lambda f: f.relative_to(folder).parts)


# ---------------------------------------------------------------- CSV header


def check_header(path: Path) -> tuple[str, ...]:
    """The columns of a CSV file, each a case path; a clear error naming the bad column otherwise."""
    name = str(path)
    with _open_csv(path) as fh:
        try:
            header = next(csv.reader(_Lines(fh), strict=True), None)
        except (csv.Error, _LongLine) as exc:
            broken = _csv_problem(exc, 1)
            raise CaseError(
                Problem(file=name, line=1, code=broken.code, message=f"header row: {broken.message}", hint=broken.hint)
            ) from None
    if not header or not any(c.strip() for c in header):
        raise CaseError(
            Problem(
                file=name,
                line=1,
                code="csv_header",
                message="no header row",
                hint="the first row names the columns, e.g. case_id,stage,engagement.level",
            )
        )
    columns = tuple(c.strip() for c in header)
    problems = []
    seen: set[str] = set()
    for i, col in enumerate(columns, 1):
        if not col:
            problems.append(
                Problem(
                    file=name,
                    line=1,
                    field=f"column {i}",
                    code="csv_header",
                    message="empty column name",
                    hint="name every column, or delete the column",
                )
            )
        elif col not in FACTS:
            problems.append(
                Problem(
                    file=name,
                    line=1,
                    field=col,
                    code="csv_column",
                    message=f"unknown column '{col}'",
                    hint=_column_hint(col),
                )
            )
        elif col in seen:
            problems.append(
                Problem(
                    file=name,
                    line=1,
                    field=col,
                    code="csv_column",
                    message=f"column '{col}' appears twice",
                    hint="keep one of them",
                )
            )
        seen.add(col)
    if "case_id" not in columns:
        problems.append(
            Problem(
                file=name,
                line=1,
                field="case_id",
                code="csv_column",
                message="no case_id column",
                hint="add a case_id column naming each site",
            )
        )
    if problems:
        raise CaseError(problems)
    return columns


def _column_hint(col: str) -> str:
    if col in ("people", "events", "assets") or col.startswith(("people.", "events.", "assets.")):
        return "people, events and assets are lists of records: give them in a YAML or JSON case file"
    if f"cfir.{col}" in FACTS:
        return f"did you mean 'cfir.{col}'? CFIR ratings are columns named cfir.<construct id>"
    return (
        did_you_mean(col, CSV_COLUMNS, 0.7)
        or "columns are case paths such as engagement.level or cfir.innovation.complexity; "
        "see 'CSV input' in the README"
    )


def _open_csv(path: Path) -> io.TextIOWrapper:
    # bytes that are not UTF-8 survive as surrogates and are reported for their own row
    return io.TextIOWrapper(open_regular(path, CaseError), newline="", encoding="utf-8-sig", errors="surrogateescape")


class _LongLine(Exception):
    """A physical line longer than MAX_BYTES characters (it was skipped, not read whole)."""

    def __init__(self, length: int) -> None:
        super().__init__(length)
        self.length = length


class _Lines:
    """The lines of a text file, each read with a bound, counted (csv.reader's own count stops at an error).

    A line longer than MAX_BYTES raises _LongLine after skipping to its end; the iterator can be
    used again afterwards (a generator could not).
    """

    def __init__(self, fh: IO[str]) -> None:
        self.fh = fh
        self.number = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.fh.readline(MAX_BYTES + 1)
        if not line:
            raise StopIteration
        self.number += 1
        if len(line) > MAX_BYTES:
            length = len(line)
            while not line.endswith("\n"):
                line = self.fh.readline(65536)
                if not line:
                    break
                length += len(line)
            raise _LongLine(length)
        return line


def _csv_problem(exc: Exception, start: int) -> Unreadable:
    """What a csv.Error (or a too long line) means, in the words of the CSV file's author."""
    if isinstance(exc, _LongLine):
        return Unreadable(
            "too_large",
            f"line is {exc.length:,} characters; the limit is {MAX_BYTES:,}",
            "split the text, or check for a missing line break",
        )
    text = str(exc)
    if "unexpected end of data" in text:
        return Unreadable(
            "csv_quote",
            f"a quote opened in the row starting at line {start} is never closed: "
            "every following line was read into one cell",
            'close the quote (write a quote inside a quoted cell as "")',
        )
    if "field larger than field limit" in text:
        return Unreadable(
            "too_large",
            f"a cell is longer than {csv.field_size_limit():,} characters",
            "shorten the cell, or check for an unclosed quote",
        )
    return Unreadable(
        "csv_row", f"invalid CSV: {shown(text, 200)}", "quote cells that contain commas, quotes or line breaks"
    )


# ---------------------------------------------------------------- streaming items


def items(sources: Iterable[InputFile]) -> Iterator[Item]:
    """Every case of every source, in input order, one at a time."""
    for src in sources:
        if src.kind == "file":
            yield ("file", src.path, 0, 0, src.path)
        elif src.kind == "jsonl":
            yield from _jsonl_items(src.path)
        else:
            yield from _csv_items(src)


def _jsonl_items(path: str) -> Iterator[Item]:
    """One item per non-blank line; a line is read with a bound, so a huge one cannot exhaust memory."""
    row = 0
    try:
        fh = open_regular(path, CaseError)
    except CaseError as exc:
        yield ("jsonl", path, 0, 0, Unreadable(exc.problems[0].code, exc.problems[0].message, exc.problems[0].hint))
        return
    with fh:
        line_no = 0
        while True:
            line = fh.readline(MAX_BYTES + 1)
            if not line:
                break
            line_no += 1
            if len(line.rstrip(b"\r\n")) > MAX_BYTES:
                length = len(line)
                while not line.endswith(b"\n"):
                    line = fh.readline(65536)
                    if not line:
                        break
                    length += len(line)
                row += 1
                yield (
                    "jsonl",
                    path,
                    line_no,
                    row,
                    Unreadable(
                        "too_large",
                        f"line is {length:,} bytes; the limit is {MAX_BYTES:,}",
                        "each line holds one case; split the text, or check for a missing line break",
                    ),
                )
            elif line.strip():
                row += 1
                yield ("jsonl", path, line_no, row, line.rstrip(b"\r\n"))


def _csv_items(src: InputFile) -> Iterator[Item]:
    try:
        fh = _open_csv(Path(src.path))
    except CaseError as exc:
        yield ("csv", src.path, 0, 0, Unreadable(exc.problems[0].code, exc.problems[0].message, exc.problems[0].hint))
        return
    with fh:
        lines = _Lines(fh)
        reader = csv.reader(lines, strict=True)
        row = 0
        try:
            next(reader, None)
        except (csv.Error, _LongLine) as exc:  # checked by plan(); the file changed since
            yield ("csv", src.path, 1, 0, _csv_problem(exc, 1))
            return
        start = lines.number + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except (csv.Error, _LongLine) as exc:  # one broken row; the reader goes on at the next line
                row += 1
                yield ("csv", src.path, start, row, _csv_problem(exc, start))
                start = lines.number + 1
                continue
            if any(c.strip() for c in cells):
                row += 1
                yield ("csv", src.path, start, row, (src.columns, tuple(cells)))
            start = lines.number + 1


def count(sources: Iterable[InputFile]) -> int:
    """How many cases the sources hold (for a progress bar): a quick pass reading no case."""
    return sum(1 for _ in items(sources))


# ---------------------------------------------------------------- item -> case


def content(item: Item) -> str:
    """The item's text as read (a file's text, a JSON line, a CSV row with its header)."""
    kind, source, line, _, payload = item
    if isinstance(payload, Unreadable):
        raise CaseError(Problem(file=source, line=line, code=payload.code, message=payload.message, hint=payload.hint))
    if kind == "file":
        return read_text(payload, CaseError)
    if kind == "jsonl":
        if len(payload) > MAX_BYTES:
            raise CaseError(
                Problem(
                    file=source,
                    line=line,
                    code="too_large",
                    message=f"line is {len(payload):,} bytes; the limit is {MAX_BYTES:,}",
                )
            )
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
        raise CaseError(
            Problem(
                file=source,
                line=line,
                code="csv_row",
                message=f"row has {len(cells)} cells but the header has {len(columns)} columns",
                hint="check for a missing or extra comma; quote cells that contain commas",
            )
        )
    data: dict[str, Any] = {}
    for col, cell in zip(columns, cells, strict=True):
        value: Any = cell.strip()
        if not value:
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise CaseError(
                Problem(
                    file=source,
                    line=line,
                    field=col,
                    code="encoding",
                    message="not UTF-8 text",
                    hint="save the file as UTF-8",
                )
            ) from None
        if col in _LIST_COLUMNS:
            value = [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]
        section, _, rest = col.partition(".")
        if rest:
            data.setdefault(section, {})[rest] = value
        else:
            data[col] = value
    return data
