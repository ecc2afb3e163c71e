"""The durable_rules matcher's known pitfalls and fixed limits, each with a test.

These tests ask for the durable matcher explicitly (whatever $ISP_ADVISOR_MATCHER says) and are
skipped where durable_rules is not installed (Python 3.13 and later).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import EngineError
from engine.errors import IspAdvisorWarning
from engine.evaluation.matcher import durable_installed
from engine.evaluation.runner import Engine
from engine.model.conditions import All
from engine.model.conditions import Test as Cond
from engine.model.vocabulary import CFIR_IDS
from engine.rulepacks.loader import load_rulebase
from tests.helpers import rec, write_pack

pytestmark = pytest.mark.skipif(not durable_installed(), reason="durable_rules is not installed here")

if durable_installed():
    import durable_rules_engine as core

    from engine.evaluation.durablematcher import DurableLimit, DurableMatcher, durable_limits


def durable_engine(folder: Path, rules: list[dict], **extra: object) -> Engine:
    return Engine(load_rulebase([write_pack(folder, rules, **extra)], shipped=False), "durable")


def test_fact_no_rule_handles_means_nothing_fired(tmp_path: Path) -> None:
    eng = durable_engine(tmp_path, [rec("R1", {"fact": "stage", "equals": "sustainment"})])
    assert eng.matcher.name == "durable"
    assert eng.fire({"stage": "exploration"}).fired == ()


def test_rule_on_missing_fact_fires_once_not_forever(tmp_path: Path) -> None:
    # a rule that holds on absent properties must match only case facts (the marker)
    eng = durable_engine(
        tmp_path,
        [
            rec("R1", {"fact": "stage", "exists": False}),
            rec("R2", {"not": {"fact": "relationships.trust", "equals": "high"}}),
        ],
    )
    assert eng.fire({"case_id": "x"}).fired == ("R1", "R2")


def test_any_with_several_true_branches_fires_once(tmp_path: Path) -> None:
    eng = durable_engine(
        tmp_path,
        [
            rec(
                "R1",
                {
                    "any": [
                        {"fact": "stage", "equals": "installation"},
                        {"fact": "relationships.trust", "equals": "low"},
                    ]
                },
            )
        ],
    )
    result = eng.evaluate_facts({"stage": "installation", "relationships.trust": "low"}, "x")
    assert result.fired == ("R1",)
    assert len(result.recommendations) == 1


def test_the_same_fact_twice_in_one_case_is_an_engine_error_naming_the_rules() -> None:
    matcher = DurableMatcher([[("R1", Cond("stage", "equals", "installation"))]])
    with matcher.session() as session:
        assert session.match(0, {"stage": "installation"}, {}) == ["R1"]
        with pytest.raises(EngineError) as info:
            session.match(0, {"stage": "installation"}, {})
    text = info.value.render()
    assert "same case twice" in text and "R1" in text


def test_an_unknown_rule_name_from_durable_rules_is_an_error_not_nothing_fired() -> None:
    matcher = DurableMatcher([[("R1", Cond("stage", "equals", "installation"))]])
    matcher._members.clear()  # as if durable_rules reported a rule the matcher never compiled
    with pytest.raises(EngineError) as info, matcher.session() as session:
        session.match(0, {"stage": "installation"}, {})
    assert "unknown rule 'R1'" in info.value.render()


def test_two_engines_with_the_same_pack_live_in_one_process(tmp_path: Path) -> None:
    a = durable_engine(tmp_path / "a", [rec("R1", {"fact": "stage", "equals": "installation"})])
    b = durable_engine(tmp_path / "b", [rec("R1", {"fact": "stage", "equals": "sustainment"})])
    assert a.matcher.names != b.matcher.names
    assert a.fire({"stage": "installation"}).fired == ("R1",)
    assert b.fire({"stage": "installation"}).fired == ()
    assert b.fire({"stage": "sustainment"}).fired == ("R1",)


def test_one_session_is_reused_and_left_empty_after_each_case(tmp_path: Path) -> None:
    eng = durable_engine(tmp_path, [rec("R1", {"fact": "stage", "equals": "installation"})])
    facts = {"stage": "installation"}
    matcher = eng.matcher
    sid = matcher._sid  # rulesets may come from the pool of an earlier engine on the same rules
    # the same facts twice are two cases, not a repeated observation
    assert eng.fire(facts).fired == ("R1",)
    assert eng.fire(facts).fired == ("R1",)
    handle = matcher._by_stratum[0]
    assert matcher._sid == sid  # no session was replaced
    assert core.get_facts(handle, matcher._sid_text()) == "[]"  # the case's fact was retracted


def test_a_failed_case_does_not_leak_into_the_next(tmp_path: Path) -> None:
    eng = durable_engine(tmp_path, [rec("R1", {"fact": "stage", "equals": "installation"})])
    strong = {f"cfir.{c}": -2 for c in CFIR_IDS}
    eng.fire(strong)  # beyond durable_rules' stack: the session is replaced
    assert eng.fire({"stage": "installation"}).fired == ("R1",)
    assert eng.fire({"stage": "exploration"}).fired == ()


def test_facts_are_asserted_not_posted_so_every_rule_sees_them(tmp_path: Path) -> None:
    # a posted event would be consumed by the first matching rule
    eng = durable_engine(
        tmp_path, [rec(f"R{i}", {"fact": "stage", "equals": "installation"}, title=f"T{i}") for i in range(5)]
    )
    assert eng.fire({"stage": "installation"}).fired == ("R0", "R1", "R2", "R3", "R4")


def test_rules_with_the_same_condition_share_one_durable_rule_and_all_fire(tmp_path: Path) -> None:
    cond = {"any": [{"fact": "cfir.innovation.cost", "lte": -1}, {"fact": "cfir.innovation.cost", "equals": "mixed"}]}
    eng = durable_engine(
        tmp_path,
        [
            rec("R-A", cond, title="A"),
            rec("R-B", cond, title="B"),
            rec("R-C", {"fact": "stage", "exists": True}, title="C"),
        ],
    )
    assert sum(1 for d in eng.matcher.definitions for rid in d if rid.startswith("R-")) == 2
    assert eng.fire({"cfir.innovation.cost": "mixed"}).fired == ("R-A", "R-B")
    assert eng.fire({"cfir.innovation.cost": -2, "stage": "installation"}).fired == ("R-A", "R-B", "R-C")


# ------------------------------------------------------------------ durable_rules' fixed limits


@pytest.mark.parametrize("rating", [-2, 2, "mixed"])
def test_a_case_rating_all_67_constructs_is_evaluated_by_the_plain_matcher_and_says_so(
    shipped_engine: Engine, rating: object
) -> None:
    eng = Engine(shipped_engine.base, "durable")
    facts = {f"cfir.{c}": rating for c in CFIR_IDS}
    facts.update({"stage": "full_implementation"})
    assert len(CFIR_IDS) == 67
    result = eng.evaluate_facts(facts, "thorough")
    assert result.fired == eng.fire_python(facts).fired
    assert result.recommendations
    note = [w for w in result.warnings if "plain matcher" in w]
    assert len(note) == 1 and "ERR_MAX_STACK_SIZE" in note[0]
    eng.close()


def test_too_many_properties_loads_on_the_plain_matcher_with_one_notice(tmp_path: Path) -> None:
    rules = [rec("R0", {"fact": "stage", "exists": True})]
    rules += [
        {"id": f"D{i}", "when": {"fact": "stage", "exists": True}, "derive": {f"fact_{i}": True}} for i in range(260)
    ]
    rules += [rec(f"U{i}", {"fact": f"derived.fact_{i}", "equals": True}, title=f"U{i}") for i in range(260)]
    with pytest.warns(IspAdvisorWarning, match="255 properties") as seen:
        eng = durable_engine(tmp_path, rules)
    assert len(seen) == 1
    assert eng.matcher.name == "python" and eng.info["matcher"] == "python"
    assert "U259" in eng.fire({"stage": "installation"}).fired


def test_a_condition_with_too_many_paths_loads_on_the_plain_matcher_naming_the_rule(tmp_path: Path) -> None:
    anys = [
        {"any": [{"fact": f"cfir.innovation.{c}", "lte": -1}, {"fact": f"cfir.innovation.{c}", "equals": "mixed"}]}
        for c in ("cost", "design", "complexity", "source", "trialability", "adaptability", "evidence_base")
    ]
    with pytest.warns(IspAdvisorWarning, match="R-BIG") as seen:
        eng = durable_engine(tmp_path, [rec("R-BIG", {"all": anys})])
    assert "128 alternative paths" in str(seen[0].message)
    facts = {
        f"cfir.innovation.{c}": -1
        for c in ("cost", "design", "complexity", "source", "trialability", "adaptability", "evidence_base")
    }
    assert eng.matcher.name == "python" and eng.fire(facts).fired == ("R-BIG",)


def test_a_condition_durable_rules_refuses_is_named_and_the_rules_still_run(tmp_path: Path) -> None:
    many = [{"fact": f"cfir.{c}", "exists": False} for c in list(CFIR_IDS)[:20]]
    with pytest.warns(IspAdvisorWarning) as seen:
        eng = durable_engine(tmp_path, [rec("R-OK", {"fact": "stage", "exists": True}), rec("R-HUGE", {"all": many})])
    text = str(seen[0].message)
    assert "R-HUGE" in text and "R-OK" not in text
    assert eng.fire({"stage": "installation"}).fired == ("R-HUGE", "R-OK")


def test_a_ruleset_beyond_durable_rules_tables_is_reported_with_its_limit() -> None:
    ids = list(CFIR_IDS)
    stratum = [
        (
            f"R{i}",
            All((Cond(f"cfir.{ids[i % 67]}", "equals", (i // 67) % 5 - 2), Cond("scope.sites", "gte", 1 + i // 335))),
        )
        for i in range(4_500)
    ]
    with pytest.raises(DurableLimit) as info:
        DurableMatcher([stratum])
    assert "ERR_RULE_LIMIT_EXCEEDED" in info.value.limit and len(info.value.rule_ids) == 4_500
    found = durable_limits([stratum])
    assert [x.limit for x in found] == [info.value.limit]


def test_closing_frees_the_rulesets(tmp_path: Path) -> None:
    with durable_engine(tmp_path, [rec("R1", {"fact": "stage", "exists": True})]) as eng:
        handles = list(eng.matcher._handles)
        assert eng.fire({"stage": "installation"}).fired == ("R1",)
    assert eng.matcher._handles == [] and handles
    eng.close()  # idempotent
    # the closed rulesets serve the next engine on the same rules (durable_rules leaks a freed
    # ruleset's session tables), and it starts with an empty session
    with durable_engine(tmp_path, [rec("R1", {"fact": "stage", "exists": True})]) as again:
        assert again.matcher._handles == handles
        assert again.fire({"case_id": "x"}).fired == ()
        assert again.fire({"stage": "installation"}).fired == ("R1",)


def test_more_failed_cases_than_durable_rules_has_session_slots(tmp_path: Path) -> None:
    # each case beyond durable_rules' stack replaces the session; its state table holds 1,024, so a
    # session left behind in any ruleset (even one no rule accepted the fact in) would run it out
    barriers = [rec(f"B{i:02}", {"fact": f"cfir.{c}", "lte": -1}, title=f"B{i}") for i, c in enumerate(CFIR_IDS)]
    eng = durable_engine(
        tmp_path,
        [
            rec("R1", {"fact": "stage", "equals": "installation"}),
            {"id": "D1", "when": {"fact": "stage", "exists": True}, "derive": {"seen": True}},
            rec("R2", {"fact": "derived.seen", "equals": True}, title="Two"),
            *barriers,
        ],
    )
    strong = {f"cfir.{c}": -2 for c in CFIR_IDS}
    for _ in range(1_100):
        firing = eng.fire(strong)
        assert len(firing.fired) == 67 and "plain matcher" in firing.warnings[0]
    assert eng.fire({"stage": "installation"}).fired == ("D1", "R1", "R2")
