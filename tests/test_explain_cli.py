"""explain and why-not on the command line: proofs, failing conditions, the smallest change."""

from __future__ import annotations

import json
from typing import Any

from conftest import FIXTURES

from cli import main
from engine import load_case, load_engine
from engine.render.whynot import render_why_not

CASE = str(FIXTURES / "cases" / "gap.yaml")
RULES = ["--rules", str(FIXTURES / "practitioner")]


def test_explain_shows_the_chain_down_to_case_facts(runner: Any) -> None:
    res = runner.invoke(main, ["explain", CASE, "PX-CLOSE-GAP", *RULES])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "PX-CLOSE-GAP (practitioner-fixture) fired:"
    assert "[+] derived.px_gap is true (derived: true)" in res.output
    assert "from PX-D-GAP (practitioner-fixture) fired, deriving px_gap=true" in res.output
    assert "engagement.level is below engagement.target (collaborate) (case: inform)" in res.output


def test_explain_json_is_the_proof(runner: Any) -> None:
    res = runner.invoke(main, ["explain", CASE, "PX-SHARE-POWER", "-f", "json", *RULES])
    data = json.loads(res.output)
    assert data["rule_id"] == "PX-SHARE-POWER" and data["fired"] is True
    facts = [c["fact"] for c in data["condition"]["children"] if "fact" in c]
    assert facts == ["power.differential", "engagement.level"]


def test_why_not_lists_failing_conditions_and_the_smallest_change(runner: Any) -> None:
    res = runner.invoke(main, ["why-not", CASE, "PX-ANALYTIC", *RULES])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "PX-ANALYTIC (practitioner-fixture) did not fire" in out
    assert "[-] capacity.analytic is low (missing: not stated)" in out
    assert "[-] cfir.process.reflecting_evaluating is at or below -1 (missing: not stated)" in out
    assert "set capacity.analytic to low" in out
    assert (
        f"try: isp-advisor whatif {CASE} --set capacity.analytic=low --set cfir.process.reflecting_evaluating=" in out
    )


def test_the_suggested_change_really_makes_the_rule_fire() -> None:
    engine = load_engine([FIXTURES / "practitioner"], shipped=False)
    case = load_case(CASE)
    answer = engine.why_not(case, "PX-CO-DESIGN")
    assert answer.change is not None and [(c.fact, c.value) for c in answer.change] == [
        ("engagement.level", "collaborate")
    ]
    from engine.practitioner.whatif import whatif

    d = whatif(engine, case, [f"{c.fact}={c.value}" for c in answer.change])
    assert "PX-CO-DESIGN" in [r.rule_id for r in d.added]


def test_why_not_on_a_rule_that_fired_says_so(runner: Any) -> None:
    res = runner.invoke(main, ["why-not", CASE, "PX-ADAPTIVE", *RULES])
    assert res.exit_code == 0
    assert res.output.startswith("PX-ADAPTIVE fired for this case")


def test_why_not_json(runner: Any) -> None:
    res = runner.invoke(main, ["why-not", CASE, "PX-CO-DESIGN", "-f", "json", *RULES])
    data = json.loads(res.output)
    assert data["fired"] is False
    assert data["smallest_change"] == [{"fact": "engagement.level", "value": "collaborate"}]
    assert data["failing_conditions"][0]["actual"] == "inform"


def test_when_no_small_change_helps_it_says_so() -> None:
    engine = load_engine([FIXTURES / "practitioner"], shipped=False)
    answer = engine.why_not(load_case(CASE), "PX-CO-DESIGN")
    text = render_why_not(answer.__class__(answer.rule_id, False, answer.proof, answer.failing, None), "c.yaml")
    assert "none found" in text


def test_unknown_rule_id_gets_did_you_mean(runner: Any) -> None:
    res = runner.invoke(main, ["why-not", CASE, "PX-ANALYTICS", *RULES])
    assert res.exit_code == 2
    assert "no rule 'PX-ANALYTICS' is loaded" in res.output and "did you mean 'PX-ANALYTIC'?" in res.output


def test_every_practitioner_command_has_help_with_an_example(runner: Any) -> None:
    for cmd in ("interview", "explain", "why-not", "whatif"):
        res = runner.invoke(main, [cmd, "--help"])
        assert res.exit_code == 0 and "Example:" in res.output, cmd


def test_the_whatif_suggestion_is_shell_quoted(runner: Any, tmp_path: Any) -> None:
    import shlex
    import shutil

    folder = tmp_path / "my cases"
    folder.mkdir()
    case = folder / "gap site.yaml"
    shutil.copy(CASE, case)
    res = runner.invoke(main, ["why-not", str(case), "PX-CO-DESIGN", *RULES])
    assert res.exit_code == 0, res.output
    line = next(x.strip() for x in res.output.splitlines() if x.strip().startswith("try: "))
    assert shlex.quote(str(case)) in line
    argv = shlex.split(line[len("try: ") :])
    assert argv[:3] == ["isp-advisor", "whatif", str(case)]
    assert argv[3:] == ["--set", "engagement.level=collaborate"]
    res = runner.invoke(main, [*argv[1:], *RULES])  # the suggestion runs as printed
    assert res.exit_code == 0, res.output
    assert "PX-CO-DESIGN" in res.output or "Co-design" in res.output


def test_each_suggested_change_is_one_shell_word() -> None:
    import shlex

    from engine.model.traces import FactEdit

    engine = load_engine([FIXTURES / "practitioner"], shipped=False)
    answer = engine.why_not(load_case(CASE), "PX-CO-DESIGN")
    changes = (
        FactEdit("site", "North clinic; annex"),
        FactEdit("leadership.transition", True),
        FactEdit("cfir.innovation.cost", 1),
        FactEdit("stage", None, "leave it unstated"),
    )
    text = render_why_not(answer.__class__(answer.rule_id, False, answer.proof, answer.failing, changes), "a b.yaml")
    line = next(x.strip() for x in text.splitlines() if x.strip().startswith("try: "))
    assert shlex.split(line[len("try: ") :]) == [
        "isp-advisor",
        "whatif",
        "a b.yaml",
        "--set",
        "site=North clinic; annex",
        "--set",
        "leadership.transition=true",
        "--set",
        "cfir.innovation.cost=+1",
        "--set",
        "stage=",
    ]
