"""The generated stratum functions (engine/evaluation/matchcode.py) against `conditions.holds`, the explainer.

Conditions and facts are generated: every operator on every kind of fact, references between
facts, nesting under all/any/not, shared sub-conditions, missing facts, lists and values of the
wrong type (true against 1, 1.0 against 1, text against numbers), which the case contract keeps
out of real cases but the semantics still define.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import load_case
from engine.evaluation.matchcode import compile_stratum
from engine.evaluation.runner import Engine
from engine.model.conditions import All, Any_, Condition, Not, Test, holds
from engine.model.facts import FACTS
from tests.conftest import CASES

PATHS = [
    "cfir.innovation.complexity",
    "cfir.inner_setting.culture",
    "engagement.level",
    "engagement.target",
    "scope.sites",
    "setting",
    "leadership.transition",
    "equity.priority_populations",
    "site",
    "derived.flag",
    "derived.level",
]
SCALES = {p: FACTS[p].values for p in PATHS if p in FACTS}
ODD = [True, False, 0, 1, 2, -1, -2, 1.0, 0.0, 2.5, "mixed", "low", "high", "", "x", ["a", "b"], [], "inform"]


def _values(path: str) -> st.SearchStrategy[Any]:
    own = list(SCALES.get(path, ())) or [-2, -1, 1, 2, "mixed", True, False, "on", 3]
    return st.sampled_from(own + ODD)


def _plain(path: str) -> st.SearchStrategy[Any]:
    """A value a rule may state for the test (str, int, float or bool)."""
    own = list(SCALES.get(path, ())) or [-2, -1, 1, 2, "mixed", True, False, "on", 3, 0.5]
    return st.sampled_from(own + [True, False, 0, 1, 1.0, 2, -1, "mixed", "low", "x"])


@st.composite
def leaf_tests(draw: st.DrawFn) -> Test:
    path = draw(st.sampled_from(PATHS))
    op = draw(st.sampled_from(["exists", "equals", "not_equals", "in", "not_in", "lt", "lte", "gt", "gte"]))
    if op == "exists":
        return Test(path, op, draw(st.booleans()))
    if op not in ("in", "not_in") and draw(st.integers(0, 5)) == 0:
        return Test(path, op, None, draw(st.sampled_from(PATHS)))
    if op in ("in", "not_in"):
        return Test(path, op, tuple(draw(st.lists(_plain(path), min_size=1, max_size=4))))
    return Test(path, op, draw(_plain(path)))


def conditions(leaves: st.SearchStrategy[Test]) -> st.SearchStrategy[Condition]:
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=4).map(lambda xs: All(tuple(xs))),
            st.lists(inner, min_size=1, max_size=4).map(lambda xs: Any_(tuple(xs))),
            inner.map(Not),
        ),
        max_leaves=12,
    )


@st.composite
def facts(draw: st.DrawFn) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(PATHS), unique=True))
    return {p: draw(_values(p)) for p in chosen}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pool=st.lists(leaf_tests(), min_size=1, max_size=6), data=st.data())
def test_a_stratum_fires_exactly_the_rules_whose_condition_holds(pool: list[Test], data: st.DataObject) -> None:
    # rules built from a small pool of tests share tests and whole sub-conditions, as packs do
    conds = data.draw(st.lists(conditions(st.sampled_from(pool)), min_size=1, max_size=8))
    stratum = [(f"R{i}", c) for i, c in enumerate(conds)]
    stratum += [(f"S{i}", c) for i, c in enumerate(conds[:2])]  # rules with the same condition
    check = compile_stratum(stratum)
    for case in data.draw(st.lists(facts(), min_size=1, max_size=5)):
        expected = [rid for rid, c in sorted(stratum, key=lambda rc: conds.index(rc[1])) if holds(c, case)]
        assert check(case) == expected, case


def test_an_empty_stratum_fires_nothing() -> None:
    assert compile_stratum([])({"stage": "installation"}) == []


def test_rule_text_never_becomes_code() -> None:
    # a value that would be code if it were spliced into the source is only ever compared
    sneaky = 'x" or __import__("os").system("false") or "'
    check = compile_stratum([("R1", Test("site", "equals", sneaky)), ("R2", Test("setting", "in", (sneaky,)))])
    assert check({"site": sneaky, "setting": "clinic"}) == ["R1"]
    assert check({"site": "x", "setting": sneaky}) == ["R2"]


def test_the_shipped_rules_agree_with_the_explainer_on_the_example_cases(shipped_engine: Engine) -> None:
    for stratum_rules in shipped_engine.strata:
        check = compile_stratum([(r.id, r.when) for r in stratum_rules])
        for path in sorted(CASES.glob("*.yaml")):
            firing = shipped_engine.fire_python(shipped_engine.case_facts(load_case(path))[0])
            assert sorted(check(firing.facts)) == sorted(r.id for r in stratum_rules if holds(r.when, firing.facts))
