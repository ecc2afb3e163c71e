"""Explanation traces: frozen data saying which conditions held on which fact values.

Traces hold no formatting; renderers draw them. `prune` keeps the path that made a rule fire
(the branches of an `any` that held); `why_not` keeps everything and adds the smallest changes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .conditions import MISSING, All, Condition, Not, Test, test_holds
from .facts import DERIVED_PREFIX, Facts, spec_for
from .jsontext import compact


@dataclass(frozen=True)
class Trace:
    """One node of a condition evaluated on a case."""

    op: str  # "test", "all", "any" or "not"
    held: bool
    children: tuple[Trace, ...] = ()
    fact: str = ""
    operator: str = ""
    expected: Any = None
    ref: str = ""
    actual: Any = MISSING
    ref_actual: Any = MISSING
    source: str = ""  # "case", "derived", "missing", "perspectives" (the groups' views) or "previous"
    derived_from: Proof | None = None
    note: str = ""
    """Where a value came from when not the case's own top level: whose view (a group's), or the
    previous assessment's value (engine/perspectives.py, engine/changes.py)."""

    def to_dict(self) -> dict[str, Any]:
        if self.op != "test":
            return {"op": self.op, "held": self.held, "children": [c.to_dict() for c in self.children]}
        out = self._test_fields()
        if self.derived_from is not None:
            out["derived_from"] = self.derived_from.to_dict()
        return out

    def _test_fields(self) -> dict[str, Any]:
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

    def to_json(self) -> str:
        """`to_dict()` as compact JSON text. A test's text is kept on it (test traces are shared
        across proofs by `trace(..., shared=)`); a branch's is assembled from its children's."""
        if self.op != "test":
            return (f'{{"op":{compact(self.op)},"held":{compact(self.held)},"children":['
                    + ",".join(c.to_json() for c in self.children) + "]}")
        return memo(self, "_json", self._test_json)  # type: ignore[no-any-return]

    def _test_json(self) -> str:
        text = compact(self._test_fields())
        if self.derived_from is None:
            return text
        return text[:-1] + ',"derived_from":' + self.derived_from.to_json() + "}"


@dataclass(frozen=True)
class Proof:
    """Why one rule fired (or not): the rule and its evaluated condition."""

    rule_id: str
    pack: str
    title: str
    fired: bool
    condition: Trace
    derived: dict[str, Any] = field(default_factory=dict)
    overrides: str = ""
    """The shipped rule this (local) rule replaces, as 'pack (file)'; '' when it replaces nothing."""

    def to_dict(self) -> dict[str, Any]:
        """The proof as fresh JSON-ready data (a caller may edit it: proofs are shared across cases,
        so the shared form is the immutable text of `to_json`)."""
        fresh: dict[str, Any] = json.loads(self.to_json())
        return fresh

    def to_json(self) -> str:
        """The proof as compact JSON text, built once per Proof."""
        return memo(self, "_json", self._build_json)  # type: ignore[no-any-return]

    def _build_json(self) -> str:
        """`compact(_build_dict())`, with the condition's text assembled from its (shared) tests' text."""
        head: dict[str, Any] = {"rule_id": self.rule_id, "ruleset": self.pack}
        if self.title:
            head["title"] = self.title
        if self.overrides:
            head["overrides"] = self.overrides
        if self.derived:
            head["derived"] = dict(self.derived)
        head["fired"] = self.fired
        return compact(head)[:-1] + ',"condition":' + self.condition.to_json() + "}"

    def _build_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule_id": self.rule_id, "ruleset": self.pack}
        if self.title:
            out["title"] = self.title
        if self.overrides:
            out["overrides"] = self.overrides
        if self.derived:
            out["derived"] = dict(self.derived)
        out["fired"] = self.fired
        out["condition"] = self.condition.to_dict()
        return out  # built afresh each time: only its JSON text is kept


def memo(obj: Any, name: str, build: Callable[[], Any]) -> Any:
    """A value computed once and kept on a frozen object (for views shared across cases: read-only)."""
    value = obj.__dict__.get(name)
    if value is None:
        value = build()
        object.__setattr__(obj, name, value)
    return value


