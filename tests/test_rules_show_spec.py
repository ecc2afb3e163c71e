"""`rules show` prints a rule's `specification:` (actor, target, dose, mechanism with its source), in text
and JSON, and says what the rule leaves to agree with the team (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import main
from tests.helpers import rec, write_pack

FULL = {
    "actor": "the ISP with the site lead",
    "target": "front-line staff at {site}",
    "dose": {"frequency": "weekly", "duration": "for 12 weeks"},
    "mechanism": "feedback on one's own practice prompts a change in it",
    "mechanism_source": "src",
}


def show(runner: CliRunner, tmp_path: Path, spec: dict[str, Any] | None, *fmt: str) -> Any:
    rule = rec("R-SPEC", {"fact": "stage", "exists": True}, **({"specification": spec} if spec is not None else {}))
    derive = {"id": "D-X", "when": {"fact": "stage", "exists": True}, "derive": {"x": True}}
    folder = write_pack(tmp_path / "pack", [rule, derive])
    res = runner.invoke(main, ["rules", "show", "R-SPEC", *fmt, "--no-shipped", "--rules", str(folder)])
    assert res.exit_code == 0, res.output
    return res.stdout


def test_text_shows_every_field_and_the_mechanisms_source(runner: CliRunner, tmp_path: Path) -> None:
    out = show(runner, tmp_path, FULL)
    block = out[out.index("  specification:\n") : out.index("  source:    [src]")].splitlines()
    assert block == [
        "  specification:",
        "    actor:     the ISP with the site lead",
        "    target:    front-line staff at {site}",
        "    dose:      frequency weekly; duration for 12 weeks",
        "    mechanism: feedback on one's own practice prompts a change in it",
        "               source: [src] A test citation, long enough to pass validation.",
    ]
    assert "to agree with the team" not in out  # everything is stated


def test_json_gives_the_specification_in_rule_file_form(runner: CliRunner, tmp_path: Path) -> None:
    data = json.loads(show(runner, tmp_path, FULL, "-f", "json"))
    assert data["specification"] == FULL


@pytest.mark.parametrize(
    ("spec", "stated", "left"),
    [
        ({"target": "the team"}, ["    target:    the team"], "actor, dose, mechanism"),
        (
            {"dose": {"duration": "one 45-minute session"}},
            ["    dose:      duration one 45-minute session"],
            "actor, target, mechanism",
        ),
        (
            {"actor": "community members", "dose": {"frequency": "monthly"}},
            ["    actor:     community members", "    dose:      frequency monthly"],
            "target, mechanism",
        ),
    ],
)
def test_what_a_rule_leaves_out_is_to_agree_with_the_team_never_filled(
    runner: CliRunner, tmp_path: Path, spec: dict[str, Any], stated: list[str], left: str
) -> None:
    out = show(runner, tmp_path, spec)
    lines = out.splitlines()
    start = lines.index("  specification:")
    assert lines[start + 1 : start + 1 + len(stated)] == stated
    assert lines[start + 1 + len(stated)] == f"    to agree with the team: {left}"
    data = json.loads(show(runner, tmp_path, spec, "-f", "json"))
    assert data["specification"] == spec  # only what the rule states, nothing invented


def test_a_rule_without_a_specification(runner: CliRunner, tmp_path: Path) -> None:
    out = show(runner, tmp_path, None)
    assert "  specification: none stated (actor, target, dose and mechanism: to agree with the team)" in out
    assert "specification" not in json.loads(show(runner, tmp_path, None, "-f", "json"))


def test_a_derivation_rule_has_no_specification_line(runner: CliRunner, tmp_path: Path) -> None:
    folder = write_pack(
        tmp_path / "pack", [{"id": "D-X", "when": {"fact": "stage", "exists": True}, "derive": {"x": True}}]
    )
    res = runner.invoke(main, ["rules", "show", "D-X", "--no-shipped", "--rules", str(folder)])
    assert res.exit_code == 0 and "specification" not in res.stdout


def test_a_shipped_mechanism_is_shown_with_its_citation(runner: CliRunner) -> None:
    from engine.rulepacks.loader import load_rulebase

    base = load_rulebase()
    rule = next((r for r in base.rules if "mechanism" in r.specification), None)
    if rule is None:
        pytest.skip("no shipped rule states a mechanism")
    res = runner.invoke(main, ["rules", "show", rule.id])
    key = rule.specification["mechanism_source"]
    assert res.exit_code == 0
    assert f"    mechanism: {rule.specification['mechanism']}\n" in res.stdout
    assert f"               source: [{key}] {base.sources[key].citation}\n" in res.stdout
    assert (
        json.loads(runner.invoke(main, ["rules", "show", rule.id, "-f", "json"]).stdout)["specification"][
            "mechanism_source"
        ]
        == key
    )
