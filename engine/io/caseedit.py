"""Editing a case file in place: one or more fields changed, the rest of the file (its order, its
comments, fields this tool does not know) kept where ruamel.yaml's round trip can keep them.

Used by the browser app (`isp-advisor serve`): every change is validated as a whole case before it
is written, written atomically, and refused when the file changed since the editor read it (two tabs
editing one case are told, never silently overwritten).
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from engine.errors import CaseError, Problem, UsageError
from engine.io.caseload import case_from_text
from engine.io.casewriter import dump_case, is_json_path
from engine.io.documents import parse, read_text, round_trip_yaml
from engine.model.case import Case


class EditConflict(UsageError):
    """The file changed since the editor read it."""


def digest(text: str) -> str:
    """A short fingerprint of a file's text (the editor's 'version')."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def read_case_text(path: str | os.PathLike[str]) -> tuple[str, str]:
    """A case file's text and its digest."""
    text = read_text(path, CaseError)
    return text, digest(text)


def _set(data: Any, path: str, value: Any, mapping: Callable[[], Any] = dict) -> None:
    """Set (None: remove) a dotted case path in nested data (ruamel's round-trip maps or plain dicts);
    sections left empty are removed. `cfir.<id>` keys hold dots of their own: the section is the first
    part only. `mapping` makes a new section (CommentedMap for round-trip data)."""
    section, _, key = path.partition(".")
    if not key:
        if value is None:
            data.pop(section, None)
        else:
            data[section] = value
        return
    inner = data.get(section)
    if not isinstance(inner, Mapping):
        if value is None:
            return
        inner = mapping()
        data[section] = inner
    if value is None:
        inner.pop(key, None)  # type: ignore[attr-defined]
        if not inner:
            data.pop(section, None)
    else:
        inner[key] = value  # type: ignore[index]


def edited_text(text: str, changes: Mapping[str, Any], name: str) -> tuple[str, Case]:
    """The file's text with `changes` (case path -> value, None removes) applied, and the case it now
    holds; a CaseError (located in the new text) when the result is not a valid case."""
    if is_json_path(name):
        import json

        data = json.loads(text) if text.strip() else {}
        for path, value in changes.items():
            _set(data, path, value)
        new = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        return new, case_from_text(new, name)
    if text.strip():
        parse(text, name, CaseError)  # the safe reader first: no tags, no aliases, nothing executed
    y = round_trip_yaml()
    data = y.load(text) if text.strip() else None
    if data is None:
        from ruamel.yaml.comments import CommentedMap

        data = CommentedMap()
    from ruamel.yaml.comments import CommentedMap

    for path, value in changes.items():
        _set(data, path, _plain(value), CommentedMap)
    out = io.StringIO()
    y.dump(data, out)
    new = out.getvalue()
    return new, case_from_text(new, name)


def _plain(value: Any) -> Any:
    """Values as ruamel writes them: lists of records as plain lists of dicts."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def edit_case(
    path: str | os.PathLike[str], changes: Mapping[str, Any], expected: str | None = None
) -> tuple[Case, str]:
    """Apply `changes` to the case file at `path`, atomically; returns the case and the file's new
    digest. `expected`: the digest the editor read; a different file on disk raises EditConflict."""
    from engine.io.outputs import atomic_write

    text, now = read_case_text(path)
    if expected is not None and expected != now:
        raise EditConflict(
            Problem(
                file=str(path),
                code="changed",
                message="the case file changed since this page read it (another tab or person saved it)",
                hint="reload the page to see the saved version, then make the change again",
            )
        )
    new, case = edited_text(text, changes, str(path))
    atomic_write(path, new, force=True)
    return case, digest(new)


def create_case(path: str | os.PathLike[str], case: Case) -> str:
    """Write a new case file (refusing to replace one); returns its digest."""
    from engine.io.outputs import atomic_write

    target = Path(path)
    if target.exists() or target.is_symlink():
        raise UsageError(
            Problem(
                file=str(target),
                code="exists",
                message="a case file of that name exists",
                hint="choose another case id, or open the existing case",
            )
        )
    text = dump_case(case, target.name)
    atomic_write(target, text)
    return digest(text)
