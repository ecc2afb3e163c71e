"""The plain matcher: conditions compiled to Python, no durable_rules.

Each stratum becomes one generated function (engine/evaluation/matchcode.py) that checks every distinct test
once; a test it does not inline is one closure from `compile_test`, built from the condition
tree's data: values and ranks are bound at compile time and nothing in a rule or a case is ever
evaluated as code. Semantics are `conditions.holds` exactly (a test on a missing
fact is false except `exists: false`; true/false never equal 1/0; `mixed` is not ordered), and
tests/test_crosscheck.py checks both against durable_rules on every case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engine.evaluation.matcher import Stratum
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
    """Equality with `expected` that keeps true/false apart from 1/0."""
    if isinstance(expected, bool):
        return lambda a: a is expected
    if isinstance(expected, str):
        return lambda a: a == expected
    return lambda a: a == expected and not isinstance(a, bool)


_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b, "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
}


def compile_test(t: Test) -> Check:
    path, op, missing = t.fact, t.op, MISSING
    if op == "exists":
        return (lambda f: path in f) if t.value else (lambda f: path not in f)
    if t.ref is not None:
        ref = t.ref
        rank_a, rank_b = ranker(spec_for(path)), ranker(spec_for(ref) or spec_for(path))
        if op in ("equals", "not_equals"):
            want = op == "equals"

            def ref_eq(f: Facts) -> bool:
                a, b = f.get(path, missing), f.get(ref, missing)
                if a is missing or b is missing:
                    return False
                return (isinstance(a, bool) == isinstance(b, bool) and a == b) == want

            return ref_eq
        cmp = _COMPARE[op]

        def ref_cmp(f: Facts) -> bool:
            a, b = f.get(path, missing), f.get(ref, missing)
            if a is missing or b is missing:
                return False
            ra, rb = rank_a(a), rank_b(b)
            return ra is not None and rb is not None and cmp(ra, rb)

        return ref_cmp
    if op == "equals":
        same = _same(t.value)
        return lambda f: same(f.get(path, missing))  # MISSING equals nothing
    if op == "not_equals":
        same = _same(t.value)

        def differs(f: Facts) -> bool:
            a = f.get(path, missing)
            return a is not missing and not same(a)

        return differs
    if op in ("in", "not_in"):
        checks = [_same(x) for x in t.value]
        want = op == "in"

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


class PythonMatcher:
    """Strata compiled to one function each (engine/evaluation/matchcode.py): identical tests and
    sub-conditions are checked once per case, however many rules share them."""

    name = "python"

    def __init__(self, strata: Sequence[Stratum]) -> None:
        from engine.evaluation.matchcode import compile_stratum

        self._strata = [compile_stratum(stratum, f"stratum {i}") for i, stratum in enumerate(strata)]

    def session(self) -> PythonSession:
        return PythonSession(self._strata)

    def close(self) -> None:
        return None

    def __enter__(self) -> PythonMatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PythonSession:
    """A session holds nothing: each stratum is matched against the facts as they stand."""

    def __init__(self, strata: list[Callable[[Facts], list[str]]]) -> None:
        self._strata = strata

    def match(self, stratum: int, facts: Facts, new: Facts) -> list[str]:
        return self._strata[stratum](facts)

    def close(self) -> None:
        return None

    def __enter__(self) -> PythonSession:
        return self

    def __exit__(self, *exc: object) -> None:
        return None
