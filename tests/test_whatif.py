"""What-if: typed PATH=VALUE changes, validated like a case file, diffed by what is recommended."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import FIXTURES

from cli import main
from engine import CaseError, UsageError, load_case, load_engine
from engine.practitioner.whatif import apply, parse_assignment, whatif

CASE = FIXTURES / "cases" / "gap.yaml"
RULES = ["--rules", str(FIXTURES / "practitioner")]


@pytest.fixture(scope="module")
def engine() -> Any:
    return load_engine([FIXTURES / "practitioner"], shipped=False)


@pytest.mark.parametrize(
    "text, path, value",
    [
        ("engagement.level=collaborate", "engagement.level", "collaborate"),
        ("cfir.innovation.complexity=+1", "cfir.innovation.complexity", 1),
        ("cfir.innovation.complexity=mixed", "cfir.innovation.complexity", "mixed"),
        ("leadership.transition=yes", "leadership.transition", True),
        ("leadership.transition=false", "leadership.transition", False),
        ("equity.priority_populations=a; b", "equity.priority_populations", ["a", "b"]),
        ("stage=", "stage", None),
        (" site = Another clinic", "site", "Another clinic"),
    ],
)
def test_values_are_typed_by_the_case_contract(text: str, path: str, value: Any) -> None:
    a = parse_assignment(text)
    assert (a.path, a.value) == (path, value)


def test_moving_up_the_spectrum_adds_and_removes(engine: Any) -> None:
    d = whatif(engine, load_case(CASE), ["engagement.level=collaborate"])
    assert [r.rule_id for r in d.added] == ["PX-CO-DESIGN"]
    assert {r.rule_id for r in d.removed} == {"PX-SHARE-POWER", "PX-CLOSE-GAP"}
    assert d.changed == ()
    assert d.unchanged == 1  # PX-ADAPTIVE stays


def test_removing_a_fact_and_no_change(engine: Any) -> None:
    case = load_case(CASE)
    d = whatif(engine, case, ["challenge.type="])
    assert [r.rule_id for r in d.removed] == ["PX-ADAPTIVE"] and d.added == ()
    same = whatif(engine, case, ["engagement.level=inform"])
    assert same.added == same.removed == same.changed == ()
    assert same.unchanged == len(same.before.recommendations)


def test_the_original_case_is_not_modified(engine: Any) -> None:
    case = load_case(CASE)
    before = case.model_dump()
    apply(case, [parse_assignment("engagement.level=defer_to")])
    assert case.model_dump() == before


@pytest.mark.parametrize(
    "settings, error, fragments",
    [
        (
            ["engagement.level=colaborate"],
            CaseError,
            [
                "--set: engagement.level: 'colaborate' is not allowed",
                "did you mean 'collaborate'?",
                "allowed: ignore, inform",
            ],
        ),
        (["cfir.innovation.complexity=5"], CaseError, ["rating 5 is out of range"]),
        (["leadership.transition=maybe"], CaseError, ["leadership.transition", "use true or false"]),
        (["engagment.level=consult"], UsageError, ["unknown fact path", "did you mean 'engagement.level'?"]),
        (["derived.px_gap=true"], UsageError, ["derived by the rules"]),
        (["stage"], UsageError, ["is not PATH=VALUE"]),
        ([], UsageError, ["nothing to change"]),
        (["engagment.level=x", "stag=y"], UsageError, ["engagment.level", "stag"]),  # all at once
        (["stage=instal", "power.differential=huge"], CaseError, ["stage", "power.differential"]),
    ],
)
def test_bad_changes_are_reported_like_bad_case_files(
    engine: Any, settings: list[str], error: type, fragments: list[str]
) -> None:
    with pytest.raises(error) as exc:
        whatif(engine, load_case(CASE), settings)
    for f in fragments:
        assert f in str(exc.value)


def test_cli_table_and_json(runner: Any) -> None:
    # the fixture pack alone, so the shipped knowledge base can change without moving this test
    res = runner.invoke(main, ["whatif", str(CASE), "--set", "engagement.level=collaborate", *RULES, "--no-shipped"])
    assert res.exit_code == 0, res.output
    assert "+ added" in res.output and "Co-design the next phase" in res.output
    assert "- removed" in res.output and "Share decision-making" in res.output
    res = runner.invoke(
        main, ["whatif", str(CASE), "--set", "engagement.level=collaborate", "-f", "json", *RULES, "--no-shipped"]
    )
    data = json.loads(res.output)
    assert [a["rule_id"] for a in data["added"]] == ["PX-CO-DESIGN"]
    assert data["changes"] == [{"fact": "engagement.level", "value": "collaborate"}]


def test_cli_bad_set_exits_2_without_traceback(runner: Any) -> None:
    res = runner.invoke(main, ["whatif", str(CASE), "--set", "engagement.level=colaborate", *RULES])
    assert res.exit_code == 2
    assert "did you mean 'collaborate'?" in res.output and "Traceback" not in res.output


SHIPPED = sorted((FIXTURES.parent.parent / "cases").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_whatif_on_shipped_cases_accounts_for_every_recommendation(path: Any, shipped_engine: Any) -> None:
    d = whatif(shipped_engine, load_case(path), ["engagement.level=collaborate", "relationships.trust=high"])
    assert len(d.before.recommendations) == len(d.removed) + len(d.changed) + d.unchanged
    assert len(d.after.recommendations) == len(d.added) + len(d.changed) + d.unchanged


@pytest.mark.parametrize(
    "text, value",
    [
        ("leadership.transition=1", True),
        ("leadership.transition=0", False),
        ("leadership.transition=Y", True),
        ("cfir.innovation.complexity=M", "mixed"),
    ],
)
def test_bool_and_rating_words_are_read_as_the_interview_reads_them(text: str, value: Any) -> None:
    assert parse_assignment(text).value == value


def test_set_transition_1_means_true(engine: Any) -> None:
    changed = apply(load_case(CASE), [parse_assignment("leadership.transition=1")])
    assert changed.leadership is not None and changed.leadership.transition is True


@pytest.mark.parametrize(
    "path, text, value",
    [
        ("leadership.transition", "yes", True),
        ("leadership.transition", "true", True),
        ("leadership.transition", "1", True),
        ("leadership.transition", "n", False),
        ("leadership.transition", "false", False),
        ("leadership.transition", "0", False),
        ("leadership.transition", "maybe", "maybe"),  # left for the case model to refuse
        ("cfir.innovation.cost", " +2 ", 2),
        ("cfir.innovation.cost", "-1", -1),
        ("cfir.innovation.cost", "7", 7),  # out of range: the model says so
        ("cfir.innovation.cost", "mixed", "mixed"),
        ("cfir.innovation.cost", "1.5", "1.5"),
        ("stage", "installation", "installation"),
        ("setting", "health_care", "health_care"),
        ("site", "Clinic; north", "Clinic; north"),
        ("equity.priority_populations", "a;b; ;c", ["a", "b", "c"]),
        ("equity.priority_populations", "", []),
    ],
)
def test_parse_value_reads_each_kind(path: str, text: str, value: Any) -> None:
    from engine.model.facts import parse_value

    assert parse_value(path, text) == value
    assert type(parse_value(path, text)) is type(value)


def test_whatif_does_not_load_the_interview() -> None:
    import subprocess
    import sys

    code = "import sys, engine.practitioner.whatif; print('engine.practitioner.interview' in sys.modules, 'engine.practitioner.glossary' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=FIXTURES.parent.parent
    ).stdout
    assert out.split() == ["False", "False"]
