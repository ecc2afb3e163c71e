"""Reading YAML and JSON documents safely, keeping the line of every key.

Case and rule files are data only: YAML tags that would build Python objects are refused, and
so are anchors and aliases (the root of "billion laughs" bombs). Every mapping key's line is
kept so that validation errors can point at `file:line`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import CaseError, IspAdvisorError, Problem

try:  # the C parser is several times faster; fall back to pure Python where libyaml is absent
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

MAX_BYTES = 1_000_000
"""Largest file read as one document (1 MB): a case is a few KB, a rule pack a few hundred."""

Path_ = tuple[str | int, ...]


@dataclass
class Document:
    """A parsed document with the line of each key path (1-based; 0 when unknown)."""

    path: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, loc: Path_) -> int:
        """The line of `loc`, or of its nearest ancestor that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 0)


def read_text(path: str | os.PathLike[str], error: type[IspAdvisorError] = CaseError,
              max_bytes: int = MAX_BYTES) -> str:
    """The UTF-8 text of a file, or a clear error saying what is wrong with it."""
    name = str(path)
    p = Path(path)
    if not p.exists():
        raise error(Problem(file=name, code="not_found", message="no such file",
                            hint="check the path; run the command from the folder the path is relative to"))
    if p.is_dir():
        raise error(Problem(file=name, code="is_directory", message="is a directory, not a file",
                            hint="give one case file, or use 'isp-advisor batch' for a folder"))
    size = p.stat().st_size
    if size > max_bytes:
        raise error(Problem(file=name, code="too_large",
                            message=f"file is {size:,} bytes; the limit is {max_bytes:,} bytes",
                            hint="split it into several files"))
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise error(Problem(file=name, code="unreadable", message=f"cannot read: {exc.strerror}")) from None
    return decode(raw, name, error)


def decode(raw: bytes, name: str, error: type[IspAdvisorError] = CaseError) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(Problem(file=name, line=line, code="encoding",
                            message=f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                            hint="save the file as UTF-8")) from None
    return text


def parse(text: str, name: str, error: type[IspAdvisorError] = CaseError) -> Document:
    """Parse JSON (by a .json suffix) or YAML text into a Document."""
    if not text.strip():
        raise error(Problem(file=name, code="empty", message="file is empty",
                            hint="a case needs at least 'case_id: <id>'"))
    if name.lower().endswith(".json"):
        return parse_json(text, name, error)
    return _parse_yaml(text, name, error)


def load(path: str | os.PathLike[str], error: type[IspAdvisorError] = CaseError) -> Document:
    return parse(read_text(path, error), str(path), error)


def parse_json(text: str, name: str, error: type[IspAdvisorError] = CaseError, *, line: int = 0) -> Document:
    """Parse JSON text (no NaN/Infinity) into a Document.

    `line` > 0 means the text is one line of a JSON Lines file: errors and the document point at
    that line of `name`.
    """
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise error(Problem(file=name, line=line + exc.lineno - 1 if line else exc.lineno, code="syntax",
                            message=f"invalid JSON: {exc.msg} (column {exc.colno})",
                            hint="each line holds one complete JSON object" if line else "")) from None
    except ValueError as exc:
        raise error(Problem(file=name, line=line, code="syntax", message=f"invalid JSON: {exc}")) from None
    return Document(name, data, {(): line} if line else {})


def _no_constant(word: str) -> Any:
    raise ValueError(f"{word} is not a JSON value")


def _parse_yaml(text: str, name: str, error: type[IspAdvisorError]) -> Document:
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.composer.ComposerError as exc:
            raise _yaml_problem(exc, name, error, "more than one document; keep one per file") from None
        except yaml.MarkedYAMLError as exc:
            raise _yaml_problem(exc, name, error) from None
        except yaml.reader.ReaderError as exc:  # control characters: not a MarkedYAMLError
            line = text[: exc.position].count("\n") + 1
            raise error(Problem(file=name, line=line, code="syntax",
                                message=f"invalid YAML: control character {exc.character!r} is not allowed",
                                hint="remove it; a case file is plain text")) from None
        if node is None:
            raise error(Problem(file=name, code="empty", message="file holds no data"))
        lines: dict[Path_, int] = {}
        problems = list(_walk(node, (), lines, set(), name))
        if problems:
            raise error(problems)
        try:
            data = loader.construct_document(node)
        except yaml.constructor.ConstructorError as exc:
            raise _yaml_problem(exc, name, error, "only plain data is allowed: remove the '!' tag") from None
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            raise error(Problem(file=name, code="syntax", message=f"invalid YAML value: {exc}")) from None
    finally:
        loader.dispose()
    return Document(name, data, lines)


def _yaml_problem(exc: yaml.MarkedYAMLError, name: str, error: type[IspAdvisorError],
                  hint: str = "") -> IspAdvisorError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 0
    msg = " ".join(str(m) for m in (exc.context, exc.problem) if m) or str(exc)
    if isinstance(exc, yaml.constructor.ConstructorError):
        msg = f"YAML tag not allowed: {exc.problem}"
    return error(Problem(file=name, line=line, code="syntax", message=f"invalid YAML: {msg}", hint=hint))


def _walk(node: yaml.Node, loc: Path_, lines: dict[Path_, int], seen: set[int],
          name: str) -> Iterator[Problem]:
    """Record key lines; refuse aliases, tags and duplicate keys."""
    if id(node) in seen:
        yield Problem(file=name, line=node.start_mark.line + 1, field=_dotted(loc), code="alias",
                      message="YAML anchors and aliases (&name / *name) are not allowed",
                      hint="write the value out in full")
        return
    seen.add(id(node))
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        keys: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if key_node.tag == "tag:yaml.org,2002:merge":
                yield Problem(file=name, line=key_node.start_mark.line + 1, field=_dotted(loc), code="alias",
                              message="YAML merge keys ('<<') are not allowed",
                              hint="write the keys out in full")
                continue
            if key in keys:
                yield Problem(file=name, line=key_node.start_mark.line + 1, field=_dotted(loc + (key,)),
                              code="duplicate_key", message=f"key '{key}' appears twice",
                              hint="keep one of them")
            keys.add(key)
            lines[loc + (key,)] = key_node.start_mark.line + 1
            yield from _walk(value_node, loc + (key,), lines, seen, name)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[loc + (i,)] = item.start_mark.line + 1
            yield from _walk(item, loc + (i,), lines, seen, name)


def _dotted(loc: Path_) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


dotted = _dotted
