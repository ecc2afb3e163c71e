"""The rules the loader refused, repaired just enough for lint to check them too.

The loader drops a whole pack when its top level is wrong and a rule when any part of it is, so
an author fixing one finding at a time would meet the next only on the following run (a schema
error hid the unknown source behind it, which hid the contradiction behind that). `salvage`
reloads the packs that had problems with the faulty parts set aside, one round at a time, and
returns the rules that then load plus the problems found on the way that the first load never
reached. A condition (`when`), an `id` or a `derive` is never repaired: a rule wrong there stays
refused, since checking a different condition would report things about a rule nobody wrote.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from engine.errors import Problem, RuleError
from engine.io.documents import Document, load
from engine.model.rules import Rule, Source
from engine.rulepacks.loader import SOURCES_FILE
from engine.rulepacks.loader import (
    _load_pack as load_pack,  # the loader's own per-pack step, so the checks are the same
)

_PLACEHOLDERS = {"ruleset": "lint_salvage", "version": "0.0.0"}
"""Pack fields a pack cannot load without: stand-ins while its rules are checked."""

_KEEP = {"id", "when", "derive"}
"""Rule fields that are never set aside (see the module docstring)."""

_ROUNDS = 8

_STAND_IN = Source("lint-stand-in", "A stand-in for an unknown source key while lint checks the rule.")
"""Put in place of an unknown source key: a rule left with no sources would be refused for that."""

Loc = tuple[str | int, ...]


def salvage(
    problems: Iterable[Problem], loaded: Iterable[Rule], sources: dict[str, Source]
) -> tuple[list[Rule], list[Problem]]:
    """Rules of the packs with `problems` that load once their faults are set aside, the problems
    still standing (the first load's, less those a faulty sources file caused) and the new ones.

    A sources file with one bad entry loses all its entries in the loader, so every rule citing
    one of them reads as citing an unknown source: here each entry is checked on its own, and
    only the truly unknown keys stay findings. `loaded` are the rules that already loaded (not
    returned again); a problem caused by setting a part aside is not returned.
    """
    given = list(problems)
    sources = {**_entries(given), **sources}
    known = [p for p in given if not (p.code == "unknown_source" and _source_key(p) in sources)]
    standing = list(known)
    seen = {_key(p) for p in known}
    have = {(r.file, r.line) for r in loaded}
    files = sorted(
        {
            p.file
            for p in known
            if p.file and Path(p.file).name != SOURCES_FILE and Path(p.file).suffix in (".yaml", ".yml")
        }
    )
    rules: list[Rule] = []
    found: list[Problem] = []
    for name in files:
        pack_rules, pack_problems = _salvage_file(Path(name), [p for p in known if p.file == name], sources)
        rules += [r for r in pack_rules if (r.file, r.line) not in have]
        for p in pack_problems:
            if _key(p) not in seen:
                seen.add(_key(p))
                found.append(p)
    return rules, standing + found


_UNKNOWN_SOURCE = re.compile(r"unknown source key '([^']*)'")


def _source_key(p: Problem) -> str | None:
    m = _UNKNOWN_SOURCE.search(p.message)
    return m.group(1) if m else None


def _entries(problems: list[Problem]) -> dict[str, Source]:
    """The entries that are valid on their own in the sources files that had problems."""
    from pydantic import ValidationError

    from engine.rulepacks.rulemodel import SourceModel as SourceModel

    out: dict[str, Source] = {}
    for name in sorted({p.file for p in problems if Path(p.file).name == SOURCES_FILE}):
        try:
            doc = load(Path(name), RuleError)
        except (RuleError, OSError):
            continue
        entries = doc.data.get("sources") if isinstance(doc.data, dict) else None
        if not isinstance(entries, dict):
            continue
        for key, entry in entries.items():
            try:
                s = SourceModel.model_validate(entry)
            except ValidationError:
                continue
            out[str(key)] = Source(str(key), s.citation, s.url or "", s.kind, s.note or "")
    return out


def _salvage_file(path: Path, first: list[Problem], sources: dict[str, Source]) -> tuple[list[Rule], list[Problem]]:
    try:
        doc = load(path, RuleError)
    except (RuleError, OSError):
        return [], []
    if not isinstance(doc.data, dict):
        return [], []
    data = copy.deepcopy(doc.data)
    sources = {**sources, _STAND_IN.key: _STAND_IN}
    removed: list[Loc] = []
    pending = first
    found: list[Problem] = []
    rules: list[Rule] = []
    for _ in range(_ROUNDS):
        stand_ins = {_loc(p.field) for p in pending if p.code == "unknown_source"}
        locs = sorted({_loc(p.field) for p in pending} - stand_ins, key=_order, reverse=True)
        changed = [loc for loc in stand_ins if _replace(data, loc, _STAND_IN.key, removed)]
        if not changed + [loc for loc in locs if _set_aside(data, loc, removed)]:
            break
        scratch: list[Problem] = []
        pack = load_pack(Document(doc.path, data, doc.lines), False, sources, scratch)
        rules = pack[1] if pack is not None else []
        pending = [p for p in scratch if not _caused_by(_loc(p.field), removed)]
        found += pending
    return rules, found


def _set_aside(data: dict[str, Any], loc: Loc, removed: list[Loc]) -> bool:
    """Remove (or, for a required pack field, stand in for) the part at `loc`; whether anything changed."""
    if not loc or loc in removed:
        return False
    if len(loc) == 1 and loc[0] in _PLACEHOLDERS:
        if data.get(str(loc[0])) == _PLACEHOLDERS[str(loc[0])]:
            return False
        data[str(loc[0])] = _PLACEHOLDERS[str(loc[0])]
        removed.append(loc)
        return True
    if loc[0] in ("rules", "tables") and (len(loc) < 3 or loc[2] in _KEEP):
        return False  # a whole rule, or its id, condition or derivation: not repairable
    parent = _parent(data, loc)
    last = loc[-1]
    if isinstance(parent, dict) and last in parent:
        del parent[last]
    elif isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
        del parent[last]  # a round removes the later items of a list first, so earlier indices hold
    else:
        return False
    removed.append(loc)
    return True


def _replace(data: dict[str, Any], loc: Loc, value: Any, removed: list[Loc]) -> bool:
    """Put `value` at `loc` (a list item or mapping value that exists); whether anything changed."""
    parent = _parent(data, loc)
    last = loc[-1]
    if isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent) and parent[last] != value:
        parent[last] = value
        removed.append(loc)
        return True
    return False


def _parent(data: dict[str, Any], loc: Loc) -> Any:
    """The container holding the part at `loc`, or None when the path does not exist."""
    parent: Any = data
    for part in loc[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return None
    return parent


def _order(loc: Loc) -> tuple[tuple[str, int], ...]:
    return tuple((part, -1) if isinstance(part, str) else ("", part) for part in loc)


def _caused_by(loc: Loc, removed: list[Loc]) -> bool:
    """Whether a problem at `loc` may come from setting a part aside (at it, above it or below it)."""
    return any(loc[: len(r)] == r or r[: len(loc)] == loc for r in removed)


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _loc(field: str) -> Loc:
    """'rules[1].sources[0]' -> ('rules', 1, 'sources', 0)."""
    return tuple(int(m.group(2)) if m.group(2) is not None else m.group(1) for m in _PART.finditer(field))


def _key(p: Problem) -> tuple[str, int, str, str, str]:
    return p.file, p.line, p.field, p.code, p.message