def _key(value: Any) -> Any:
    """A fact's value as part of a dictionary key (lists as tuples, their type kept beside them;
    floats by their text, so that 0.0 and -0.0, equal as keys, keep their own JSON)."""
    if isinstance(value, list):
        return tuple(value)
    return repr(value) if isinstance(value, float) else value


def _jsonable(value: Any) -> Any:
    if value is MISSING:
        return None
    if isinstance(value, tuple):
        return list(value)
    return value


TRACE_CACHE_SIZE = 50_000
"""Test traces kept for reuse by `trace(..., shared=)` (emptied when full)."""


def trace(cond: Condition, facts: Facts, derivation: Callable[[str], Proof | None],
          origins: Mapping[str, tuple[str, str]] | None = None,
          shared: dict[tuple[Any, ...], tuple[Test, Trace]] | None = None) -> Trace:
    """Evaluate `cond` on `facts`, recording every test with the actual values (and, from
    `origins`, where a value came from: whose view, or the previous assessment).

    `shared`: a cache of test traces across cases. A test's trace depends only on the test and
    the values it read, so proofs that differ in one fact share the traces of the others (and
    their JSON text)."""
    if isinstance(cond, Test):
        actual = facts.get(cond.fact, MISSING)
        source = "missing" if actual is MISSING else ("derived" if cond.fact.startswith(DERIVED_PREFIX) else "case")
        origin = origins.get(cond.fact) if origins and actual is not MISSING else None
        ref_actual = facts.get(cond.ref, MISSING) if cond.ref else MISSING
        derived_from = derivation(cond.fact) if source == "derived" and not origin else None
        key: tuple[Any, ...] | None = None
        if shared is not None:
            # identities are safe in the key: the entry holds the test and the proof it names
            key = (id(cond), type(actual), _key(actual), type(ref_actual), _key(ref_actual), origin, id(derived_from))
            try:
                entry = shared.get(key)
            except TypeError:  # a value that cannot be a key: not shared
                entry, key = None, None
            if entry is not None and entry[0] is cond and entry[1].derived_from is derived_from:
                return entry[1]
        held = test_holds(cond, facts)
        t = Trace("test", held, fact=cond.fact, operator=cond.op, expected=cond.value, ref=cond.ref or "",
                  actual=actual, ref_actual=ref_actual, source=origin[0] if origin else source,
                  derived_from=derived_from, note=origin[1] if origin else "")
        if shared is not None and key is not None:
            if len(shared) >= TRACE_CACHE_SIZE:
                shared.clear()
            shared[key] = (cond, t)
        return t
    if isinstance(cond, Not):
        child = trace(cond.item, facts, derivation, origins, shared)
        return Trace("not", not child.held, (child,))
    children = tuple(trace(c, facts, derivation, origins, shared) for c in cond.items)
    if isinstance(cond, All):
        return Trace("all", all(c.held for c in children), children)
    return Trace("any", any(c.held for c in children), children)


def prune(t: Trace) -> Trace:
    """Keep only what made the condition hold: the held branches of each `any`."""
    if t.op == "any" and t.held:
        return Trace("any", True, tuple(prune(c) for c in t.children if c.held))
    if t.op == "all":
        return Trace("all", t.held, tuple(prune(c) for c in t.children))
    return t


def failing(t: Trace) -> list[Trace]:
    """The tests whose failure keeps a condition from holding (for why-not)."""
    if t.held:
        return []
    if t.op == "test":
        return [t]
    if t.op == "all":
        return [f for c in t.children for f in failing(c)]
    if t.op == "any":
        return [f for c in t.children for f in failing(c)]
    return list(_held_tests(t.children[0]))


def _held_tests(t: Trace) -> list[Trace]:
    if t.op == "test":
        return [t] if t.held else []
    return [x for c in t.children for x in _held_tests(c)]


@dataclass(frozen=True)
class Change:
    """A change to one fact that would make a test hold (or, under `not`, stop holding)."""

    fact: str
    value: Any
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = {"fact": self.fact, "value": _jsonable(self.value)}
        if self.note:
            out["note"] = self.note
        return out


def candidate_values(fact: str) -> list[Any]:
    spec = spec_for(fact)
    if spec is None or spec.kind in ("text", "list", "derived"):
        return []
    return list(spec.values)


