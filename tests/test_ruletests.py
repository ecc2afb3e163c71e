"""engine.authoring.ruletests: rule tests kept next to the packs, run on the packs `recommend` would load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.authoring.ruletests import rule_test_files, run_rule_tests
from engine.errors import RuleError
from tests.conftest import FIXTURES


def basic_with_tests(tmp_path: Path, text: str) -> Path:
    """A copy of the fixture pack with one rule test file in its tests/ folder."""
    folder = tmp_path / "basic"
    shutil.copytree(FIXTURES / "basic", folder)
    (folder / "tests").mkdir()
    (folder / "tests" / "basic.yaml").write_text(text)
    return folder


PASSING = """\
tests:
  - name: wide gap
    case: {case_id: t1, engagement: {level: inform, target: collaborate},
           power: {differential: high, decision_making: solo_leader}}
    present:
      - EQ-SHARE-POWER
      - {rule: EQ-WIDE-GAP, priority: high}
      - {rule: D-GAP-WIDE}
      - {tag: "equity_element:build_trusting_relationships", priority: medium}
    absent: [FA-ADAPTIVE, {tag: "facilitation_mode:divergent"}]
  - name: case from a file
    case: ../../cases/gap.yaml
    present: [FA-ADAPTIVE, {rule: SM-COMPLEXITY-PROMOTE, priority: medium}]
"""


def test_passing_tests_pass(tmp_path: Path) -> None:
    folder = basic_with_tests(tmp_path, PASSING)
    (tmp_path / "cases").mkdir()
    shutil.copy(FIXTURES / "cases" / "gap.yaml", tmp_path / "cases" / "gap.yaml")
    # the relative path is resolved from the test file: basic/tests/ -> ../../cases/gap.yaml
    outcomes = run_rule_tests([folder], shipped=False)
    assert [(o.name, o.passed, o.failures) for o in outcomes] == [
        ("wide gap", True, ()),
        ("case from a file", True, ()),
    ]
    assert outcomes[0].line == 2


@pytest.mark.parametrize(
    "expectation, failure",
    [
        ("present: [FA-ADAPTIVE]", "expected rule FA-ADAPTIVE, but it did not fire"),
        (
            "present: [{rule: EQ-SHARE-POWER, priority: low}]",
            "expected rule EQ-SHARE-POWER with priority low, but it has priority high",
        ),
        (
            "present: [{tag: 'facilitation_mode:divergent'}]",
            "expected tag facilitation_mode:divergent, but no recommendation",
        ),
        ("absent: [EQ-SHARE-POWER]", "expected no rule EQ-SHARE-POWER, but it was recommended"),
        (
            "absent: [{tag: 'equity_element:dismantle_power_structures'}]",
            "expected no tag equity_element:dismantle_power_structures, but it was recommended",
        ),
    ],
)
def test_failing_expectations_say_what_happened(tmp_path: Path, expectation: str, failure: str) -> None:
    text = (
        "tests:\n  - name: t\n    case: {case_id: t1, power: {differential: high}, engagement: {level: consult}}\n"
        f"    {expectation}\n"
    )
    [outcome] = run_rule_tests([basic_with_tests(tmp_path, text)], shipped=False)
    assert not outcome.passed
    assert len(outcome.failures) == 1 and outcome.failures[0].startswith(failure)


@pytest.mark.parametrize(
    "body, line, field, fragment",
    [
        (
            "  - name: t\n    case: {case_id: t1}\n    present: [EQ-SHARE-POWR]\n",
            4,
            "tests[0].present[0]",
            "no rule 'EQ-SHARE-POWR' is loaded",
        ),
        (
            "  - name: t\n    case: {case_id: t1}\n    absent: [{tag: 'equity_element:nope'}]\n",
            4,
            "tests[0].absent[0]",
            "unknown tag 'equity_element:nope'",
        ),
        (
            "  - name: t\n    case: {case_id: t1, power: {diferential: high}}\n    absent: [FA-ADAPTIVE]\n",
            3,
            "tests[0].case.power.diferential",
            "unknown key 'diferential'",
        ),
        (
            "  - name: t\n    case: missing.yaml\n    absent: [FA-ADAPTIVE]\n",
            3,
            "tests[0].case",
            "case file missing.yaml",
        ),
        ("  - name: t\n    case: {case_id: t1}\n", 2, "tests[0]", "needs 'present' or 'absent'"),
        (
            "  - name: t\n    case: {case_id: t1}\n    present: [{rule: X, tag: 'a:b'}]\n",
            4,
            "tests[0].present[0]",
            "exactly one of 'rule' or 'tag'",
        ),
    ],
)
def test_bad_test_files_are_located_errors(tmp_path: Path, body: str, line: int, field: str, fragment: str) -> None:
    with pytest.raises(RuleError) as exc:
        run_rule_tests([basic_with_tests(tmp_path, "tests:\n" + body)], shipped=False)
    problem = exc.value.problems[0]
    assert problem.file.endswith("tests/basic.yaml")
    assert (problem.line, problem.field) == (line, field)
    assert fragment in problem.message


def test_files_are_found_next_to_each_loaded_folder(tmp_path: Path) -> None:
    folder = basic_with_tests(tmp_path, PASSING)
    assert rule_test_files([folder], shipped=False) == [folder / "tests" / "basic.yaml"]
    shipped = rule_test_files()
    assert {p.stem for p in shipped} >= {
        "equity",
        "facilitation",
        "tailored_support",
        "capacity_building",
        "assessment",
        "strategy_matching",
    }


def test_every_shipped_pack_has_a_test_file() -> None:
    from engine.rulepacks.loader import load_rulebase

    packs = {p.name for p in load_rulebase().packs}
    assert packs <= {p.stem for p in rule_test_files()}


def test_shipped_rule_tests_pass() -> None:
    """CI runs the shipped packs' rule tests (rules/tests/*.yaml) here."""
    outcomes = run_rule_tests()
    assert len(outcomes) >= 6
    failed = [f"{o.file}:{o.line}: {o.name}: {'; '.join(o.failures)}" for o in outcomes if not o.passed]
    assert not failed, "\n".join(failed)


