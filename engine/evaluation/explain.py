"""Explanation traces: frozen data saying which conditions held on which fact values.

Traces hold no formatting; renderers draw them. `prune` keeps the path that made a rule fire
(the branches of an `any` that held); `why_not` keeps everything and adds the smallest changes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

from engine.model.conditions import MISSING, All, Condition, Missing, Not, Test, test_holds
from engine.model.facts import DERIVED_PREFIX, Facts, FactValue, Scalar, spec_for
from engine.model.sharing import Table
from engine.model.traces import FactEdit, Proof, Trace


def _key(value: object) -> Hashable:
    """A fact's value as part of a dictionary key (lists as tuples, their type kept beside them;
    floats by their text, so that 0.0 and -0.0, equal as keys, keep their own JSON)."""
    if isinstance(value, list):
        return tuple(value)
    return repr(value) if isinstance(value, float) else value


def trace(
    cond: Condition,
    facts: Facts,
    derivation: Callable[[str], Proof | None],
    origins: Mapping[str, tuple[str, str]] | None = None,
    shared: Table[tuple[Test, Trace]] | None = None,
) -> Trace:
    """Evaluate `cond` on `facts`, recording every test with the actual values (and, from
    `origins`, where a value came from: whose view, or the previous assessment).

    `shared`: a cache of test traces across cases. A test's trace depends only on the test and
    the values it read, so proofs that differ in one fact share the traces of the others (and
    their JSON text)."""
    if isinstance(cond, Test):
        return _test_trace(cond, facts, derivation, origins, shared)
    if isinstance(cond, Not):
        child = trace(cond.item, facts, derivation, origins, shared)
        return Trace("not", not child.held, (child,))
    children = tuple(trace(c, facts, derivation, origins, shared) for c in cond.items)
    if isinstance(cond, All):
        return Trace("all", all(c.held for c in children), children)
    return Trace("any", any(c.held for c in children), children)


def _test_trace(
    cond: Test,
    facts: Facts,
    derivation: Callable[[str], Proof | None],
    origins: Mapping[str, tuple[str, str]] | None,
    shared: Table[tuple[Test, Trace]] | None,
) -> Trace:
    """One test's trace: the value it read, where that value came from, and whether it held (from the
    `shared` table when this test already read the same values in another case)."""
    actual = facts.get(cond.fact, MISSING)
    source = "missing" if actual is MISSING else ("derived" if cond.fact.startswith(DERIVED_PREFIX) else "case")
    origin = origins.get(cond.fact) if origins and actual is not MISSING else None
    ref_actual = facts.get(cond.ref, MISSING) if cond.ref else MISSING
    derived_from = derivation(cond.fact) if source == "derived" and not origin else None
    key = None
    if shared is not None:
        key, found = _shared_trace(shared, cond, actual, ref_actual, origin, derived_from)
        if found is not None:
            return found
    t = Trace(
        "test",
        test_holds(cond, facts),
        fact=cond.fact,
        operator=cond.op,
        expected=cond.value,
        ref=cond.ref or "",
        actual=actual,
        ref_actual=ref_actual,
        source=origin[0] if origin else source,
        derived_from=derived_from,
        note=origin[1] if origin else "",
    )
    if shared is not None and key is not None:
        shared.put(key, (cond, t))
    return t


def _shared_trace(
    shared: Table[tuple[Test, Trace]],
    cond: Test,
    actual: FactValue | Missing,
    ref_actual: FactValue | Missing,
    origin: tuple[str, str] | None,
    derived_from: Proof | None,
) -> tuple[tuple[Any, ...] | None, Trace | None]:
    """A test trace's key in the shared table and the trace kept under it, if any; (None, None) for a value
    that cannot be a key (not shared). Identities are safe in the key: the entry holds the test and the
    proof it names."""
    key = (id(cond), type(actual), _key(actual), type(ref_actual), _key(ref_actual), origin, id(derived_from))
    try:
        entry = shared.get(key)
    except TypeError:
        return None, None
    if entry is not None and entry[0] is cond and entry[1].derived_from is derived_from:
        return key, entry[1]
    return key, None


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


def candidate_values(fact: str) -> list[Scalar]:
    spec = spec_for(fact)
    if spec is None or spec.kind in ("text", "list", "derived"):
        return []
    return list(spec.values)


MAX_TRIALS = 4_000
"""Evaluations one why-not may spend looking for a change: the search over pairs of facts is
quadratic, and a rule reading sixty facts would otherwise take most of a minute."""


def smallest_change(
    paths: list[str], facts: Facts, fires: Callable[[Facts], bool], budget: int = MAX_TRIALS
) -> list[FactEdit] | None:
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


def _search(paths: list[str], facts: Facts, fires: Callable[[Facts], bool]) -> list[FactEdit] | None:

    def options(path: str) -> list[FactValue | Missing]:
        spec = spec_for(path)
        current = facts.get(path, MISSING)
        vals: list[FactValue | Missing] = [
            x for x in candidate_values(path) if not (x == current and type(x) is type(current))
        ]
        cur_rank = spec.rank(current) if spec is not None and not isinstance(current, Missing) else None
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
        for b in paths[i + 1 :]:
            for va in options(a):
                for vb in options(b):
                    if fires(_with(_with(facts, a, va), b, vb)):
                        return [_change(a, va), _change(b, vb)]
    return None


def _with(facts: Facts, path: str, value: FactValue | Missing) -> Facts:
    out = dict(facts)
    if isinstance(value, Missing):
        out.pop(path, None)
    else:
        out[path] = value
    return out


def _change(path: str, value: FactValue | Missing) -> FactEdit:
    if isinstance(value, Missing):
        return FactEdit(path, None, "remove it from the case (leave it unstated)")
    return FactEdit(path, value)
