"""engine.authoring.unstated through `lint`: a yes/no fact's "not stated" is never read like "no".

Each flagged pattern is a small pack in a tmp dir, linted without the shipped packs; then the same
pack with `unstated_ok` or with a rule that handles the unstated value, and the shipped packs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.authoring.lint import lint
from engine.authoring.unstated import case_boolean
from engine.model.checks import Finding
from tests.helpers import rec, write_pack

CODES = ("unstated_as_no", "unstated_unhandled")
ASK = {"fact": "leadership.transition", "exists": False}


def unstated(folder: Path, rules: list[dict[str, Any]]) -> list[Finding]:
    write_pack(folder, rules)
    return [f for f in lint([folder], shipped=False) if f.code in CODES]


def found(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return sorted((f.code, f.severity, f.rule_id) for f in findings)


@pytest.mark.parametrize(
    "when",
    [
        {"not": {"fact": "leadership.transition", "equals": True}},
        {"not": {"fact": "leadership.transition", "not_equals": False}},
        {
            "all": [
                {"fact": "stage", "equals": "installation"},
                {
                    "not": {
                        "any": [
                            {"fact": "relationships.trust", "equals": "low"},
                            {"fact": "leadership.transition", "equals": True},
                        ]
                    }
                },
            ]
        },
    ],
)
def test_a_test_that_holds_when_the_fact_is_not_stated_is_unstated_as_no(tmp_path: Path, when: Any) -> None:
    findings = unstated(tmp_path, [rec("READS-NO", when), rec("ASK", ASK)])
    assert found(findings) == [("unstated_as_no", "error", "READS-NO")]
    [f] = findings
    assert f.file.endswith("t.yaml") and f.line > 0 and f.field == "when"
    assert "leadership.transition" in f.message and "not stated" in f.message
    assert "Title of READS-NO" in f.message  # says what the rule does with the unstated value
    assert "equals: false" in f.hint and "exists: false" in f.hint and "unstated_ok" in f.hint
    assert f.render().startswith(f"{f.file}:{f.line}: error: unstated_as_no: rule READS-NO: ")


def test_a_derive_rule_is_checked_too_and_the_message_names_what_it_derives(tmp_path: Path) -> None:
    derive = {
        "id": "D-NO-TRANSITION",
        "when": {"not": {"fact": "leadership.transition", "equals": True}},
        "derive": {"steady": True},
    }
    findings = unstated(tmp_path, [derive, rec("USES", {"fact": "derived.steady", "equals": True}), rec("ASK", ASK)])
    assert found(findings) == [("unstated_as_no", "error", "D-NO-TRANSITION")]
    assert "derives steady: true" in findings[0].message


def test_not_equals_true_reads_as_no_and_is_flagged_with_its_unhandled_unstated_value(tmp_path: Path) -> None:
    rule = rec("NOT-TRUE", {"fact": "equity.disparities_identified", "not_equals": True})
    assert found(unstated(tmp_path, [rule])) == [
        ("unstated_as_no", "error", "NOT-TRUE"),
        ("unstated_unhandled", "error", "NOT-TRUE"),
    ]


def test_equals_false_without_a_rule_for_the_unstated_value_is_unstated_unhandled(tmp_path: Path) -> None:
    findings = unstated(tmp_path, [rec("SAYS-NO", {"fact": "leadership.emerging_leaders", "equals": False})])
    assert found(findings) == [("unstated_unhandled", "error", "SAYS-NO")]
    assert "leadership.emerging_leaders" in findings[0].message
    assert "exists: false" in findings[0].hint and "UNKNOWN" in findings[0].hint


@pytest.mark.parametrize(
    "ask",
    [
        {"fact": "leadership.emerging_leaders", "exists": False},
        {"not": {"fact": "leadership.emerging_leaders", "exists": True}},
        {"all": [{"fact": "stage", "exists": True}, {"fact": "leadership.emerging_leaders", "exists": False}]},
    ],
)
def test_a_rule_that_handles_the_unstated_value_anywhere_in_its_condition_clears_it(tmp_path: Path, ask: Any) -> None:
    rules = [rec("SAYS-NO", {"fact": "leadership.emerging_leaders", "equals": False}), rec("ASK", ask)]
    assert unstated(tmp_path, rules) == []


def test_a_rule_asking_about_another_fact_does_not_clear_it(tmp_path: Path) -> None:
    rules = [
        rec("SAYS-NO", {"fact": "leadership.emerging_leaders", "equals": False}),
        rec("ASK-OTHER", {"fact": "leadership.transition", "exists": False}),
    ]
    assert found(unstated(tmp_path, rules)) == [("unstated_unhandled", "error", "SAYS-NO")]


def test_a_deriving_rule_handling_the_unstated_value_counts(tmp_path: Path) -> None:
    rules = [
        rec("SAYS-NO", {"fact": "leadership.emerging_leaders", "equals": False}),
        {
            "id": "D-UNKNOWN",
            "when": {"fact": "leadership.emerging_leaders", "exists": False},
            "derive": {"leaders_unknown": True},
        },
        rec("USES", {"fact": "derived.leaders_unknown", "equals": True}),
    ]
    assert unstated(tmp_path, rules) == []


@pytest.mark.parametrize(
    "when",
    [
        {"not": {"fact": "leadership.transition", "equals": True}},
        {"fact": "equity.disparities_identified", "not_equals": True},
        {"fact": "leadership.emerging_leaders", "equals": False},
    ],
)
def test_unstated_ok_with_a_reason_silences_both(tmp_path: Path, when: Any) -> None:
    reason = {"reason": "The advice is the same whether the case says no or says nothing."}
    assert unstated(tmp_path, [rec("EXCUSED", when, unstated_ok=reason)]) == []
    # and without it the same rule is flagged (so the silence above is the reason's doing)
    assert unstated(tmp_path / "without", [rec("EXCUSED", when)]) != []


def test_unstated_ok_needs_a_real_reason(tmp_path: Path) -> None:
    write_pack(
        tmp_path, [rec("SHORT", {"fact": "leadership.emerging_leaders", "equals": False}, unstated_ok={"reason": "ok"})]
    )
    assert "schema" in {f.code for f in lint([tmp_path], shipped=False)}


@pytest.mark.parametrize(
    "when",
    [
        {"fact": "leadership.transition", "equals": True},
        {"fact": "leadership.transition", "not_equals": False},
        {"not": {"fact": "leadership.transition", "equals": False}},  # holds on unstated, but also on true
        {"not": {"fact": "leadership.transition", "not_equals": True}},
        {"fact": "leadership.transition", "exists": False},
        {
            "any": [
                {"fact": "leadership.transition", "equals": False},
                {"fact": "leadership.transition", "exists": False},
            ]
        },
        {"not": {"fact": "relationships.trust", "equals": "low"}},  # not a yes/no fact
        {"not": {"fact": "derived.divergent.relationships.trust", "equals": True}},  # computed by the engine
        {"not": {"fact": "problem.staff_turnover", "equals": True}},  # can only be true
    ],
)
def test_what_is_not_flagged(tmp_path: Path, when: Any) -> None:
    assert unstated(tmp_path, [rec("FINE", when)]) == []


def test_which_facts_are_case_booleans() -> None:
    for path in (
        "leadership.transition",
        "leadership.emerging_leaders",
        "equity.disparities_identified",
        "equity.structural_racism_acknowledged",
        "equity.community_defined_evidence",
        "equity.tribal_sovereignty",
    ):
        assert case_boolean(path), path
    for path in ("problem.staff_turnover", "derived.divergent.any", "derived.x", "stage", "relationships.trust"):
        assert not case_boolean(path), path


def test_the_shipped_packs_never_read_not_stated_as_no() -> None:
    findings = [f for f in lint() if f.code in CODES]
    assert findings == [], "\n".join(f.render() for f in findings)


def test_the_shipped_packs_ask_before_stepping_down_when_a_transition_is_not_stated() -> None:
    from engine import case_from_data, load_engine

    eng = load_engine()
    high = {"intervention_specific": "high", "general": "high", "analytic": "high", "adaptive": "high"}

    def step_down(**extra: Any) -> Any:
        result = eng.evaluate(
            case_from_data({"case_id": "t", "stage": "full_implementation", "capacity": high, **extra})
        )
        return next((r for r in result.recommendations if r.rule_id == "TS-STEP-DOWN"), None)

    unstated_item = step_down()
    assert unstated_item is not None and unstated_item.title.startswith("Confirm leadership is stable")
    assert "leadership change is coming" in unstated_item.actions[0]
    stated_no = step_down(leadership={"transition": False})
    assert stated_no is not None and stated_no.title == "Step support down as the site's capacity grows"
    assert step_down(leadership={"transition": True}) is None
