"""Correctness holes from the engine review (issue 13, sections 2-4), each with a test that failed before."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from engine import RuleError, load_rulebase
from engine.authoring.lint import lint
from engine.evaluation.runner import Engine
from engine.model.vocabulary import CFIR_IDS
from tests.helpers import engine_for, rec, write_pack

# ------------------------------------------------------------------ null operands


@pytest.mark.parametrize(
    "test",
    [
        {"fact": "stage", "equals": None},
        {"fact": "stage", "not_equals": None},
        {"fact": "stage", "lt": None},
        {"fact": "stage", "exists": None},
    ],
)
def test_a_null_operand_is_refused_at_load_with_its_location(tmp_path: Path, test: dict) -> None:
    folder = write_pack(
        tmp_path,
        [
            rec("R-OK", {"fact": "stage", "exists": True}),
            rec("R-NULL", {"all": [{"fact": "site", "exists": True}, test]}),
        ],
    )
    with pytest.raises(RuleError) as info:
        load_rulebase([folder], shipped=False)
    text = info.value.render()
    op = next(k for k in test if k != "fact")
    assert f"'{op}' has no value" in text and "rule R-NULL" in text and "t.yaml:" in text
    assert "R-OK" not in text
    findings = [f for f in lint([folder], shipped=False) if f.severity == "error"]
    assert [f.rule_id for f in findings] == ["R-NULL"] and "has no value" in findings[0].message


# ------------------------------------------------------------------ results hand out fresh data


def test_editing_one_results_data_never_changes_a_later_result(shipped_engine: Engine) -> None:
    facts = {"stage": "installation", "relationships.trust": "low", "cfir.inner_setting.culture": -2}
    first = shipped_engine.evaluate_facts(facts, "a")
    expected = first.to_json()
    data = first.to_dict()
    data["engine"]["rulesets"].append("tampered")
    data["recommendations"][0]["actions"].append("tampered")
    data["recommendations"][0]["explanation"][0]["condition"]["tampered"] = True
    rec_data = first.recommendations[0].to_dict()  # the per-recommendation view, shared across cases
    rec_data["actions"].append("tampered")
    rec_data["explanation"][0]["rule_id"] = "tampered"
    first.recommendations[0].explanation[0].to_dict()["rule_id"] = "tampered"
    first.engine["rulesets"].append("tampered")
    second = shipped_engine.evaluate_facts(facts, "a")
    assert second.to_json() == expected
    assert "tampered" not in json.dumps(second.to_dict())
    assert json.loads(second.to_json()) == second.to_dict()


# ------------------------------------------------------------------ numbers durable_rules mishandles


@pytest.mark.parametrize("value", [1e-300, 1e300, 1e-7, float("inf"), float("nan"), 2**60, -(2**60)])
def test_a_derived_number_durable_rules_mishandles_is_refused_and_lint_agrees(tmp_path: Path, value: float) -> None:
    rules = [
        {"id": "D1", "when": {"fact": "stage", "exists": True}, "derive": {"score_x": value}},
        rec("R1", {"fact": "derived.score_x", "equals": value}),
    ]
    (tmp_path / "p").mkdir()
    folder = write_pack(tmp_path / "p", rules)
    with pytest.raises(RuleError) as info:
        load_rulebase([folder], shipped=False)
    text = info.value.render()
    assert "rule D1" in text and "rule R1" in text
    errors = [f for f in lint([folder], shipped=False) if f.severity == "error"]
    assert {f.rule_id for f in errors} == {"D1", "R1"}
    assert {f.code for f in errors} <= {"bad_number", "bad_value"}


def test_ordinary_derived_numbers_still_load_and_fire(tmp_path: Path) -> None:
    rules = [
        {"id": "D1", "when": {"fact": "stage", "exists": True}, "derive": {"weight": 0.25}},
        {"id": "D2", "when": {"fact": "stage", "exists": True}, "derive": {"count": 123456789}},
        rec(
            "R1", {"all": [{"fact": "derived.weight", "equals": 0.25}, {"fact": "derived.count", "equals": 123456789}]}
        ),
    ]
    eng = engine_for(tmp_path, rules)
    assert "R1" in eng.fire({"stage": "installation"}).fired


def test_rules_show_json_never_prints_nan(tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    from cli import main

    rules = [{"id": "D1", "when": {"fact": "stage", "exists": True}, "derive": {"x": float("nan")}}]
    folder = write_pack(tmp_path, rules)
    result = runner.invoke(main, ["rules", "show", "D1", "--format", "json", "--rules", str(folder), "--no-shipped"])
    assert "NaN" not in result.output
    assert result.exit_code == 2 and "not a number a rule can use" in result.output


# ------------------------------------------------------------------ the reserved prefix


@pytest.mark.parametrize("rule_id", ["isp__prime", "ISP__case", "isp__mine"])
def test_rule_ids_in_the_engines_namespace_are_refused(tmp_path: Path, rule_id: str) -> None:
    folder = write_pack(tmp_path, [rec(rule_id, {"fact": "stage", "exists": True})])
    with pytest.raises(RuleError) as info:
        load_rulebase([folder], shipped=False)
    assert "reserved prefix 'isp__'" in info.value.render()
    assert any("reserved prefix" in f.message for f in lint([folder], shipped=False))


# ------------------------------------------------------------------ lint reports what durable_rules cannot hold


def test_lint_reports_durable_rules_limits_by_rule_and_limit(tmp_path: Path) -> None:
    pytest.importorskip("durable_rules_engine")
    anys = [
        {"any": [{"fact": f"cfir.innovation.{c}", "lte": -1}, {"fact": f"cfir.innovation.{c}", "equals": "mixed"}]}
        for c in ("cost", "design", "complexity", "source", "trialability", "adaptability", "evidence_base")
    ]
    many = [{"fact": f"cfir.{c}", "exists": False} for c in list(CFIR_IDS)[:20]]
    folder = write_pack(
        tmp_path,
        [
            rec("R-OK", {"fact": "stage", "exists": True}),
            rec("R-PATHS", {"all": anys}),
            rec("R-TESTS", {"all": many}, title="Many tests"),
        ],
    )
    found = {f.rule_id: f for f in lint([folder], shipped=False) if f.code == "durable_limit"}
    assert set(found) == {"R-PATHS", "R-TESTS"}
    assert "64 alternative paths" in found["R-PATHS"].message and "128" in found["R-PATHS"].message
    assert found["R-TESTS"].severity == "warning" and "plain matcher" in found["R-TESTS"].message


def test_lint_reports_a_ruleset_too_large_for_durable_rules_once(tmp_path: Path) -> None:
    pytest.importorskip("durable_rules_engine")
    ids = list(CFIR_IDS)
    rules = [
        rec(
            f"R{i}",
            {
                "all": [
                    {"fact": f"cfir.{ids[i % 67]}", "equals": (i // 67) % 5 - 2},
                    {"fact": "scope.sites", "gte": 1 + i // 335},
                ]
            },
            title=f"T{i}",
        )
        for i in range(4_500)
    ]
    for part in range(3):  # each pack within the size limit of a file
        folder = write_pack(tmp_path, rules[part * 1_500 : (part + 1) * 1_500], name=f"t{part}")
    found = [f for f in lint([folder], shipped=False) if f.code == "durable_limit"]
    assert len(found) == 1 and "ERR_RULE_LIMIT_EXCEEDED" in found[0].message and "4499 more rules" in found[0].message


# ------------------------------------------------------------------ why-not is bounded


def test_why_not_on_a_rule_reading_many_facts_is_bounded(tmp_path: Path) -> None:
    from engine import case_from_data

    ids = list(CFIR_IDS)
    # needs three strong barriers at once: no change of one or two facts helps, so the search is exhausted
    cond = {
        "all": [{"any": [{"fact": f"cfir.{c}", "equals": 2} for c in ids[i::3]]} for i in range(3)]
        + [
            {"fact": "stage", "equals": "sustainment"},
            {"fact": "relationships.trust", "equals": "high"},
            {"fact": "engagement.level", "equals": "defer_to"},
        ]
    }
    eng = Engine(load_rulebase([write_pack(tmp_path, [rec("R-MANY", cond)])], shipped=False), "python")
    case = case_from_data({"case_id": "c", "site": "S", "innovation": "I", "stage": "exploration"})
    from engine.evaluation.explain import MAX_TRIALS

    calls = [0]
    evaluate = eng.fire_python

    def counted(facts: dict) -> object:
        calls[0] += 1
        return evaluate(facts)

    eng.fire_python = counted  # type: ignore[method-assign]
    started = time.perf_counter()
    answer = eng.why_not(case, "R-MANY")
    assert not answer.fired and answer.change is None
    assert calls[0] <= MAX_TRIALS  # unbounded, the search over pairs tried about 60,000 changes
    assert time.perf_counter() - started < 60  # generous: a hang guard, not a timing test


# ------------------------------------------------------------------ sources: http(s) links only, overrides warned


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,<script>x</script>",
        "JaVaScRiPt:x",
        "https://ok.example/a b",
        "ftp://example.org/x",
    ],
)
def test_a_source_url_that_is_not_http_is_refused_at_load_and_in_lint(tmp_path: Path, url: str) -> None:
    folder = write_pack(tmp_path, [rec("R1", {"fact": "stage", "exists": True})])
    (folder / "sources.yaml").write_text(
        yaml.safe_dump(
            {"sources": {"src": {"citation": "A test citation, long enough to pass validation.", "url": url}}}
        )
    )
    with pytest.raises(RuleError) as info:
        load_rulebase([folder], shipped=False)
    assert "not an http(s) address" in info.value.render()
    assert any("http(s)" in f.message for f in lint([folder], shipped=False) if f.severity == "error")


def test_a_local_source_overriding_a_shipped_key_is_warned_in_lint_and_rules_list(tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    from cli import main
    from engine.rulepacks.loader import shipped_rules_dir

    shipped_key = next(iter(yaml.safe_load((shipped_rules_dir() / "sources.yaml").read_text())["sources"]))
    folder = write_pack(tmp_path, [rec("LOCAL-1", {"fact": "stage", "exists": True})])
    (folder / "sources.yaml").write_text(
        yaml.safe_dump(
            {
                "sources": {
                    "src": {"citation": "A test citation, long enough to pass validation."},
                    shipped_key: {"citation": "A different citation under the shipped key."},
                }
            }
        )
    )
    found = [f for f in lint([folder]) if f.code == "source_override"]
    assert len(found) == 1 and shipped_key in found[0].message and found[0].severity == "warning"
    result = runner.invoke(main, ["rules", "list", "--rules", str(folder)])
    assert result.exit_code == 0
    assert f"redefines source '{shipped_key}'" in result.stderr
