"""Evaluation: chaining, merging, ordering, missing information, warnings and proofs."""

from __future__ import annotations

from pathlib import Path

from engine import Engine, load_case
from tests.conftest import FIXTURES
from tests.helpers import engine_for, rec

GAP = FIXTURES / "cases" / "gap.yaml"


def test_derived_facts_chain_through_strata(basic_engine: Engine) -> None:
    assert [[r.id for r in s] for s in basic_engine.strata][1:] == [["D-GAP-WIDE", "EQ-CLOSE-GAP"], ["EQ-WIDE-GAP"]]
    result = basic_engine.evaluate(load_case(GAP))
    assert {k: (d.value, d.rule_id) for k, d in result.derived_facts.items()} == {
        "engagement_gap": (True, "D-ENGAGEMENT-GAP"),
        "gap_size": ("wide", "D-GAP-WIDE"),
    }
    assert "EQ-WIDE-GAP" in result.fired


def test_chain_stops_when_the_first_link_fails(basic_engine: Engine) -> None:
    result = basic_engine.evaluate_facts({"engagement.level": "collaborate", "engagement.target": "collaborate"}, "x")
    assert result.derived_facts == {}
    assert not {"EQ-CLOSE-GAP", "EQ-WIDE-GAP"} & set(result.fired)


def test_same_recommendation_from_two_rules_merges_with_all_reasons(basic_engine: Engine) -> None:
    result = basic_engine.evaluate(load_case(GAP))
    merged = [r for r in result.recommendations if r.category == "implementation_strategy"]
    assert len(merged) == 1
    rec = merged[0]
    assert rec.rule_ids == ("SM-ADAPT-PROMOTE", "SM-COMPLEXITY-PROMOTE")  # higher score first
    assert rec.score == 73  # the score of the member that ranks first (same priority, higher score)
    assert rec.actions == ("Name the core components and the adaptable periphery", "Simplify the first version")
    assert rec.tags["cfir"] == ("innovation.adaptability", "innovation.complexity")
    assert "73% of experts" in rec.rationale and "40% of experts" in rec.rationale
    assert [p.rule_id for p in rec.explanation] == ["SM-ADAPT-PROMOTE", "SM-COMPLEXITY-PROMOTE"]


def test_order_is_priority_then_score_then_id(tmp_path: Path) -> None:
    cond = {"fact": "stage", "exists": True}
    eng = engine_for(
        tmp_path,
        [
            rec("B-LOW", cond, priority="low", score=90),
            rec("A-MED", cond, score=10),
            rec("C-MED", cond, score=50),
            rec("Z-HIGH", cond, priority="high"),
            rec("A-MED2", cond, score=10),
        ],
    )
    result = eng.evaluate_facts({"stage": "installation"}, "x")
    assert [r.rule_id for r in result.recommendations] == ["Z-HIGH", "C-MED", "A-MED", "A-MED2", "B-LOW"]


def test_conflicting_derivations_keep_the_first_and_warn(tmp_path: Path) -> None:
    cond = {"fact": "stage", "exists": True}
    eng = engine_for(
        tmp_path,
        [
            {"id": "D-B", "when": cond, "derive": {"intensity": "low"}, "priority": "low"},
            {"id": "D-A", "when": cond, "derive": {"intensity": "high"}, "priority": "high"},
        ],
    )
    result = eng.evaluate_facts({"stage": "installation"}, "x")
    assert result.derived_facts["intensity"].value == "high"
    assert result.warnings == ("derived.intensity: D-B derives 'low' but D-A already derived 'high'; kept 'high'",)


def test_missing_information_lists_unstated_key_facts_rules_read(basic_engine: Engine) -> None:
    result = basic_engine.evaluate_facts({"case_id": "x", "stage": "installation"}, "x")
    assert result.missing_information == (
        "challenge.type",
        "engagement.level",
        "engagement.target",
        "power.differential",
        "power.decision_making",
        "cfir.innovation",
        "cfir.outer_setting",
        "cfir.inner_setting",
        "cfir.individuals",
        "cfir.process",
    )
    stated = basic_engine.evaluate(load_case(GAP))
    assert "engagement.level" not in stated.missing_information
    assert "cfir.innovation" not in stated.missing_information


