"""Each stratum's conditions as one generated Python function (the plain matcher's fast path).

Matching a case with one closure per rule re-reads the same facts and re-checks the same tests
hundreds of times (decision-table rows test the same constructs). Here a stratum is compiled to
one function that reads each fact once, evaluates each distinct test once, combines each
distinct sub-condition once, and returns the ids of the rules whose condition holds.

Nothing from a rule or a case becomes source text: the generated code is made only of our own
local names (`a3`, `t7`, `c2`), operators and keywords. Fact paths, values, rule ids and helpers
are bound by name (`P3`, `K5`, `G2`, `F1`) in the function's namespace, so no value of any kind
is spliced into the code, and only the validated condition tree decides its shape. Semantics are
`conditions.holds` exactly; tests/test_matchcode.py compares the two on generated conditions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engine.evaluation.testcompile import compile_test, ranker
from engine.model import operators
from engine.model.conditions import MISSING, All, Any_, Condition, Not, Test
from engine.model.facts import Facts, spec_for

StratumCheck = Callable[[Facts], list[str]]

_ORDER_OPS = {o.name: o.symbol for o in operators.REGISTRY if o.family == "order"}


class _Builder:
    """The lines and namespace of one stratum's function, built from its condition trees."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, Any] = {"M": MISSING, "bool": bool}
        self.facts: dict[str, str] = {}  # fact path -> local holding its value
        self.ranks: dict[str, str] = {}  # fact path -> local holding its rank
        self.nodes: dict[Condition, str] = {}  # distinct (sub-)condition -> local holding its truth

    def bind(self, prefix: str, value: Any) -> str:
        """A namespace name for `value` (the code refers to values only through such names)."""
        name = f"{prefix}{len(self.names)}"
        self.names[name] = value
        return name

    def fact(self, path: str) -> str:
        local = self.facts.get(path)
        if local is None:
            local = self.facts[path] = f"a{len(self.facts)}"
            self.lines.append(f"{local} = get({self.bind('P', path)}, M)")
        return local

    def rank(self, path: str) -> str:
        local = self.ranks.get(path)
        if local is None:
            a = self.fact(path)
            local = self.ranks[path] = f"r{len(self.ranks)}"
            self.lines.append(f"{local} = {self.bind('R', ranker(spec_for(path)))}({a})")
        return local

    def same(self, a: str, value: Any) -> str | None:
        """`operators.same(a, value)` as an expression, in the form `operators.same_form` gives (None: a
        value not inlined, left to `compile_test`)."""
        form = operators.same_form(value)
        if form == "is":
            return f"{a} is {self.bind('K', value)}"
        if form == "==":
            return f"{a} == {self.bind('K', value)}"
        if form == "== and not bool":
            return f"({a} == {self.bind('K', value)} and {a}.__class__ is not bool)"
        return None

    def test(self, t: Test) -> str | None:
        """The test as an expression over locals, or None when it is left to `compile_test`."""
        if t.ref is not None:
            return None
        a = self.fact(t.fact)
        op = t.op
        declared = operators.BY_NAME[op]
        if declared.family == "exists":
            return f"{a} is not M" if t.value else f"{a} is M"
        if declared.family == "equality":
            same = self.same(a, t.value)
            if same is None:
                return None
            return f"({a} is not M and not ({same}))" if declared.negated else same
        if declared.family == "membership":
            values = t.members()
            if values and all(isinstance(x, str) for x in values):
                member = f"{a} in {self.bind('K', values)}"  # a tuple: == on each, exact for text
            else:
                parts = [self.same(a, x) for x in values]
                if not parts or any(p is None for p in parts):
                    return None
                member = " or ".join(f"({p})" for p in parts)
            return f"({a} is not M and not ({member}))" if declared.negated else member
        cmp = _ORDER_OPS.get(op)
        if cmp is None:
            return None
        bound = ranker(spec_for(t.fact))(t.value)
        if bound is None:
            return "False"
        r = self.rank(t.fact)
        return f"({r} is not None and {r} {cmp} {self.bind('K', bound)})"

    def node(self, cond: Condition) -> str:
        """The local holding `cond`'s truth, emitting its line the first time it is seen."""
        local = self.nodes.get(cond)
        if local is not None:
            return local
        if isinstance(cond, Test):
            expr = self.test(cond)
            if expr is None:
                expr = f"{self.bind('F', compile_test(cond))}(f)"
        elif isinstance(cond, Not):
            expr = f"not {self.node(cond.item)}"
        else:
            parts = [self.node(c) for c in cond.items]
            assert isinstance(cond, All | Any_)
            word = " and " if isinstance(cond, All) else " or "
            expr = word.join(parts) if parts else ("True" if isinstance(cond, All) else "False")
        local = self.nodes[cond] = f"c{len(self.nodes)}"
        self.lines.append(f"{local} = {expr}")
        return local


def compile_stratum(stratum: Sequence[tuple[str, Condition]], name: str = "stratum") -> StratumCheck:
    """One function: facts -> the ids of the rules whose condition holds, in stratum order (rules
    with the same condition together, as the first of them comes)."""
    groups: dict[Condition, list[str]] = {}
    for rid, cond in stratum:
        groups.setdefault(cond, []).append(rid)
    b = _Builder()
    tail: list[str] = []
    for cond, rids in groups.items():
        truth = b.node(cond)
        tail.append(f"if {truth}: out += {b.bind('G', tuple(rids))}")
    body = ["get = f.get", *b.lines, "out = []", *tail, "return out"]
    source = "def check(f):\n" + "".join(f"    {line}\n" for line in body)
    namespace: dict[str, Any] = {"__builtins__": {}, **b.names}
    exec(compile(source, f"<isp-advisor {name}>", "exec"), namespace)  # noqa: S102 - source made of our own names only
    check: StratumCheck = namespace["check"]
    return check
