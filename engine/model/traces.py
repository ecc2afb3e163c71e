"""Explanation traces as plain data: which conditions held on which fact values, a rule's proof, a why-not.

They hold no formatting (renderers draw them) and are shared across cases; what is computed from
one (its JSON, what the planner ranks by) is kept in the engine's `Shared` tables, never on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import msgspec

from engine.model import resultjson
from engine.model.conditions import MISSING, Missing, TestValue
from engine.model.facts import FactValue
from engine.model.jsontext import compact
from engine.model.sharing import NOTHING_SHARED, Shared

if TYPE_CHECKING:
    from engine.model.placement import Standing


class Trace(msgspec.Struct, frozen=True, gc=False):
    """One node of a condition evaluated on a case."""

    op: str  # "test", "all", "any" or "not"
    held: bool
    children: tuple[Trace, ...] = ()
    fact: str = ""
    operator: str = ""
    expected: TestValue = None
    ref: str = ""
    actual: FactValue | Missing = MISSING
    ref_actual: FactValue | Missing = MISSING
    source: str = ""  # "case", "derived", "missing", "perspectives" (the groups' views) or "previous"
    derived_from: Proof | None = None
    note: str = ""
    """Where a value came from when not the case's own top level: whose view (a group's), or the
    previous assessment's value (engine/model/perspectives.py, engine/model/changes.py)."""

    def to_dict(self) -> dict[str, Any]:
        if self.op != "test":
            return {"op": self.op, "held": self.held, "children": [c.to_dict() for c in self.children]}
        out = self.test_fields()
        if self.derived_from is not None:
            out["derived_from"] = self.derived_from.to_dict()
        return out

    def test_fields(self) -> dict[str, Any]:
        """A test's own fields, in output order (everything but `derived_from`)."""
        out: dict[str, Any] = {"fact": self.fact, "operator": self.operator}
        if self.ref:
            out["ref"] = self.ref
            out["ref_actual"] = _jsonable(self.ref_actual)
        else:
            out["expected"] = _jsonable(self.expected)
        out["actual"] = _jsonable(self.actual)
        out["held"] = self.held
        out["source"] = self.source
        if self.note:
            out["note"] = self.note
        return out

    def to_json(self, shared: Shared = NOTHING_SHARED) -> str:
        """`to_dict()` as compact JSON text (engine/model/resultjson.py)."""
        return compact(resultjson.trace(self, shared))


class Proof(msgspec.Struct, frozen=True, gc=False):
    """Why one rule fired (or not): the rule and its evaluated condition."""

    rule_id: str
    pack: str
    title: str
    fired: bool
    condition: Trace
    derived: dict[str, Any] = msgspec.field(default_factory=dict)
    overrides: str = ""
    """The shipped rule this (local) rule replaces, as 'pack (file)'; '' when it replaces nothing."""

    def to_dict(self) -> dict[str, Any]:
        """The proof as fresh JSON-ready data (a caller may edit it)."""
        return {**self.head(), "condition": self.condition.to_dict()}

    def to_json(self, shared: Shared = NOTHING_SHARED) -> str:
        """`to_dict()` as compact JSON text (engine/model/resultjson.py)."""
        return compact(resultjson.proof(self, shared))

    def head(self) -> dict[str, Any]:
        """Every field but the condition, in output order."""
        head: dict[str, Any] = {"rule_id": self.rule_id, "ruleset": self.pack}
        if self.title:
            head["title"] = self.title
        if self.overrides:
            head["overrides"] = self.overrides
        if self.derived:
            head["derived"] = dict(self.derived)
        head["fired"] = self.fired
        return head


def _jsonable(value: object) -> object:
    if value is MISSING:
        return None
    if isinstance(value, (tuple, list)):  # a fresh list: a caller editing it never edits a shared proof
        return list(value)
    return value


class FactEdit(msgspec.Struct, frozen=True, gc=False):
    """A change to one fact that would make a test hold (or, under `not`, stop holding)."""

    fact: str
    value: FactValue
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = {"fact": self.fact, "value": _jsonable(self.value)}
        if self.note:
            out["note"] = self.note
        return out


def supporting_tests(proof: Proof, shared: Shared = NOTHING_SHARED) -> tuple[Trace, ...]:
    """The held tests a fired rule rests on, down through derived facts to the case's own inputs.

    Tests under a `not` are left out (they held by failing); a derived fact is replaced by the
    tests of the rule that derived it. Each fact appears once, in order of appearance. Kept in
    `shared.support` (proofs are shared across cases).
    """
    entry = shared.support.get(id(proof))
    if entry is not None and entry[0] is proof:
        return entry[1]
    out: dict[str, Trace] = {}

    def walk(t: Trace) -> None:
        if t.op == "not" or not t.held:
            return
        if t.op != "test":
            for c in t.children:
                walk(c)
        elif t.derived_from is not None:  # the deriving proof's own tests
            for s in supporting_tests(t.derived_from, shared):
                out.setdefault(s.fact, s)
        elif t.source == "case":
            out.setdefault(t.fact, t)

    walk(proof.condition)
    found = tuple(out.values())
    shared.support.put(id(proof), (proof, found))
    return found


def is_barrier(value: object) -> bool:
    """A CFIR rating that works against implementation: -1, -2 or mixed."""
    return value == "mixed" or (isinstance(value, int) and not isinstance(value, bool) and value < 0)


def barriers_matched(proofs: Iterable[Proof], shared: Shared = NOTHING_SHARED) -> tuple[str, ...]:
    """CFIR ids (without 'cfir.') whose barrier rating made one of these proofs hold."""
    proofs = tuple(proofs)
    if len(proofs) == 1:
        return _barriers(proofs[0], shared)
    seen: dict[str, None] = {}
    for proof in proofs:
        for b in _barriers(proof, shared):
            seen.setdefault(b, None)
    return tuple(seen)


def _barriers(proof: Proof, shared: Shared) -> tuple[str, ...]:
    entry = shared.barriers.get(id(proof))
    if entry is not None and entry[0] is proof:
        return entry[1]
    found = tuple(
        dict.fromkeys(
            t.fact[5:] for t in supporting_tests(proof, shared) if t.fact.startswith("cfir.") and is_barrier(t.actual)
        )
    )
    shared.barriers.put(id(proof), (proof, found))
    return found


class WhyNot(msgspec.Struct, frozen=True, gc=False):
    rule_id: str
    fired: bool
    proof: Proof
    failing: tuple[Trace, ...]
    change: tuple[FactEdit, ...] | None
    standing: Standing | None = None
    """Where the rule's recommendation sits in the plan (held back, folded, placed)."""

    def to_dict(self) -> dict[str, Any]:
        out = {
            "rule_id": self.rule_id,
            "fired": self.fired,
            "explanation": self.proof.to_dict(),
            "failing_conditions": [t.to_dict() for t in self.failing],
            "smallest_change": None if self.change is None else [c.to_dict() for c in self.change],
        }
        if self.standing is not None:
            out["plan"] = self.standing.to_dict()
        return out
