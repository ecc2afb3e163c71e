"""Rule packs: every mistake a rule author can make is a located, hinted load error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine import RuleError, load_engine, load_rulebase
from tests.helpers import engine_for, rec, write_pack


def _load_error(tmp_path: Path, rules: list[dict[str, Any]], **extra: Any) -> str:
    with pytest.raises(RuleError) as info:
        engine_for(tmp_path, rules, **extra)
    return info.value.render()


@pytest.mark.parametrize(
    ("rule", "fragments"),
    [
        (
            rec("R1", {"fact": "power.diferential", "equals": "high"}),
            ["rule R1", "unknown fact path 'power.diferential'", "did you mean 'power.differential'"],
        ),
        (
            rec("R1", {"fact": "power.differential", "equals": "hihg"}),
            ["'hihg' is not a value of power.differential", "did you mean 'high'", "allowed: low, moderate, high"],
        ),
        (
            rec("R1", {"fact": "challenge.type", "lt": "adaptive"}),
            ["operator 'lt' does not apply to challenge.type", "use one of: equals"],
        ),
        (rec("R1", {"fact": "notes", "equals": "x"}), ["operator 'equals' does not apply to notes"]),
        (rec("R1", {"fact": "cfir.innovation.cost", "lte": "mixed"}), ["'lte' needs a number", "equals: mixed"]),
        (rec("R1", {"fact": "cfir.innovation.cost", "equals": 5}), ["5 is not a value of cfir.innovation.cost"]),
        (rec("R1", {"fact": "leadership.transition", "equals": "yes please"}), ["allowed: true, false"]),
        (
            rec("R1", {"fact": "stage", "equals": "installation", "lt": "sustainment"}),
            ["exactly one operator", "found: equals, lt"],
        ),
        (rec("R1", {"fact": "stage"}), ["exactly one operator (found: none)"]),
        (
            rec("R1", {"fact": "stage", "equals": "installation"}, tags={"eric_strategy": ["facilitate"]}),
            ["unknown eric_strategy id 'facilitate'", "did you mean 'facilitation'"],
        ),
        (rec("R1", {"fact": "stage", "equals": "installation"}, tags={"colour": ["red"]}), ["unknown key 'colour'"]),
        (
            rec("R1", {"fact": "stage", "equals": "installation"}, sources=["nobody-2020"]),
            ["unknown source key 'nobody-2020'", "rules/sources.yaml"],
        ),
        (
            rec("R1", {"fact": "stage", "equals": "installation"}, category="equitty"),
            ["'equitty' is not allowed", "did you mean 'equity'"],
        ),
        (rec("R1", {"fact": "stage", "equals": "installation"}, priority="urgent"), ["allowed: high, medium, low"]),
        (
            rec("R1", {"fact": "engagement.level", "lt": "power.differential"}),
            ["cannot compare engagement.level with fact power.differential"],
        ),
        ({"id": "R1", "when": {"fact": "stage", "exists": True}}, ["exactly one of 'recommend' or 'derive'"]),
        (
            {
                "id": "R1",
                "title": "t",
                "category": "equity",
                "when": {"fact": "stage", "exists": True},
                "recommend": {"actions": ["a"]},
            },
            ["needs rationale, sources"],
        ),
        (
            {"id": "R1", "when": {"fact": "stage", "exists": True}, "derive": {"Bad Name": True}},
            ["derived fact name 'Bad Name'"],
        ),
        (rec("1bad", {"fact": "stage", "exists": True}), ["rule id '1bad' is not allowed"]),
        (rec("R1", {"all": []}), ["at least 1 item"]),
        (rec("R1", {"fact": "stage", "equals": "installation"}, actions=[]), ["at least 1 item"]),
    ],
)
def test_rule_mistakes_are_reported(tmp_path: Path, rule: dict[str, Any], fragments: list[str]) -> None:
    message = _load_error(tmp_path, [rule])
    for fragment in fragments:
        assert fragment in message, message
    assert "t.yaml:" in message  # file and line


def test_every_problem_in_every_pack_is_reported_at_once(tmp_path: Path) -> None:
    message = _load_error(
        tmp_path,
        [
            rec("R1", {"fact": "power.diferential", "equals": "high"}),
            rec("R2", {"fact": "stage", "equals": "instalation"}),
            rec("R3", {"fact": "stage", "equals": "installation"}, sources=["nope"]),
        ],
    )
    assert [line.split("rule ")[1][:2] for line in message.splitlines()] == ["R1", "R2", "R3"]


def test_duplicate_ids_across_packs(tmp_path: Path) -> None:
    a = write_pack(tmp_path / "a", [rec("R1", {"fact": "stage", "exists": True})], name="a")
    b = write_pack(tmp_path / "b", [rec("R1", {"fact": "stage", "exists": True})], name="b", sources=False)
    with pytest.raises(RuleError) as info:
        load_rulebase([a, b], shipped=False)
    assert "duplicate rule id; already defined in" in info.value.render()
    assert "overrides: true" in info.value.render()


def test_local_pack_overrides_and_disables_shipped_rules(tmp_path: Path) -> None:
    a = write_pack(
        tmp_path / "a",
        [
            rec("R1", {"fact": "stage", "exists": True}, title="Old"),
            rec("R2", {"fact": "stage", "exists": True}, title="Two"),
        ],
        name="a",
    )
    b = write_pack(
        tmp_path / "b",
        [rec("R1", {"fact": "stage", "exists": True}, title="New", overrides=True)],
        name="b",
        sources=False,
        disable=["R2"],
    )
    base = load_rulebase([a, b], shipped=False)
    assert [r.id for r in base.rules] == ["R1"]
    assert base.rule("R1").title == "New" and base.rule("R1").overrides.startswith("a (")
    assert base.disabled == {"R2": "b"}


def test_override_without_target_and_disable_of_unknown(tmp_path: Path) -> None:
    a = write_pack(tmp_path / "a", [rec("R1", {"fact": "stage", "exists": True}, overrides=True)], disable=["RX"])
    with pytest.raises(RuleError) as info:
        load_rulebase([a], shipped=False)
    text = info.value.render()
    assert "no earlier pack has this id" in text and "cannot disable unknown rule 'RX'" in text


def test_derivation_cycle_is_refused(tmp_path: Path) -> None:
    message = _load_error(
        tmp_path,
        [
            {"id": "DA", "when": {"fact": "derived.b", "equals": True}, "derive": {"a": True}},
            {"id": "DB", "when": {"fact": "derived.a", "equals": True}, "derive": {"b": True}},
        ],
    )
    assert "derivation cycle: DA -> DB -> DA" in message


def test_derived_fact_types_must_agree(tmp_path: Path) -> None:
    message = _load_error(
        tmp_path,
        [
            {"id": "DA", "when": {"fact": "stage", "exists": True}, "derive": {"level": "wide"}},
            {"id": "DB", "when": {"fact": "stage", "exists": False}, "derive": {"level": 3}},
            rec("R1", {"fact": "derived.level", "equals": True}),
        ],
    )
    assert "set to values of different types" in message
    assert "compares derived.level with True" in message


def test_decision_table_rows_become_rules(tmp_path: Path) -> None:
    table = {
        "table": "t1",
        "vars": ["c"],
        "category": "implementation_strategy",
        "sources": ["src"],
        "when": {"fact": "cfir.$c", "lte": -1},
        "rows": [
            {
                "id": "T-A",
                "c": "innovation.cost",
                "title": "Cost of $c",
                "actions": ["Act on $c"],
                "rationale": "r",
                "score": 30,
            },
            {"id": "T-B", "c": "innovation.design", "title": "Design", "actions": ["x"], "rationale": "r"},
        ],
    }
    eng = engine_for(tmp_path, [], tables=[table])
    a = eng.by_id["T-A"]
    assert a.title == "Cost of innovation.cost" and a.actions == ("Act on innovation.cost",) and a.table == "t1"
    assert eng.fire({"cfir.innovation.design": -2}).fired == ("T-B",)


def test_decision_table_mistakes(tmp_path: Path) -> None:
    table = {
        "table": "t1",
        "vars": ["c"],
        "category": "equity",
        "sources": ["src"],
        "when": {"fact": "cfir.$c", "lte": "$level"},
        "rows": [{"id": "T-A", "title": "x", "actions": ["x"], "rationale": "r"}],
    }
    message = _load_error(tmp_path, [], tables=[table])
    assert "template uses $level, which is not in 'vars'" in message
    assert "row lacks the table column(s) c" in message


def test_missing_rules_folder(tmp_path: Path) -> None:
    with pytest.raises(RuleError) as info:
        load_engine([tmp_path / "nowhere"], shipped=False)
    assert "rule folder not found" in info.value.render()


def test_broken_yaml_in_a_pack(tmp_path: Path) -> None:
    write_pack(tmp_path, [])
    (tmp_path / "bad.yaml").write_text("ruleset: x\nversion: 1.0.0\nrules: [\n")
    with pytest.raises(RuleError) as info:
        load_engine([tmp_path], shipped=False)
    assert "bad.yaml:" in info.value.render() and "invalid YAML" in info.value.render()


def test_bad_version_and_unknown_pack_key(tmp_path: Path) -> None:
    write_pack(tmp_path, [], version_note="x")
    (tmp_path / "v.yaml").write_text("ruleset: v\nversion: one\nrules: []\n")
    with pytest.raises(RuleError) as info:
        load_engine([tmp_path], shipped=False)
    text = info.value.render()
    assert "not a semantic version" in text and "unknown key 'version_note'" in text
