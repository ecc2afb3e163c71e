"""Reading YAML and JSON documents safely, keeping the line of every key.

Case and rule files are data only: YAML tags that would build Python objects are refused, and
so are anchors and aliases (the root of "billion laughs" bombs). Every mapping key's line is
kept so that validation errors can point at `file:line`.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterator
from typing import Any, BinaryIO

import msgspec
import yaml

from engine.errors import CaseError, IspAdvisorError, Problem, capped, display_name, os_reason, shown

try:  # the C parser is several times faster; fall back to pure Python where libyaml is absent
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

MAX_BYTES = 1_000_000
"""Largest file read as one document (1 MB): a case is a few KB, a rule pack a few hundred."""

MAX_DEPTH = 100
"""Deepest nesting of lists and mappings accepted: a case is 3 levels deep, a rule pack about 10."""

Path_ = tuple[str | int, ...]


class Document(msgspec.Struct):
    """A parsed document with the line of each key path (1-based; 0 when unknown)."""

    path: str
    data: Any
    lines: dict[Path_, int] = msgspec.field(default_factory=dict)

    def line_of(self, loc: Path_) -> int:
        """The line of `loc`, or of its nearest ancestor that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 0)


def round_trip_yaml() -> Any:
    """ruamel.yaml set up to edit a file in place: order, comments, quotes and flow style kept (the
    decisions file and the browser app's case edits; reading for evaluation stays on the safe loader)."""
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 100
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def open_regular(path: str | os.PathLike[str], error: type[IspAdvisorError] = CaseError) -> BinaryIO:
    """Open a regular file for reading, or raise a clear error; never blocks, never opens a device.

    A FIFO would block the reader forever and /dev/zero would never end, so anything that is
    not a regular file (after following symlinks) is refused before it is read, and checked
    again on the opened descriptor (the path may have changed in between).
    """
    name = display_name(str(path))
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise error(
            Problem(
                file=name,
                code="not_found",
                message="no such file",
                hint="check the path; run the command from the folder the path is relative to",
            )
        ) from None
    except OSError as exc:
        raise error(Problem(file=name, code="unreadable", message=f"cannot read: {os_reason(exc)}")) from None
    if stat.S_ISDIR(st.st_mode):
        raise error(
            Problem(
                file=name,
                code="is_directory",
                message="is a directory, not a file",
                hint="give one case file, or use 'isp-advisor batch' for a folder",
            )
        )
    if not stat.S_ISREG(st.st_mode):
        raise _not_regular(name, st.st_mode, error)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise error(Problem(file=name, code="unreadable", message=f"cannot read: {os_reason(exc)}")) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(name, st.st_mode, error)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _not_regular(name: str, mode: int, error: type[IspAdvisorError]) -> IspAdvisorError:
    what = (
        "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    return error(
        Problem(file=name, code="not_regular", message=f"is {what}, not a regular file", hint="give a saved file")
    )


def read_text(
    path: str | os.PathLike[str], error: type[IspAdvisorError] = CaseError, max_bytes: int = MAX_BYTES
) -> str:
    """The UTF-8 text of a file, or a clear error saying what is wrong with it.

    At most `max_bytes` + 1 bytes are ever read, whatever the file claims to hold.
    """
    name = display_name(str(path))
    with open_regular(path, error) as fh:
        size = os.fstat(fh.fileno()).st_size
        try:
            raw = fh.read(max_bytes + 1) if size <= max_bytes else b""
        except OSError as exc:
            raise error(Problem(file=name, code="unreadable", message=f"cannot read: {os_reason(exc)}")) from None
    if size > max_bytes or len(raw) > max_bytes:
        shown_size = f"{size:,} bytes" if size > max_bytes else f"more than {max_bytes:,} bytes"
        raise error(
            Problem(
                file=name,
                code="too_large",
                message=f"file is {shown_size}; the limit is {max_bytes:,} bytes",
                hint="split it into several files",
            )
        )
    return decode(raw, name, error)


def decode(raw: bytes, name: str, error: type[IspAdvisorError] = CaseError) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(
            Problem(
                file=name,
                line=line,
                code="encoding",
                message=f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                hint="save the file as UTF-8",
            )
        ) from None
    return text


