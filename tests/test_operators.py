"""The rule language's operators, table-driven, on both evaluators (durable_rules and Python).

Each row: a condition, the case facts, and whether the rule must fire. Missing facts and the
'mixed' rating follow docs/rule-language.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine import Engine
from tests.helpers import engine_for, rec

F = "cfir.innovation.complexity"
ROWS: list[tuple[str, Any, dict[str, Any], bool]] = [
    # equals / not_equals on enums and ordered scales
    ("eq-hit", {"fact": "power.differential", "equals": "high"}, {"power.differential": "high"}, True),
    ("eq-miss", {"fact": "power.differential", "equals": "high"}, {"power.differential": "low"}, False),
    ("eq-missing", {"fact": "power.differential", "equals": "high"}, {}, False),
    ("neq-hit", {"fact": "power.differential", "not_equals": "high"}, {"power.differential": "low"}, True),
    ("neq-same", {"fact": "power.differential", "not_equals": "high"}, {"power.differential": "high"}, False),
    ("neq-missing", {"fact": "power.differential", "not_equals": "high"}, {}, False),
    ("not-eq-missing", {"not": {"fact": "power.differential", "equals": "high"}}, {}, True),
    ("enum-eq", {"fact": "challenge.type", "equals": "adaptive"}, {"challenge.type": "adaptive"}, True),
    # in / not_in
    ("in-hit", {"fact": "challenge.type", "in": ["adaptive", "mixed"]}, {"challenge.type": "mixed"}, True),
    ("in-miss", {"fact": "challenge.type", "in": ["adaptive", "mixed"]}, {"challenge.type": "technical"}, False),
    ("in-missing", {"fact": "challenge.type", "in": ["adaptive"]}, {}, False),
    ("notin-hit", {"fact": "challenge.type", "not_in": ["adaptive"]}, {"challenge.type": "technical"}, True),
    ("notin-miss", {"fact": "challenge.type", "not_in": ["adaptive"]}, {"challenge.type": "adaptive"}, False),
    ("notin-missing", {"fact": "challenge.type", "not_in": ["adaptive"]}, {}, False),
    # ordered scales compare by rank
    ("lt-spectrum", {"fact": "engagement.level", "lt": "involve"}, {"engagement.level": "consult"}, True),
    ("lt-equal", {"fact": "engagement.level", "lt": "involve"}, {"engagement.level": "involve"}, False),
    ("lte-equal", {"fact": "engagement.level", "lte": "involve"}, {"engagement.level": "involve"}, True),
    ("gt-stage", {"fact": "stage", "gt": "installation"}, {"stage": "sustainment"}, True),
    ("gte-stage-no", {"fact": "stage", "gte": "full_implementation"}, {"stage": "exploration"}, False),
    ("lt-levels", {"fact": "relationships.trust", "lt": "moderate"}, {"relationships.trust": "low"}, True),
    ("lt-missing", {"fact": "relationships.trust", "lt": "high"}, {}, False),
    ("not-lt-missing", {"not": {"fact": "relationships.trust", "lt": "high"}}, {}, True),
    (
        "decision-scale",
        {"fact": "power.decision_making", "lte": "leadership_team"},
        {"power.decision_making": "solo_leader"},
        True,
    ),
    # ratings and mixed
    ("rating-lte", {"fact": F, "lte": -1}, {F: -2}, True),
    ("rating-lte-no", {"fact": F, "lte": -1}, {F: 0}, False),
    ("rating-gte", {"fact": F, "gte": 1}, {F: 2}, True),
    ("mixed-not-ordered-lt", {"fact": F, "lte": -1}, {F: "mixed"}, False),
    ("mixed-not-ordered-gt", {"fact": F, "gt": -2}, {F: "mixed"}, False),
    ("mixed-equals", {"fact": F, "equals": "mixed"}, {F: "mixed"}, True),
    ("mixed-in", {"fact": F, "in": [-2, -1, "mixed"]}, {F: "mixed"}, True),
    ("number-in", {"fact": F, "in": [-2, -1, "mixed"]}, {F: -1}, True),
    ("mixed-neq-number", {"fact": F, "not_equals": 0}, {F: "mixed"}, True),
    ("number-neq-mixed", {"fact": F, "not_equals": "mixed"}, {F: 0}, True),
    ("mixed-neq-mixed", {"fact": F, "not_equals": "mixed"}, {F: "mixed"}, False),
    ("not-lt-mixed", {"not": {"fact": F, "lt": 0}}, {F: "mixed"}, True),
    ("not-eq-mixed", {"not": {"fact": F, "equals": "mixed"}}, {F: "mixed"}, False),
    ("notin-mixed", {"fact": F, "not_in": [-2, "mixed"]}, {F: "mixed"}, False),
    ("notin-number", {"fact": F, "not_in": [-2, "mixed"]}, {F: 1}, True),
    # exists
    (
        "exists-yes",
        {"fact": "equity.priority_populations", "exists": True},
        {"equity.priority_populations": ["x"]},
        True,
    ),
    ("exists-no", {"fact": "equity.priority_populations", "exists": True}, {}, False),
    ("exists-false", {"fact": F, "exists": False}, {}, True),
    ("exists-false-mixed", {"fact": F, "exists": False}, {F: "mixed"}, False),
    ("exists-text", {"fact": "notes", "exists": True}, {"notes": "hello"}, True),
    # booleans
    ("bool-true", {"fact": "leadership.transition", "equals": True}, {"leadership.transition": True}, True),
    (
        "bool-false",
        {"fact": "equity.structural_racism_acknowledged", "equals": False},
        {"equity.structural_racism_acknowledged": False},
        True,
    ),
    ("bool-false-missing", {"fact": "equity.structural_racism_acknowledged", "equals": False}, {}, False),
    # comparisons with another fact
    (
        "ref-lt",
        {"fact": "engagement.level", "lt": "engagement.target"},
        {"engagement.level": "consult", "engagement.target": "collaborate"},
        True,
    ),
    (
        "ref-lt-equal",
        {"fact": "engagement.level", "lt": "engagement.target"},
        {"engagement.level": "involve", "engagement.target": "involve"},
        False,
    ),
    (
        "ref-lt-missing-target",
        {"fact": "engagement.level", "lt": "engagement.target"},
        {"engagement.level": "inform"},
        False,
    ),
    (
        "ref-explicit",
        {"fact": "engagement.level", "gte": {"fact": "engagement.target"}},
        {"engagement.level": "defer_to", "engagement.target": "collaborate"},
        True,
    ),
    (
        "ref-eq",
        {"fact": "engagement.level", "equals": "engagement.target"},
        {"engagement.level": "consult", "engagement.target": "consult"},
        True,
    ),
    (
        "ref-neq-missing",
        {"fact": "engagement.level", "not_equals": "engagement.target"},
        {"engagement.level": "consult"},
        False,
    ),
    (
        "not-ref-lt-missing",
        {"not": {"fact": "engagement.level", "lt": "engagement.target"}},
        {"engagement.level": "inform"},
        True,
    ),
    (
        "ref-rating-mixed",
        {"fact": F, "equals": "cfir.innovation.cost"},
        {F: "mixed", "cfir.innovation.cost": "mixed"},
        True,
    ),
    ("ref-rating-lt-mixed", {"fact": F, "lt": "cfir.innovation.cost"}, {F: "mixed", "cfir.innovation.cost": 2}, False),
    (
        "not-ref-rating-lt-mixed",
        {"not": {"fact": F, "lt": "cfir.innovation.cost"}},
        {F: -2, "cfir.innovation.cost": "mixed"},
        True,
    ),
    # combinators
    (
        "all",
        {"all": [{"fact": "stage", "equals": "installation"}, {"fact": "relationships.trust", "equals": "low"}]},
        {"stage": "installation", "relationships.trust": "low"},
        True,
    ),
    (
        "all-one-fails",
        {"all": [{"fact": "stage", "equals": "installation"}, {"fact": "relationships.trust", "equals": "low"}]},
        {"stage": "installation", "relationships.trust": "high"},
        False,
    ),
    (
        "any",
        {"any": [{"fact": "stage", "equals": "sustainment"}, {"fact": "relationships.trust", "equals": "low"}]},
        {"stage": "installation", "relationships.trust": "low"},
        True,
    ),
    (
        "not-any",
        {
            "not": {
                "any": [{"fact": "stage", "equals": "sustainment"}, {"fact": "relationships.trust", "equals": "low"}]
            }
        },
        {"stage": "installation", "relationships.trust": "high"},
        True,
    ),
    (
        "not-all",
        {
            "not": {
                "all": [{"fact": "stage", "equals": "installation"}, {"fact": "relationships.trust", "equals": "low"}]
            }
        },
        {"stage": "installation"},
        True,
    ),
    ("double-not", {"not": {"not": {"fact": "stage", "equals": "installation"}}}, {"stage": "installation"}, True),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    rules = [rec(f"R-{name}", cond) for name, cond, _, _ in ROWS]
    return engine_for(tmp_path_factory.mktemp("ops"), rules)


@pytest.mark.parametrize(("name", "cond", "facts", "expected"), ROWS, ids=[r[0] for r in ROWS])
def test_operator_semantics(engine: Engine, name: str, cond: Any, facts: dict[str, Any], expected: bool) -> None:
    facts = {"case_id": "x", **facts}
    rid = f"R-{name}"
    assert (rid in engine.fire(facts).fired) is expected, "durable_rules"
    assert (rid in engine.fire_python(facts).fired) is expected, "python evaluator"


# ------------------------------------------------------------------ one declaration (issue 24)


def test_every_consumer_reads_the_operator_registry() -> None:
    """An operator is declared once (engine/model/operators.py); the loader's model and checks, both
    matchers, the proof text and the schema take their tables from it, so none can drift."""
    from engine.evaluation import matchcode, testcompile
    from engine.evaluation.matcher import durable_installed
    from engine.model import conditions, operators
    from engine.render import prooftext
    from engine.rulepacks import loader, rulemodel

    names = operators.NAMES
    assert rulemodel.OPERATORS == names
    fields = set(rulemodel.TestModel.model_fields) - {"fact"}
    assert {f.removesuffix("_") for f in fields} == set(names)
    assert set(prooftext._WORDS) == set(names)
    assert set(conditions._OP_WORDS) == set(names) - {"exists"}
    order = set(operators.of_family("order"))
    assert set(testcompile._COMPARE) == order == set(matchcode._ORDER_OPS)
    if durable_installed():  # durable_rules does not build on Python 3.13+
        from engine.evaluation import durablematcher

        assert set(durablematcher._FLIP) == order
        assert {o.name for o in operators.REGISTRY if o.durable} == set(durablematcher._DOP)
    assert set(loader._ALLOWED_OPS) == set(operators.FACT_KINDS)
    for kind, ops in loader._ALLOWED_OPS.items():
        assert ops == tuple(o.name for o in operators.REGISTRY if kind in o.kinds)
    schema = rulemodel.TestModel.model_json_schema(by_alias=True)
    assert set(schema["properties"]) - {"fact"} == set(names)


def test_the_registry_is_consistent() -> None:
    from engine.model import operators

    for o in operators.REGISTRY:
        assert set(o.kinds) <= set(operators.FACT_KINDS)
        if o.family != "exists":
            comp = operators.BY_NAME[o.complement]
            assert comp.complement == o.name and comp.family == o.family
        if o.family == "order":
            assert o.compare is not None and o.symbol and o.durable
            assert o.compare(1, 2) != operators.BY_NAME[o.complement].compare(1, 2)
    doc = (Path(__file__).resolve().parents[1] / "docs" / "rule-language.md").read_text()
    for name in operators.NAMES:
        assert f"`{name}`" in doc, f"docs/rule-language.md does not document the operator {name}"


EQUALITY_VALUES: list[Any] = [True, False, 0, 1, 2, -1, 0.0, 1.0, 2.5, "", "1", "true", "yes", None, [], [1], ["a"]]


def test_one_equality_every_compiled_form_agrees_with_it() -> None:
    """Equality is declared once (`operators.same`); the compiled matchers' forms of it (`same_form`, read by
    testcompile and the generated matcher) agree with it on every pair of values of every kind."""
    from engine.evaluation.matchcode import _Builder
    from engine.evaluation.testcompile import _same
    from engine.model.operators import same, same_form

    assert same(True, 1) is False and same(1, 1.0) is True and same(0, False) is False and same("a", "a") is True
    for expected in EQUALITY_VALUES:
        check = _same(expected)
        emitter = _Builder()
        expr = emitter.same("a", expected)
        assert (expr is None) == (same_form(expected) == "same"), expected
        for actual in EQUALITY_VALUES:
            want = same(actual, expected)
            assert check(actual) is want or check(actual) == want, (actual, expected)
            if expr is not None:
                assert bool(eval(expr, dict(emitter.names), {"a": actual})) == want, (actual, expected, expr)
