"""The rule language's operators, declared once.

An operator's entry says everything the rest of the engine needs to know about it: the value it
takes, the fact kinds it applies to, its words in a proof, its complement (what it means negated on
a stated fact), and how each matcher evaluates it (`family`, plus the rank comparison of an ordering
operator and its symbol in the compiled matcher and durable_rules). The loader's model and checks,
both matchers, the proof text, the rule schema and docs/rule-language.md read this table; adding an
operator of an existing family is one entry here (tests/test_operators.py walks the consumers).

Semantics shared by every operator (docs/rule-language.md, "Operators"): a test of a fact the case
does not state is false, whatever the operator, except `exists: false`; equality keeps true/false
apart from 1/0; ordering compares positions on the fact's scale.
"""

from __future__ import annotations

import operator as _op
from collections.abc import Callable
from typing import Any, Literal

import msgspec

Family = Literal["exists", "equality", "membership", "order"]
ValueShape = Literal["bool", "scalar", "list"]

FACT_KINDS: tuple[str, ...] = ("text", "list", "enum", "bool", "ordered", "rating", "derived")
"""The kinds of fact a test can read (engine/model/facts.py, FactSpec.kind)."""


class Operator(msgspec.Struct, frozen=True):
    name: str
    family: Family
    value: ValueShape
    """What the rule file gives: true/false (exists), one value, or a list of values."""
    kinds: tuple[str, ...]
    """The fact kinds the operator applies to (the loader refuses others)."""
    words: str
    """How a proof says it: 'engagement.level is at or below consult'."""
    negated: bool = False
    """True for the 'not' operators of a family (not_equals, not_in)."""
    complement: str = ""
    """The operator that holds exactly when this one does not, on a stated fact (durable_rules pushes
    negations down to the tests with it)."""
    compare: Callable[[Any, Any], bool] | None = None
    """An ordering operator's comparison of two positions on a scale."""
    symbol: str = ""
    """An ordering operator's comparison in the compiled matcher's generated code."""
    durable: str = ""
    """The operator's name in a durable_rules expression ('' when it is expressed through others)."""


_ALL = ("text", "list", "enum", "bool", "ordered", "rating", "derived")
_VALUED = ("enum", "bool", "ordered", "rating", "derived")
_LISTED = ("enum", "ordered", "rating", "derived")
_SCALED = ("ordered", "rating")

REGISTRY: tuple[Operator, ...] = (
    Operator("equals", "equality", "scalar", _VALUED, "is", complement="not_equals"),
    Operator("not_equals", "equality", "scalar", _VALUED, "is not", negated=True, complement="equals", durable="$neq"),
    Operator("in", "membership", "list", _LISTED, "is one of", complement="not_in"),
    Operator("not_in", "membership", "list", _LISTED, "is none of", negated=True, complement="in"),
    Operator("lt", "order", "scalar", _SCALED, "is below", complement="gte", compare=_op.lt, symbol="<", durable="$lt"),
    Operator(
        "lte",
        "order",
        "scalar",
        _SCALED,
        "is at or below",
        complement="gt",
        compare=_op.le,
        symbol="<=",
        durable="$lte",
    ),
    Operator("gt", "order", "scalar", _SCALED, "is above", complement="lte", compare=_op.gt, symbol=">", durable="$gt"),
    Operator(
        "gte",
        "order",
        "scalar",
        _SCALED,
        "is at or above",
        complement="lt",
        compare=_op.ge,
        symbol=">=",
        durable="$gte",
    ),
    Operator("exists", "exists", "bool", _ALL, "is stated"),
)

BY_NAME: dict[str, Operator] = {o.name: o for o in REGISTRY}
NAMES: tuple[str, ...] = tuple(BY_NAME)
"""Every operator, in the order rule files and docs list them."""


def same(a: Any, b: Any) -> bool:
    """The rule language's one equality, read by `equals`, `not_equals`, `in`, `not_in` and a fact compared
    with a fact: equal values, with true/false kept apart from 1/0 (Python says `True == 1`)."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b


SameForm = Literal["is", "==", "== and not bool", "same"]


def same_form(expected: Any) -> SameForm:
    """How `same(a, expected)` reduces when `expected` is known in advance, for the compiled matchers
    (evaluation/testcompile.py and matchcode.py build their checks from this; tests/test_operators.py
    holds each form to `same` on values of every kind):

    - a bool: `a is expected` (the two bools are singletons);
    - text: `a == expected` (no bool, number or list equals a str);
    - a number: `a == expected and a is not a bool`;
    - anything else (a list, null): `same` itself.
    """
    if isinstance(expected, bool):
        return "is"
    if isinstance(expected, str):
        return "=="
    if isinstance(expected, int | float):
        return "== and not bool"
    return "same"


def allowed_for(kind: str) -> tuple[str, ...]:
    """The operators a fact of this kind can be tested with, in registry order."""
    return tuple(o.name for o in REGISTRY if kind in o.kinds)


def words(name: str) -> str:
    return BY_NAME[name].words


def of_family(family: Family) -> tuple[str, ...]:
    return tuple(o.name for o in REGISTRY if o.family == family)