def test_with_a_local_folder_its_results_come_first_then_one_line_for_the_shipped(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli import main
    from tests.helpers import rec, write_pack

    folder = write_pack(
        tmp_path / "mine",
        [rec("MINE-LOW-TRUST", {"fact": "relationships.trust", "equals": "low"}, sources=["metz-woo-loper-2021"])],
        name="mine",
        sources=False,
    )
    (folder / "tests").mkdir()
    (folder / "tests" / "mine.yaml").write_text(
        "tests:\n"
        "  - name: low trust\n    case: {case_id: a, relationships: {trust: low}}\n    present: [MINE-LOW-TRUST]\n"
        "  - name: high trust\n    case: {case_id: b, relationships: {trust: high}}\n    present: [MINE-LOW-TRUST]\n"
    )
    res = CliRunner().invoke(main, ["rules", "test", "--rules", str(folder)])
    assert res.exit_code == 1, res.output
    lines = res.output.splitlines()
    shipped = len(run_rule_tests())
    assert lines[0].startswith("PASS ") and lines[0].endswith("mine.yaml:2: low trust")
    assert lines[1].startswith("FAIL ") and lines[1].endswith("mine.yaml:5: high trust")
    assert lines[2] == "     - expected rule MINE-LOW-TRUST, but it did not fire"
    assert lines[3] == "1 passed, 1 failed"
    assert lines[4] == f"shipped packs' tests: {shipped} passed, 0 failed"
    assert len(lines) == 5  # the passing shipped tests are not listed one by one
    data = __import__("json").loads(
        CliRunner().invoke(main, ["rules", "test", "--rules", str(folder), "-f", "json"]).output
    )
    assert [t["shipped"] for t in data["tests"]].count(False) == 2


def test_without_a_local_folder_every_shipped_test_is_listed() -> None:
    from engine.render.authoringreport import outcomes_text

    outcomes = run_rule_tests()
    assert all(o.shipped for o in outcomes)
    lines = outcomes_text(outcomes).splitlines()
    assert len(lines) == len(outcomes) + 1 and lines[-1] == f"{len(outcomes)} passed, 0 failed"


def test_a_shipped_test_your_folder_breaks_is_spelled_out(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli import main
    from tests.helpers import rec, write_pack

    override = rec(
        "AS-CRITICAL-INCIDENT",
        {"fact": "cfir.outer_setting.critical_incidents", "lte": -1},
        category="implementation_strategy",
        priority="low",
        overrides=True,
        sources=["metz-woo-loper-2021"],
    )
    folder = write_pack(tmp_path / "mine", [override], name="mine", sources=False)
    res = CliRunner().invoke(main, ["rules", "test", "--rules", str(folder)])
    assert res.exit_code == 1, res.output
    lines = res.output.splitlines()
    assert lines[0] == "no rule tests in your folders (put them in DIR/tests/*.yaml)"
    summary = next(i for i, line in enumerate(lines) if line.startswith("shipped packs' tests: "))
    assert lines[summary].endswith(" passed, 2 failed")  # the two shipped tests that expect it at high priority
    assert lines[summary + 1].startswith("FAIL ") and "a critical incident is flagged" in lines[summary + 1]
    assert "expected rule AS-CRITICAL-INCIDENT with priority high" in lines[summary + 2]
