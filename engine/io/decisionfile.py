"""Reading and writing a case's decisions file, `<stem>.plan.yaml` beside `<stem>.yaml` (docs/decisions.md).

Read like every other input: a regular file of at most 1 MB, safe YAML (no tags, anchors or
aliases), validated completely with `file:line` for each problem (exit 2). Written atomically with
ruamel.yaml's round trip, so the rest of the file, its order and its comments are kept; nothing in it
is ever executed.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from engine.errors import CaseError, FieldInvalid, Problem, UsageError
from engine.io.documents import Document, load, parse, round_trip_yaml
from engine.io.inputs import DECISIONS_SUFFIX
from engine.io.validation import problems_from
from engine.model.case import _plain_text
from engine.model.dates import parse_date
from engine.model.decisions import FIELDS, Decision, Decisions

SUFFIX = DECISIONS_SUFFIX
"""A decisions file's name: the case file's stem and this (declared once, in io/inputs.py: folder walks skip it)."""

MAX_ITEMS = 2_000
"""Entries one file may hold (a plan has a few dozen items; the file keeps old keys too)."""

Text = Annotated[str, Field(max_length=2000), AfterValidator(lambda s: _plain_text(s) if s else s)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_plain_text)]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    key: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_plain_text)]
    """The item's key, `<category>:<key>` (every output shows it)."""
    decision: Literal["accepted", "set_aside"] | None = None
    reason: Text = ""
    """Why the item was set aside (required then)."""
    owner: Name | None = None
    due: dt.date | None = None
    status: Literal["not_started", "under_way", "done"] | None = None
    note: Text = ""
    updated: dt.date | None = None
    updated_by: Name | None = None

    @field_validator("due", "updated", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return parse_date(value)
            except ValueError:
                _bad_date(value)
        if isinstance(value, dt.datetime):
            _bad_date(value.isoformat())
        return value

    @model_validator(mode="after")
    def _reason(self) -> _Entry:
        if self.decision == "set_aside" and not self.reason.strip():
            raise FieldInvalid(
                "a set-aside item needs a reason",
                "add `reason:` saying why the team set it aside (for example: the funder does not allow it this year)",
            )
        return self


def _bad_date(value: str) -> Any:
    raise FieldInvalid(f"{value!r} is not a date", "write the date as YYYY-MM-DD, e.g. 2026-04-01")


class DecisionsFile(BaseModel):
    """The decisions file (`isp-advisor schema decisions`)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    case_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    """The case this file belongs to (checked against the case when both are read)."""
    items: Annotated[list[_Entry], Field(max_length=MAX_ITEMS)] = []


def decisions_path(case_path: str | os.PathLike[str]) -> Path:
    """`cases/riverside-fqhc.yaml` -> `cases/riverside-fqhc.plan.yaml` (also for .yml and .json)."""
    path = Path(case_path)
    return (
        path.with_name(path.name.rsplit(".", 1)[0] + SUFFIX) if "." in path.name else path.with_name(path.name + SUFFIX)
    )


def is_decisions_file(path: str | os.PathLike[str]) -> bool:
    """Whether a file is a decisions file (folder walks and batches skip them)."""
    return str(path).endswith(SUFFIX)


def from_document(doc: Document) -> Decisions:
    """A parsed decisions file, validated (every problem at once, located)."""
    data = doc.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise CaseError(
            Problem(
                file=doc.path,
                line=doc.line_of(()),
                code="type",
                message="a decisions file must be a mapping with 'case_id' and 'items'",
                hint="start with 'case_id: my-site' and 'items:'",
            )
        )
    try:
        model = DecisionsFile.model_validate(data)
    except ValidationError as exc:
        raise CaseError(problems_from(exc, doc, DecisionsFile)) from None
    seen: dict[str, int] = {}
    for i, entry in enumerate(model.items):
        if entry.key in seen:
            loc = ("items", i, "key")
            raise CaseError(
                Problem(
                    file=doc.path,
                    line=doc.line_of(loc),
                    field=f"items[{i}].key",
                    code="duplicate",
                    message=f"the key {entry.key!r} is listed twice (also items[{seen[entry.key]}])",
                    hint="keep one entry per key",
                )
            )
        seen[entry.key] = i
    items = tuple(
        Decision(
            e.key,
            e.decision,
            e.reason,
            e.owner,
            e.due.isoformat() if e.due else None,
            e.status,
            e.note,
            e.updated.isoformat() if e.updated else None,
            e.updated_by,
        )
        for e in model.items
    )
    return Decisions(model.case_id, items, doc.path)


def load_decisions(path: str | os.PathLike[str], case_id: str | None = None) -> Decisions:
    """Read a decisions file; with `case_id`, refuse one written for another case."""
    doc = load(path, CaseError)
    found = from_document(doc)
    if case_id is not None and found.case_id is not None and found.case_id != case_id:
        raise CaseError(
            Problem(
                file=doc.path,
                line=doc.line_of(("case_id",)),
                field="case_id",
                code="wrong_case",
                message=f"the decisions are for case {found.case_id!r}, not {case_id!r}",
                hint="name the right file with --decisions FILE, or fix case_id",
            )
        )
    return found


def find_decisions(
    case_path: str | os.PathLike[str], case_id: str | None, explicit: str | None = None, disabled: bool = False
) -> Decisions | None:
    """The decisions a command reads for a case: `--decisions FILE`, else `<stem>.plan.yaml` beside
    the case when it exists; None with `--no-decisions` or when there is none."""
    if disabled:
        return None
    if explicit:
        return load_decisions(explicit, case_id)
    beside = decisions_path(case_path)
    if beside.is_file() or beside.is_symlink():
        return load_decisions(beside, case_id)
    return None


# ---------------------------------------------------------------- writing (isp-advisor decide)


def updated_text(existing: str | None, case_id: str, key: str, changes: Mapping[str, Any], name: str) -> str:
    """The file's new text with one entry changed (created when missing): the rest of the file, its
    order and its comments kept. `changes`: field -> value (None removes the field). The result is
    validated before anything is written."""
    y = round_trip_yaml()
    if existing is not None and existing.strip():
        _ = from_document(parse(existing, name, CaseError))  # refuse to edit a file that is already invalid
        data = y.load(existing)
    else:
        data = None
    if data is None:
        from ruamel.yaml.comments import CommentedMap

        data = CommentedMap()
        data["case_id"] = case_id
    if data.get("items") is None:
        data["items"] = []
    entry: Any = next((e for e in data["items"] if isinstance(e, Mapping) and e.get("key") == key), None)
    if entry is None:
        from ruamel.yaml.comments import CommentedMap

        entry = CommentedMap()
        entry["key"] = key
        data["items"].append(entry)
    for field in FIELDS:
        if field in changes:
            value = changes[field]
            if value is None or value == "":
                entry.pop(field, None)
            else:
                entry[field] = value
    out = io.StringIO()
    y.dump(data, out)
    text = out.getvalue()
    from_document(parse(text, name, CaseError))  # what is written reads back valid
    return text


def decide(
    case_path: str | os.PathLike[str],
    case_id: str,
    key: str,
    changes: Mapping[str, Any],
    file: str | os.PathLike[str] | None = None,
) -> tuple[Path, Decisions]:
    """Change one entry of the case's decisions file (created on first use), atomically. Returns the
    file written and what it now holds."""
    from engine.io.documents import read_text
    from engine.io.outputs import atomic_write

    target = Path(file) if file else decisions_path(case_path)
    existing = None
    if target.exists() or target.is_symlink():
        existing = read_text(target, CaseError)
        current = from_document(parse(existing, str(target), CaseError))
        if current.case_id is not None and current.case_id != case_id:
            raise UsageError(
                Problem(
                    file=str(target),
                    field="case_id",
                    code="wrong_case",
                    message=f"the decisions are for case {current.case_id!r}, not {case_id!r}",
                    hint="name the right file with --decisions FILE",
                )
            )
    text = updated_text(existing, case_id, key, changes, str(target))
    atomic_write(target, text, force=True)
    return target, from_document(parse(text, str(target), CaseError))