def parse(text: str, name: str, error: type[IspAdvisorError] = CaseError) -> Document:
    """Parse JSON (by a .json suffix) or YAML text into a Document."""
    if not text.strip():
        raise error(
            Problem(file=name, code="empty", message="file is empty", hint="a case needs at least 'case_id: <id>'")
        )
    if not _is_text(text):  # only text handed over as a str can hold one; decoded files cannot
        bad = next(i for i, c in enumerate(text) if "\ud800" <= c <= "\udfff")
        raise error(
            Problem(
                file=name,
                line=text.count("\n", 0, bad) + 1,
                code="encoding",
                message="invalid text: a lone surrogate character",
                hint="save the file as UTF-8",
            )
        )
    if name.lower().endswith(".json"):
        return parse_json(text, name, error)
    return _parse_yaml(text, name, error)


def load(path: str | os.PathLike[str], error: type[IspAdvisorError] = CaseError) -> Document:
    return parse(read_text(path, error), str(path), error)


def parse_json(text: str, name: str, error: type[IspAdvisorError] = CaseError, *, line: int = 0) -> Document:
    """Parse JSON text (no NaN/Infinity, no duplicate keys) into a Document with key lines.

    `line` > 0 means the text is one line of a JSON Lines file: errors and the document point at
    that line of `name`.
    """
    first = line or 1
    lines, problems = _json_layout(text, name, error, first)
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise error(
            Problem(
                file=name,
                line=first + exc.lineno - 1,
                code="syntax",
                message=f"invalid JSON: {exc.msg} (column {exc.colno})",
                hint="each line holds one complete JSON object" if line else "",
            )
        ) from None
    except ValueError as exc:
        raise error(Problem(file=name, line=first, code="syntax", message=f"invalid JSON: {exc}")) from None
    except RecursionError:  # pragma: no cover - _json_layout refuses deep nesting first
        raise error(
            Problem(file=name, line=first, code="too_deep", message=f"nested more than {MAX_DEPTH} levels deep")
        ) from None
    if problems:
        raise error(problems)
    doc = Document(name, data, lines)
    _check_strings(doc, error)
    return doc


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+|"', re.S)


class _Open(msgspec.Struct):
    """An object or array being walked by _json_layout."""

    kind: str
    path: Path_
    key: str = ""
    index: int = 0
    keys: set[str] = msgspec.field(default_factory=set)
    after_colon: bool = False

    def child(self) -> Path_:
        return self.path + ((self.key,) if self.kind == "{" else (self.index,))


def _json_layout(
    text: str, name: str, error: type[IspAdvisorError], first: int
) -> tuple[dict[Path_, int], list[Problem]]:
    """The line of every key and list item, and duplicate keys, from one pass over the tokens.

    The json module keeps no positions and silently keeps the last of two equal keys; this pass
    also refuses nesting deeper than MAX_DEPTH before the recursive json parser sees it.
    """
    lines: dict[Path_, int] = {(): first}
    problems: list[Problem] = []
    stack: list[_Open] = []
    line, pos = first, 0
    for m in _JSON_TOKEN.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        tok = m.group()
        top = stack[-1] if stack else None
        if tok == ":" or tok == ",":
            if top:
                top.after_colon = tok == ":"
                if tok == "," and top.kind == "[":
                    top.index += 1
            continue
        if tok in ("}", "]"):
            if stack:
                stack.pop()
            continue
        if top and top.kind == "{" and not top.after_colon:  # a key
            try:
                key = str(json.loads(tok))
            except ValueError:
                key = tok
            if key in top.keys:
                problems.append(
                    Problem(
                        file=name,
                        line=line,
                        field=dotted(top.path + (key,)),
                        code="duplicate_key",
                        message=f"key {shown(key)} appears twice",
                        hint="keep one of them",
                    )
                )
            top.keys.add(key)
            top.key = key
            lines[top.path + (key,)] = line
            continue
        path = top.child() if top else ()
        if top and top.kind == "[":
            lines[path] = line
        if tok in ("{", "["):
            if len(stack) >= MAX_DEPTH:
                raise error(
                    Problem(
                        file=name,
                        line=line,
                        code="too_deep",
                        message=f"nested more than {MAX_DEPTH} levels deep",
                        hint="a case is a few levels deep; check the brackets",
                    )
                )
            stack.append(_Open(tok, path))
    return lines, problems


