"""A test of a condition compiled to one closure (the plain matcher's building block).

`compile_test` turns one `Test` into a function of the facts, built from the test's data: values
and ranks are bound when it is compiled and nothing in a rule or a case is evaluated as code. The
compiled matcher's generated code (engine/evaluation/matchcode.py) inlines most tests and calls
these closures for the rest; both follow `conditions.holds` exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.model import operators
from engine.model.conditions import MISSING, Test
from engine.model.facts import Facts, FactSpec, spec_for

Check = Callable[[Facts], bool]


def ranker(spec: FactSpec | None) -> Callable[[Any], int | None]:
    """A value's rank on the fact's ordered scale (None when unordered)."""
    if spec is None or not spec.ordered:
        return lambda value: None
    if spec.kind == "rating":
        return lambda value: value if isinstance(value, int) and not isinstance(value, bool) else None
    ranks: dict[Any, int] = {}
    for i, val in enumerate(spec.values):
        ranks.setdefault(val, i)  # the first position, as list.index gives

    def ordered_rank(value: Any) -> int | None:
        try:
            return ranks.get(value)
        except TypeError:  # unhashable: not a value of the scale
            return None

    return ordered_rank


def _same(expected: Any) -> Callable[[Any], bool]:
    """`operators.same(a, expected)` as a check of `a`, in the form `operators.same_form` gives."""
    form = operators.same_form(expected)
    if form == "is":
        return lambda a: a is expected
    if form == "==":
        return lambda a: a == expected
    if form == "== and not bool":
        return lambda a: a == expected and not isinstance(a, bool)
    same = operators.same
    return lambda a: same(a, expected)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    o.name: o.compare for o in operators.REGISTRY if o.compare is not None
}


def compile_test(t: Test) -> Check:
    path, op, missing = t.fact, t.op, MISSING
    family = operators.BY_NAME[op].family
    if family == "exists":
        return (lambda f: path in f) if t.value else (lambda f: path not in f)
    if t.ref is not None:
        ref = t.ref
        rank_a, rank_b = ranker(spec_for(path)), ranker(spec_for(ref) or spec_for(path))
        if family == "equality":
            want = not operators.BY_NAME[op].negated
            eq = operators.same

            def ref_eq(f: Facts) -> bool:
                a, b = f.get(path, missing), f.get(ref, missing)
                if a is missing or b is missing:
                    return False
                return eq(a, b) == want

            return ref_eq
        cmp = _COMPARE[op]

        def ref_cmp(f: Facts) -> bool:
            a, b = f.get(path, missing), f.get(ref, missing)
            if a is missing or b is missing:
                return False
            ra, rb = rank_a(a), rank_b(b)
            return ra is not None and rb is not None and cmp(ra, rb)

        return ref_cmp
    if family == "equality" and not operators.BY_NAME[op].negated:
        same = _same(t.value)
        return lambda f: same(f.get(path, missing))  # MISSING equals nothing
    if family == "equality":
        same = _same(t.value)

        def differs(f: Facts) -> bool:
            a = f.get(path, missing)
            return a is not missing and not same(a)

        return differs
    if family == "membership":
        checks = [_same(x) for x in t.members()]
        want = not operators.BY_NAME[op].negated

        def member(f: Facts) -> bool:
            a = f.get(path, missing)
            return a is not missing and any(c(a) for c in checks) == want

        return member
    rank = ranker(spec_for(path))
    bound = rank(t.value)
    cmp = _COMPARE[op]

    def ordered(f: Facts) -> bool:
        a = f.get(path, missing)
        if a is missing or bound is None:
            return False
        ra = rank(a)
        return ra is not None and cmp(ra, bound)

    return ordered
