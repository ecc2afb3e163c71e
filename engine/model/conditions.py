"""Compiled conditions and the plain-Python evaluator that explains them.

The same condition tree is compiled for durable_rules (see `durable_adapter`) and evaluated here
to produce explanation traces and why-not answers; a test checks both agree on every case.

Semantics (docs/rule-language.md): a test on a missing fact is false whatever the operator,
except `exists: false`; a CFIR rating of `mixed` equals only `mixed` and is not ordered.
"""

from __future__ import annotations

import functools
from typing import Any, TypeAlias, Union

import msgspec

from engine.model import operators
from engine.model.facts import Facts, FactSpec, Scalar, spec_for


class Missing:
    """The type of MISSING: a fact the case does not state (as a value, distinct from None)."""

    def __repr__(self) -> str:
        return "<not stated>"


MISSING = Missing()


class _Node(msgspec.Struct, frozen=True, cache_hash=True, gc=False, array_like=True, forbid_unknown_fields=True):
    """A condition node: immutable, compared by value, and hashed once (msgspec's `cache_hash`): conditions are
    dict keys throughout (the matchers' compiled forms, the strata, shared proofs), and a rule base holds some
    5,000 nodes whose hash would otherwise walk the whole subtree on every lookup.

    In JSON (the rule cache) a node is an array led by its tag: `["t", fact, op, value, ref]`,
    `["all", [...]]`, `["any", [...]]`, `["not", node]`."""


TestValue: TypeAlias = Scalar | tuple[Scalar, ...]
"""What a test compares with: one value, or several for `in` and `not_in`."""


class Test(_Node, frozen=True, tag="t"):
    """`{fact: PATH, OP: VALUE}`; `ref` is set when VALUE names another fact."""

    __test__ = False  # not a pytest test class

    fact: str
    op: str
    value: TestValue = None
    ref: str | None = None

    def members(self) -> tuple[Scalar, ...]:
        """The listed values of a membership test (`in`, `not_in`); none for any other."""
        return self.value if isinstance(self.value, tuple) else ()


class All(_Node, frozen=True, tag="all"):
    items: tuple[Condition, ...]


class Any_(_Node, frozen=True, tag="any"):
    items: tuple[Condition, ...]


class Not(_Node, frozen=True, tag="not"):
    item: Condition


Condition = Union[Test, All, Any_, Not]


@functools.lru_cache(maxsize=16_384)
def facts_read(cond: Condition) -> frozenset[str]:
    """Every fact path a condition reads (including referenced facts).

    Kept per condition (functools, bounded): conditions are immutable and hash once, and building an engine
    asks this of each rule's condition five times over (strata, matcher, proof inputs, encoder, limits)."""
    if isinstance(cond, Test):
        return frozenset((cond.fact, cond.ref) if cond.ref else (cond.fact,))
    if isinstance(cond, Not):
        return facts_read(cond.item)
    return frozenset().union(*(facts_read(item) for item in cond.items))


def tests_in(cond: Condition) -> list[Test]:
    if isinstance(cond, Test):
        return [cond]
    if isinstance(cond, Not):
        return tests_in(cond.item)
    return [t for item in cond.items for t in tests_in(item)]


def _ordered(spec: FactSpec | None, a: object, b: object, op: str, bspec: FactSpec | None = None) -> bool:
    if spec is None or not spec.ordered:
        return False
    ra, rb = spec.rank(a), (bspec or spec).rank(b)
    if ra is None or rb is None:
        return False
    compare = operators.BY_NAME[op].compare
    assert compare is not None
    return compare(ra, rb)


def test_holds(t: Test, facts: Facts) -> bool:
    actual = facts.get(t.fact, MISSING)
    if t.op == "exists":
        return (actual is not MISSING) == bool(t.value)
    if actual is MISSING:
        return False
    expected: Any = t.value
    bspec = None
    if t.ref is not None:
        expected = facts.get(t.ref, MISSING)
        if expected is MISSING:
            return False
        bspec = spec_for(t.ref)
    op = operators.BY_NAME[t.op]
    if op.family == "equality":
        return operators.same(actual, expected) != op.negated
    if op.family == "membership":
        return any(operators.same(actual, e) for e in expected) != op.negated
    return _ordered(spec_for(t.fact), actual, expected, t.op, bspec)


def holds(cond: Condition, facts: Facts) -> bool:
    if isinstance(cond, Test):
        return test_holds(cond, facts)
    if isinstance(cond, All):
        return all(holds(c, facts) for c in cond.items)
    if isinstance(cond, Any_):
        return any(holds(c, facts) for c in cond.items)
    return not holds(cond.item, facts)


def to_data(cond: Condition) -> Any:
    """The condition back in rule-file form (for docs, JSON and `rules show`)."""
    if isinstance(cond, Test):
        if cond.ref is not None:
            return {"fact": cond.fact, cond.op: {"fact": cond.ref}}
        value = list(cond.value) if isinstance(cond.value, tuple) else cond.value
        return {"fact": cond.fact, cond.op: value}
    if isinstance(cond, All):
        return {"all": [to_data(c) for c in cond.items]}
    if isinstance(cond, Any_):
        return {"any": [to_data(c) for c in cond.items]}
    return {"not": to_data(cond.item)}


_OP_WORDS = {o.name: o.words for o in operators.REGISTRY if o.family != "exists"}


def _fmt(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return ", ".join(_fmt(x) for x in value)
    if isinstance(value, int) and value > 0:
        return f"+{value}"
    return str(value)


def describe(cond: Condition, indent: int = 0) -> str:
    """The condition in plain language, one test per line."""
    pad = "  " * indent
    if isinstance(cond, Test):
        if cond.op == "exists":
            return f"{pad}{cond.fact} is {'stated' if cond.value else 'not stated'}"
        rhs = cond.ref if cond.ref is not None else _fmt(cond.value)
        return f"{pad}{cond.fact} {_OP_WORDS[cond.op]} {rhs}"
    if isinstance(cond, Not):
        return f"{pad}not:\n{describe(cond.item, indent + 1)}"
    word = "all of" if isinstance(cond, All) else "any of"
    if len(cond.items) == 1:
        return describe(cond.items[0], indent)
    return f"{pad}{word}:\n" + "\n".join(describe(c, indent + 1) for c in cond.items)


fmt_value = _fmt