def _check_strings(doc: Document, error: type[IspAdvisorError]) -> None:
    """Refuse keys and values that are not valid text (a JSON "\\ud800" escape is a lone surrogate).

    Such a string cannot be written as UTF-8, so it would fail every report that shows it.
    """
    todo: list[tuple[Path_, Any]] = [((), doc.data)]
    while todo:
        loc, value = todo.pop()
        if isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str) and not _is_text(k):
                    raise _not_text(doc, loc + (k,), "key", error)
                todo.append((loc + (k,), v))
        elif isinstance(value, list):
            todo += [(loc + (i,), v) for i, v in enumerate(value)]
        elif isinstance(value, str) and not _is_text(value):
            raise _not_text(doc, loc, "value", error)


def _is_text(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _not_text(doc: Document, loc: Path_, what: str, error: type[IspAdvisorError]) -> IspAdvisorError:
    """The problem, located without printing the bad text itself (it cannot be written as UTF-8: the
    message would fail on its way to the terminal); a bad key is shown escaped."""
    safe = tuple(
        p.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace") if isinstance(p, str) else p
        for p in loc
    )
    return error(
        Problem(
            file=doc.path,
            line=doc.line_of(loc[:-1] if what == "key" else loc),
            field=dotted(safe),
            code="encoding",
            message=f"invalid text: the {what} holds a lone surrogate (such as \\ud800)",
            hint="remove the \\u escape or write the character itself",
        )
    )


def _no_constant(word: str) -> Any:
    raise ValueError(f"{word} is not a JSON value")


def _parse_yaml(text: str, name: str, error: type[IspAdvisorError]) -> Document:
    fast = _plain_yaml(text, name)
    if fast is not None:
        return fast
    return _checked_yaml(text, name, error)


class _NotPlain(Exception):
    """The fast path met something only the checked path reports well (or at all)."""


def _plain_yaml(text: str, name: str) -> Document | None:
    """The common case, fast: plain YAML (no aliases, no tags but the plain ones, no merge keys or
    duplicate keys, not too deep) composed by the C parser and built in one pass with the line of
    every key. Anything else returns None, and `_checked_yaml` parses the text again and reports
    it exactly as before; the data is the same as PyYAML's safe constructor builds (non-string
    scalars are built by that very constructor)."""
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError:
            return None
        if node is None:
            return None
        lines: dict[Path_, int] = {}
        try:
            data = _build(node, (), lines, loader, set())
        except (_NotPlain, yaml.YAMLError, ValueError, TypeError, RecursionError):
            return None
    finally:
        loader.dispose()
    doc = Document(name, data, lines)
    if "\\" in text:  # only an escape in a double-quoted string can make a lone surrogate
        try:
            _check_strings(doc, CaseError)
        except CaseError:
            return None
    return doc


def _build(node: yaml.Node, loc: Path_, lines: dict[Path_, int], loader: Any, seen: set[int]) -> Any:
    if id(node) in seen or node.tag not in _PLAIN_TAGS:
        raise _NotPlain
    seen.add(id(node))
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        return loader.yaml_constructors[node.tag](loader, node)
    if len(loc) >= MAX_DEPTH:
        raise _NotPlain
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if (
                not isinstance(key_node, yaml.ScalarNode)
                or key_node.tag not in _PLAIN_TAGS
                or key_node.tag == "tag:yaml.org,2002:merge"
                or id(key_node) in seen
            ):
                raise _NotPlain
            seen.add(id(key_node))
            key = _build(key_node, (), {}, loader, set())
            if key in out:
                raise _NotPlain
            where = loc + (key_node.value,)  # lines are kept by the key as written, as _walk keeps them
            lines[where] = key_node.start_mark.line + 1
            out[key] = _build(value_node, where, lines, loader, seen)
        return out
    items = []
    for i, item in enumerate(node.value):
        lines[loc + (i,)] = item.start_mark.line + 1
        items.append(_build(item, loc + (i,), lines, loader, seen))
    return items


def _checked_yaml(text: str, name: str, error: type[IspAdvisorError]) -> Document:
    """Every check, with a located problem for each thing refused (aliases, tags, duplicates, ...)."""
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
            raise error(
                Problem(
                    file=name,
                    line=line,
                    code="syntax",
                    message=f"invalid YAML: control character {exc.character!r} is not allowed",
                    hint="remove it; a case file is plain text",
                )
            ) from None
        if node is None:
            raise error(Problem(file=name, code="empty", message="file holds no data"))
        lines: dict[Path_, int] = {}
        problems = capped(list(_walk(node, (), lines, set(), name)), 1000)
        if problems:
            raise error(problems)
        try:
            data = loader.construct_document(node)
        except yaml.constructor.ConstructorError as exc:
            raise _yaml_problem(exc, name, error, "only plain data is allowed: remove the '!' tag") from None
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            raise error(
                Problem(
                    file=name,
                    line=_bad_scalar_line(node, loader),
                    code="syntax",
                    message=f"invalid YAML value: {exc}",
                    hint="write a date as YYYY-MM-DD with a real month and day, or quote the value to keep it as text",
                )
            ) from None
    finally:
        loader.dispose()
    doc = Document(name, data, lines)
    _check_strings(doc, error)
    return doc


def _bad_scalar_line(node: yaml.Node, loader: Any) -> int:
    """The line of the first scalar the loader cannot build (an impossible date such as 2026-13-01), 0 if none."""
    todo = [node]
    while todo:
        n = todo.pop(0)
        if isinstance(n, yaml.ScalarNode):
            try:
                loader.construct_object(n, deep=True)
            except (yaml.YAMLError, ValueError, TypeError):
                return int(n.start_mark.line) + 1
        elif isinstance(n, yaml.SequenceNode):
            todo.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            todo.extend(x for pair in n.value for x in pair)
    return 0


def _yaml_problem(
    exc: yaml.MarkedYAMLError, name: str, error: type[IspAdvisorError], hint: str = ""
) -> IspAdvisorError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 0
    msg = " ".join(str(m) for m in (exc.context, exc.problem) if m) or str(exc)
    if isinstance(exc, yaml.constructor.ConstructorError):
        msg = f"YAML tag not allowed: {exc.problem}"
    return error(Problem(file=name, line=line, code="syntax", message=f"invalid YAML: {msg}", hint=hint))


_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)
"""The tags plain data resolves to; any other (!!set, !!binary, !!omap, !!python/...) is refused."""