def test_explanation_reaches_the_case_inputs_through_derived_facts(basic_engine: Engine) -> None:
    result = basic_engine.evaluate(load_case(GAP))
    wide = next(r for r in result.recommendations if r.rule_id == "EQ-WIDE-GAP")
    data = wide.to_dict()["explanation"][0]
    cond = data["condition"]
    assert cond["fact"] == "derived.gap_size" and cond["actual"] == "wide" and cond["source"] == "derived"
    step = cond["derived_from"]
    assert step["rule_id"] == "D-GAP-WIDE"
    inner = step["condition"]["children"]
    assert inner[1] == {
        "fact": "engagement.level",
        "operator": "lte",
        "expected": "inform",
        "actual": "inform",
        "held": True,
        "source": "case",
    }
    root = inner[0]["derived_from"]["condition"]["children"][0]
    assert root == {
        "fact": "engagement.level",
        "operator": "lt",
        "ref": "engagement.target",
        "ref_actual": "collaborate",
        "actual": "inform",
        "held": True,
        "source": "case",
    }


def test_explanation_keeps_only_the_branch_that_held(basic_engine: Engine) -> None:
    result = basic_engine.evaluate(load_case(GAP))
    sm = next(r for r in result.recommendations if r.category == "implementation_strategy")
    proof = sm.to_dict()["explanation"][1]  # complexity: -2 satisfies the lte branch only
    assert proof["condition"] == {
        "op": "any",
        "held": True,
        "children": [
            {
                "fact": "cfir.innovation.complexity",
                "operator": "lte",
                "expected": -1,
                "actual": -2,
                "held": True,
                "source": "case",
            }
        ],
    }


def test_output_contract_keys(basic_engine: Engine) -> None:
    data = basic_engine.evaluate(load_case(GAP)).to_dict()
    assert list(data) == [
        "case_id",
        "engine",
        "recommendations",
        "derived_facts",
        "missing_information",
        "warnings",
        "plan",
        "as_of",
        "cues",
    ]
    assert data["engine"]["rulesets"] == [{"name": "basic", "version": "1.2.0"}]
    rec0 = data["recommendations"][0]
    assert list(rec0) == [
        "rule_id",
        "key",
        "rule_ids",
        "category",
        "title",
        "priority",
        "score",
        "actions",
        "tags",
        "rationale",
        "addresses",
        "sources",
        "explanation",
        "horizon",
        "rank",
        "rank_reasons",
        "also",
    ]
    assert list(rec0["tags"]) == [
        "isp_competency",
        "equity_element",
        "eric_strategy",
        "cfir",
        "facilitation_mode",
        "capacity_type",
        "participation_value",
        "implementation_outcome",
        "spectrum_level",
    ]
    assert list(data["plan"]) == ["now", "next", "later", "held_back", "set_aside", "no_longer_recommended"]
    assert rec0["sources"][0]["citation"].startswith("Metz, A., Woo, B., & Loper, A. (2021)")


def test_why_not_gives_failing_tests_and_smallest_change(basic_engine: Engine) -> None:
    case = load_case(GAP)
    answer = basic_engine.why_not(case, "FA-ADAPTIVE")
    assert answer.fired
    from engine import case_from_text

    calm = case_from_text("case_id: c\nengagement: {level: involve, target: involve}\npower: {differential: low}\n")
    answer = basic_engine.why_not(calm, "EQ-WIDE-GAP")
    assert not answer.fired
    assert answer.change is not None
    changes = {c.fact: c.value for c in answer.change}
    assert changes == {"engagement.level": "inform"}  # one change suffices: the search stops at one


def test_merged_item_keeps_the_top_priority_and_the_best_figure_of_its_members(tmp_path: Path) -> None:
    cond = {"fact": "stage", "exists": True}
    eng = engine_for(
        tmp_path,
        [rec("A", cond, key="k", priority="high", score=0), rec("B", cond, key="k", priority="medium", score=90)],
    )
    merged = eng.evaluate_facts({"stage": "installation"}, "x").recommendations
    assert [(r.rule_ids, r.priority, r.score) for r in merged] == [(("A", "B"), "high", 90)]


def test_compact_json_is_exactly_json_dumps_of_the_dict(shipped_engine: Engine) -> None:
    import json

    from tests.conftest import CASES

    for path in sorted(CASES.glob("*.yaml")) + [GAP]:
        for _ in range(2):  # the second time, from shared cached pieces
            result = shipped_engine.evaluate(load_case(path))
            assert result.to_json() == json.dumps(result.to_dict(), ensure_ascii=False, separators=(",", ":"))
