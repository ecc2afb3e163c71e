"""The durable_rules adapter's known pitfalls, each with a test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine import EngineError, load_engine
from engine.conditions import Test as Cond
from engine.durable_adapter import CASE_MARK, DurableRunner
from tests.helpers import engine_for, rec


def test_fact_no_rule_handles_means_nothing_fired(tmp_path: Path) -> None:
    eng = engine_for(tmp_path, [rec("R1", {"fact": "stage", "equals": "sustainment"})])
    assert eng.fire({"stage": "exploration"}).fired == ()


def test_rule_on_missing_fact_fires_once_not_forever(tmp_path: Path) -> None:
    # durable_rules re-asserts its session state after each action; a rule that holds on absent
    # properties would match that state and loop forever without the case marker.
    eng = engine_for(tmp_path, [rec("R1", {"fact": "stage", "exists": False}),
                                rec("R2", {"not": {"fact": "relationships.trust", "equals": "high"}})])
    assert eng.fire({"case_id": "x"}).fired == ("R1", "R2")


def test_any_with_several_true_branches_fires_once(tmp_path: Path) -> None:
    eng = engine_for(tmp_path, [rec("R1", {"any": [{"fact": "stage", "equals": "installation"},
                                                   {"fact": "relationships.trust", "equals": "low"}]})])
    result = eng.evaluate_facts({"stage": "installation", "relationships.trust": "low"}, "x")
    assert result.fired == ("R1",)
    assert len(result.recommendations) == 1


def test_identical_fact_twice_in_one_session_is_an_engine_error() -> None:
    runner = DurableRunner([[("R1", Cond("stage", "equals", "installation"))]])
    fact = {"sid": "s1", CASE_MARK: 1, "stage": 1}
    assert runner.run(0, dict(fact)) == ["R1"]
    with pytest.raises(EngineError) as info:
        runner.run(0, dict(fact))
    assert "same case twice" in info.value.render()


def test_exception_inside_an_action_surfaces() -> None:
    def exploding(rule_id: str) -> Any:
        def action(c: Any) -> None:
            raise ValueError(f"boom in {rule_id}")
        return action

    runner = DurableRunner([[("R1", Cond("stage", "equals", "installation"))]], action=exploding)
    with pytest.raises(EngineError) as info:
        runner.run(0, {"sid": "s1", CASE_MARK: 1, "stage": 1})
    assert "boom in R1" in info.value.render()


def test_two_engines_with_the_same_pack_live_in_one_process(tmp_path: Path) -> None:
    a = engine_for(tmp_path / "a", [rec("R1", {"fact": "stage", "equals": "installation"})])
    b = engine_for(tmp_path / "b", [rec("R1", {"fact": "stage", "equals": "sustainment"})])
    assert a.fire({"stage": "installation"}).fired == ("R1",)
    assert b.fire({"stage": "installation"}).fired == ()
    assert b.fire({"stage": "sustainment"}).fired == ("R1",)


def test_each_case_gets_its_own_session_which_is_deleted(tmp_path: Path) -> None:
    eng = engine_for(tmp_path, [rec("R1", {"fact": "stage", "equals": "installation"})])
    facts = {"stage": "installation"}
    # the same facts twice are two cases, not a repeated observation
    assert eng.fire(facts).fired == ("R1",)
    assert eng.fire(facts).fired == ("R1",)
    runner = eng._durable
    for name in runner._active:
        with pytest.raises(Exception):
            runner.host.get_facts(name, f"{eng._prefix}1")  # state of case 1 is gone


def test_facts_are_asserted_not_posted_so_every_rule_sees_them(tmp_path: Path) -> None:
    # a posted event would be consumed by the first matching rule
    eng = engine_for(tmp_path, [rec(f"R{i}", {"fact": "stage", "equals": "installation"}, title=f"T{i}")
                                for i in range(5)])
    assert eng.fire({"stage": "installation"}).fired == ("R0", "R1", "R2", "R3", "R4")


def test_too_many_properties_is_reported_before_any_case_runs(tmp_path: Path) -> None:
    from engine import RuleError

    rules = [rec("R0", {"fact": "stage", "exists": True})]
    rules += [{"id": f"D{i}", "when": {"fact": "stage", "exists": True}, "derive": {f"fact_{i}": True}}
              for i in range(200)]
    with pytest.raises(RuleError) as info:
        engine_for(tmp_path, rules)
    assert "255 properties" in info.value.render()


def test_shipped_engine_builds_twice(tmp_path: Path) -> None:
    first = load_engine([Path(__file__).parent / "fixtures" / "basic"], shipped=False)
    second = load_engine([Path(__file__).parent / "fixtures" / "basic"], shipped=False)
    assert first._durable.names != second._durable.names


def test_condition_that_explodes_into_too_many_paths_is_refused(tmp_path: Path) -> None:
    from engine import RuleError

    anys = [{"any": [{"fact": f"cfir.innovation.{c}", "lte": -1}, {"fact": f"cfir.innovation.{c}", "equals": "mixed"}]}
            for c in ("cost", "design", "complexity", "source", "trialability", "adaptability", "evidence_base")]
    with pytest.raises(RuleError) as info:
        engine_for(tmp_path, [rec("R-BIG", {"all": anys})])
    assert "rule R-BIG" in info.value.render() and "128 alternative paths" in info.value.render()


def test_condition_durable_rules_refuses_is_named_with_its_rule(tmp_path: Path) -> None:
    from engine import RuleError
    from engine.vocabulary import CFIR_IDS

    many = [{"fact": f"cfir.{c}", "exists": False} for c in list(CFIR_IDS)[:20]]
    with pytest.raises(RuleError) as info:
        engine_for(tmp_path, [rec("R-OK", {"fact": "stage", "exists": True}), rec("R-HUGE", {"all": many})])
    text = info.value.render()
    assert "rule R-HUGE" in text and "durable_rules cannot build this condition" in text
    assert "R-OK" not in text


def test_rules_with_the_same_condition_share_one_durable_rule_and_all_fire(tmp_path: Path) -> None:
    cond = {"any": [{"fact": "cfir.innovation.cost", "lte": -1}, {"fact": "cfir.innovation.cost", "equals": "mixed"}]}
    eng = engine_for(tmp_path, [rec("R-A", cond, title="A"), rec("R-B", cond, title="B"),
                                rec("R-C", {"fact": "stage", "exists": True}, title="C")])
    assert sum(1 for name in eng._durable.definitions.values() for rid in name if rid.startswith("R-")) == 2
    assert eng.fire({"cfir.innovation.cost": "mixed"}).fired == ("R-A", "R-B")
    assert eng.fire({"cfir.innovation.cost": -2, "stage": "installation"}).fired == ("R-A", "R-B", "R-C")
    seen: list[str] = []
    host_path = DurableRunner([[(r.id, r.when) for r in eng.rules]],
                              action=lambda rid: (lambda c: seen.append(rid)))
    host_path.run(0, {"sid": "h1", CASE_MARK: 1, "cfir__innovation__cost__mixed": 1})
    assert sorted(seen) == ["R-A", "R-B"]