def _tag(tag: str) -> str:
    return shown(tag.replace("tag:yaml.org,2002:", "!!"))


def _walk(node: yaml.Node, loc: Path_, lines: dict[Path_, int], seen: set[int], name: str) -> Iterator[Problem]:
    """Record key lines; refuse aliases, tags and duplicate keys."""
    if id(node) in seen:
        yield Problem(
            file=name,
            line=node.start_mark.line + 1,
            field=_dotted(loc),
            code="alias",
            message="YAML anchors and aliases (&name / *name) are not allowed",
            hint="write the value out in full",
        )
        return
    seen.add(id(node))
    lines.setdefault(loc, node.start_mark.line + 1)
    if node.tag not in _PLAIN_TAGS:
        yield Problem(
            file=name,
            line=node.start_mark.line + 1,
            field=_dotted(loc),
            code="tag",
            message=f"invalid YAML: YAML tag not allowed: {_tag(node.tag)}",
            hint="only plain data is allowed: remove the '!' tag",
        )
        return
    if len(loc) >= MAX_DEPTH and isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        yield Problem(
            file=name,
            line=node.start_mark.line + 1,
            code="too_deep",
            message=f"nested more than {MAX_DEPTH} levels deep",
            hint="a case is a few levels deep; check the indentation",
        )
        return
    if isinstance(node, yaml.MappingNode):
        keys: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if key_node.tag == "tag:yaml.org,2002:merge":
                yield Problem(
                    file=name,
                    line=key_node.start_mark.line + 1,
                    field=_dotted(loc),
                    code="alias",
                    message="YAML merge keys ('<<') are not allowed",
                    hint="write the keys out in full",
                )
                continue
            if key_node.tag not in _PLAIN_TAGS:
                yield Problem(
                    file=name,
                    line=key_node.start_mark.line + 1,
                    field=_dotted(loc),
                    code="tag",
                    message=f"invalid YAML: YAML tag not allowed: {_tag(key_node.tag)}",
                    hint="only plain data is allowed: remove the '!' tag",
                )
                continue
            if key in keys:
                yield Problem(
                    file=name,
                    line=key_node.start_mark.line + 1,
                    field=_dotted(loc + (key,)),
                    code="duplicate_key",
                    message=f"key {shown(key)} appears twice",
                    hint="keep one of them",
                )
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