MAX_TRIALS = 4_000
"""Evaluations one why-not may spend looking for a change: the search over pairs of facts is
quadratic, and a rule reading sixty facts would otherwise take most of a minute."""


def smallest_change(paths: list[str], facts: Facts, fires: Callable[[Facts], bool],
                    budget: int = MAX_TRIALS) -> list[Change] | None:
    """The fewest changes to case facts (one, else two) after which `fires` is true.

    `fires` re-runs the whole evaluation, derivations included, so a change that works through
    a derived fact is found too. None when no change of at most two facts helps, or none was found
    within `budget` evaluations (paths earlier in `paths` are tried first).
    """
    trials = [0]

    def tries(trial: Facts) -> bool:
        trials[0] += 1
        if trials[0] > budget:
            raise _OutOfBudget
        return fires(trial)

    try:
        return _search(paths, facts, tries)
    except _OutOfBudget:
        return None


class _OutOfBudget(Exception):
    pass


def _search(paths: list[str], facts: Facts, fires: Callable[[Facts], bool]) -> list[Change] | None:

    def options(path: str) -> list[Any]:
        spec = spec_for(path)
        current = facts.get(path, MISSING)
        vals = [x for x in candidate_values(path) if not (x == current and type(x) is type(current))]
        cur_rank = spec.rank(current) if spec is not None and current is not MISSING else None
        if spec is not None and cur_rank is not None:
            vals.sort(key=lambda x: abs(r - cur_rank) if (r := spec.rank(x)) is not None else 99)
        if current is not MISSING:
            vals.append(MISSING)
        return vals

    for path in paths:
        for val in options(path):
            if fires(_with(facts, path, val)):
                return [_change(path, val)]
    for i, a in enumerate(paths):
        for b in paths[i + 1:]:
            for va in options(a):
                for vb in options(b):
                    if fires(_with(_with(facts, a, va), b, vb)):
                        return [_change(a, va), _change(b, vb)]
    return None


def _with(facts: Facts, path: str, value: Any) -> Facts:
    out = dict(facts)
    if value is MISSING:
        out.pop(path, None)
    else:
        out[path] = value
    return out


def _change(path: str, value: Any) -> Change:
    if value is MISSING:
        return Change(path, None, "remove it from the case (leave it unstated)")
    return Change(path, value)


def supporting_tests(proof: Proof) -> tuple[Trace, ...]:
    """The held tests a fired rule rests on, down through derived facts to the case's own inputs.

    Tests under a `not` are left out (they held by failing); a derived fact is replaced by the
    tests of the rule that derived it. Each fact appears once, in order of appearance. Computed
    once per Proof (proofs are shared across cases).
    """
    return memo(proof, "_support", lambda: _supporting(proof))  # type: ignore[no-any-return]


def _supporting(proof: Proof) -> tuple[Trace, ...]:
    out: dict[str, Trace] = {}

    def walk(t: Trace) -> None:
        if t.op == "not" or not t.held:
            return
        if t.op != "test":
            for c in t.children:
                walk(c)
        elif t.derived_from is not None:  # the deriving proof's own tests, computed once per proof
            for s in supporting_tests(t.derived_from):
                out.setdefault(s.fact, s)
        elif t.source == "case":
            out.setdefault(t.fact, t)

    walk(proof.condition)
    return tuple(out.values())


def is_barrier(value: Any) -> bool:
    """A CFIR rating that works against implementation: -1, -2 or mixed."""
    return value == "mixed" or (isinstance(value, int) and not isinstance(value, bool) and value < 0)


def barriers_matched(proofs: Any) -> tuple[str, ...]:
    """CFIR ids (without 'cfir.') whose barrier rating made one of these proofs hold (each proof's
    own are computed once: proofs are shared across cases)."""
    proofs = tuple(proofs)
    if len(proofs) == 1:
        return _barriers(proofs[0])
    seen: dict[str, None] = {}
    for proof in proofs:
        for b in _barriers(proof):
            seen.setdefault(b, None)
    return tuple(seen)


def _barriers(proof: Proof) -> tuple[str, ...]:
    return memo(proof, "_barriers", lambda: tuple(dict.fromkeys(  # type: ignore[no-any-return]
        t.fact[5:] for t in supporting_tests(proof) if t.fact.startswith("cfir.") and is_barrier(t.actual))))
