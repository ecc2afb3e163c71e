"""Specification defaults per ERIC strategy (engine/data/eric_specification.yaml), each field cited.

`isp-advisor plan` falls back on them where none of an item's rules states a field in its own
`specification:` block (engine/plan/specification.py). The file is read once; a malformed file, an
unknown ERIC id or field, or a field without its source is an engine error, never a guess.
`problems()` also checks the source keys against a sources registry (tests, `rules lint` callers).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import EngineError, Problem
from engine.io.documents import load
from engine.model.rules import Source
from engine.model.vocabulary import ERIC_STRATEGIES

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "eric_specification.yaml"
FIELDS: tuple[str, ...] = ("actor", "target", "frequency", "duration", "mechanism")


@dataclass(frozen=True)
class Default:
    """One field's default for one ERIC strategy, and the key of the source that states it."""

    strategy: str
    field: str
    text: str
    source: str


Table = dict[str, dict[str, Default]]


def parse(data: Any, file: str = str(DATA_FILE)) -> tuple[Table, list[Problem]]:
    """The table of a loaded document, and what is wrong with it (unknown ids or fields, no text or source)."""
    problems: list[Problem] = []
    table: Table = {}

    def bad(where: str, message: str, code: str = "invalid") -> None:
        problems.append(Problem(file=file, field=where, code=code, message=message))

    rows = data.get("strategies") if isinstance(data, dict) else None
    if not isinstance(rows, dict):
        bad("strategies", "expected a mapping of ERIC strategy ids")
        return table, problems
    for sid, row in rows.items():
        if sid not in ERIC_STRATEGIES:
            bad(f"strategies.{sid}", f"'{sid}' is not an ERIC strategy id", "unknown_id")
            continue
        if not isinstance(row, dict) or not row:
            bad(f"strategies.{sid}", "expected a mapping of fields")
            continue
        for name, value in row.items():
            where = f"strategies.{sid}.{name}"
            if name not in FIELDS:
                bad(where, f"unknown field '{name}'; fields: {', '.join(FIELDS)}", "unknown_field")
                continue
            if not isinstance(value, dict) or set(value) != {"text", "source"}:
                bad(where, "expected {text, source}")
                continue
            text, source = value["text"], value["source"]
            if not isinstance(text, str) or not text.strip() or not isinstance(source, str) or not source.strip():
                bad(where, "text and source must be non-empty strings")
                continue
            table.setdefault(sid, {})[name] = Default(sid, name, text.strip(), source.strip())
    return table, problems


def problems(data: Any, source_keys: Collection[str], file: str = str(DATA_FILE)) -> list[Problem]:
    """Everything wrong with a defaults document, source keys missing from `source_keys` included."""
    table, found = parse(data, file)
    for row in table.values():
        for d in row.values():
            if d.source not in source_keys:
                found.append(
                    Problem(
                        file=file,
                        field=f"strategies.{d.strategy}.{d.field}.source",
                        code="unknown_source",
                        message=f"unknown source key '{d.source}'",
                        hint="add it to rules/sources.yaml",
                    )
                )
    return found


@functools.cache
def table() -> Table:
    """The shipped defaults, read once."""
    doc = load(DATA_FILE, EngineError)
    out, found = parse(doc.data)
    if found:
        raise EngineError(found)
    return out


@functools.cache
def shipped_sources() -> dict[str, Source]:
    """The shipped rules/sources.yaml, read once: the citations of the defaults' source keys."""
    from engine.rulepacks.loader import SOURCES_FILE, shipped_rules_dir

    doc = load(shipped_rules_dir() / SOURCES_FILE, EngineError)
    rows = doc.data.get("sources", {}) if isinstance(doc.data, dict) else {}
    return {
        k: Source(k, str(v.get("citation", "")).strip(), str(v.get("url") or ""), str(v.get("kind") or "literature"))
        for k, v in rows.items()
        if isinstance(v, dict)
    }


def default_for(
    strategies: tuple[str, ...], field: str, defaults: Mapping[str, Mapping[str, Default]]
) -> Default | None:
    """The first of `strategies` (the item's order) whose default states `field`."""
    return next((defaults[s][field] for s in strategies if field in defaults.get(s, {})), None)
