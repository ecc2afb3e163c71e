"""Can a condition ever hold? A small exhaustive search over each fact's possible values.

Every fact a rule reads has a finite set of values (its vocabulary, or the values the derive
blocks set, plus "not stated"), so whether a condition can hold is decidable by trying them.
The search assigns one fact at a time and prunes with three-valued evaluation, which keeps it
to a few hundred steps for real rules. `rules lint` uses it to find rules that can never fire.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine.model.conditions import MISSING, All, Any_, Condition, Missing, Not, Test, facts_read, test_holds
from engine.model.facts import DERIVED_PREFIX, Facts, FactValue, spec_for
from engine.model.rules import Rule

STATED = "<stated>"
"""Stand-in value for free-text and list facts, which rules may only test with `exists`."""

BUDGET = 200_000
"""Most evaluation steps spent on one condition; past it the condition counts as satisfiable."""


def domain(path: str, derived_values: Mapping[str, Sequence[FactValue]]) -> list[FactValue]:
    """The values a fact can take besides 'not stated'."""
    spec = spec_for(path)
    if spec is None:
        return []
    if spec.kind == "derived":
        return list(derived_values.get(path, ()))
    if spec.kind in ("text", "list"):
        return [STATED]
    return list(spec.values)


def _eval(cond: Condition, facts: Facts, assigned: set[str]) -> bool | None:
    """True/False when the assigned facts decide the condition, None when they do not yet."""
    if isinstance(cond, Test):
        if cond.fact not in assigned or (cond.ref is not None and cond.ref not in assigned):
            return None
        return test_holds(cond, facts)
    if isinstance(cond, Not):
        inner = _eval(cond.item, facts, assigned)
        return None if inner is None else not inner
    results = [_eval(c, facts, assigned) for c in cond.items]
    if isinstance(cond, All):
        if False in results:
            return False
        return True if all(r is True for r in results) else None
    assert isinstance(cond, Any_)
    if True in results:
        return True
    return False if all(r is False for r in results) else None


class Undecided:
    """What `witness` returns when the search ran out of budget: neither facts nor a proof of none."""

    def __repr__(self) -> str:
        return "UNDECIDED"


UNDECIDED = Undecided()


class _OutOfBudget(Exception):
    pass


def witness(cond: Condition, derived_values: Mapping[str, Sequence[FactValue]]) -> Facts | None | Undecided:
    """Facts under which `cond` holds (absent = not stated), None when no such facts exist, or
    UNDECIDED when the search spent its BUDGET first (the facts it had then prove nothing)."""
    order = sorted(facts_read(cond))
    facts: Facts = {}
    assigned: set[str] = set()
    steps = 0

    def search(i: int) -> bool:
        nonlocal steps
        steps += 1
        if steps > BUDGET:
            raise _OutOfBudget
        decided = _eval(cond, facts, assigned)
        if decided is not None:
            return decided
        path = order[i]
        assigned.add(path)
        for value in [MISSING, *domain(path, derived_values)]:
            if isinstance(value, Missing):
                facts.pop(path, None)
            else:
                facts[path] = value
            if search(i + 1):
                return True
        assigned.discard(path)
        facts.pop(path, None)
        return False

    try:
        return dict(facts) if search(0) else None
    except _OutOfBudget:
        return UNDECIDED


def can_hold(cond: Condition, derived_values: Mapping[str, Sequence[FactValue]]) -> bool:
    """Whether some facts make `cond` hold; a search that runs out of budget counts as yes."""
    return witness(cond, derived_values) is not None


def conflict(cond: Condition, derived_values: Mapping[str, Sequence[FactValue]]) -> list[Condition]:
    """A smallest set of the top-level conditions that already cannot hold together.

    Drops one `all` member at a time while the rest still cannot hold, so the author sees only
    the conditions that clash.
    """
    core: list[Condition] = list(cond.items) if isinstance(cond, All) else [cond]
    for item in list(core):
        trial = [c for c in core if c is not item]
        if trial and not can_hold(All(tuple(trial)), derived_values):
            core = trial
    return core


def derived_values(rules: Sequence[Rule]) -> dict[str, list[FactValue]]:
    """Each derived fact's possible values, from the derive rules that can themselves fire.

    Grows to a fixed point, since a derive rule may read what another derives.
    """
    values: dict[str, list[FactValue]] = {}
    pending = [r for r in rules if r.derive]
    changed = True
    while changed:
        changed = False
        for rule in list(pending):
            if can_hold(rule.when, values):
                pending.remove(rule)
                changed = True
                for name, value in rule.derive.items():
                    known = values.setdefault(DERIVED_PREFIX + name, [])
                    if not any(type(k) is type(value) and k == value for k in known):
                        known.append(value)
    return values
