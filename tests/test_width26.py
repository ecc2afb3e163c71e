"""Issue 26: whatif, why-not, explain and rules show fit the terminal's width (80 and 100 columns), and
every command that prints a long result pages, colours and honours --quiet as recommend does."""

from __future__ import annotations

import shlex
from typing import Any

import click
import pytest
from click.testing import CliRunner

import cli
from cli import main
from engine.render.table import fit_lines
from tests.conftest import CASES

RIVERSIDE = str(CASES / "riverside-fqhc.yaml")
MILLBROOK = sorted(str(p) for p in (CASES / "over-time").glob("millbrook-*.yaml"))
ESC = "\x1b["
WHATIF = [
    "whatif",
    RIVERSIDE,
    "--set",
    "engagement.level=collaborate",
    "--set",
    "relationships.trust=high",
    "--set",
    "capacity.analytic=high",
]
TRY = "try: isp-advisor whatif "


def run(args: list[str], width: int, **env: str) -> str:
    res = CliRunner().invoke(main, args, env={"COLUMNS": str(width), "NO_COLOR": None, **env})
    assert res.exit_code == 0, res.output
    return res.stdout


def too_long(text: str, width: int) -> list[str]:
    """The lines wider than `width`, but for the what-if command why-not suggests (kept whole to be run)."""
    return [line for line in text.splitlines() if len(line) > width and not line.lstrip().startswith(TRY)]


def words(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- width


@pytest.mark.parametrize("width", [80, 100])
def test_whatif_fits_the_terminal(width: int) -> None:
    out = run(WHATIF, width)
    assert too_long(out, width) == []
    assert out.startswith("What if, for riverside-fqhc:")
    import json

    counts = json.loads(run([*WHATIF, "--format", "json"], width))  # the totals the text must state
    totals = (
        f"{len(counts['added'])} added, {len(counts['removed'])} removed, {len(counts['changed'])} changed priority"
    )
    for key in ("+ added", "- removed", "~ priority", "EQ-TRUST-HIGH", "TS-INSTALLATION", "high -> medium", totals):
        assert key in out or key in words(out), key


def test_whatif_is_a_table_when_it_fits_and_a_list_when_it_does_not() -> None:
    wide = run(WHATIF, 100)
    assert "change" in wide and "recommendation" in wide and "category" in wide  # the table's header
    assert "Keep strong relationships in" in wide
    narrow = run(WHATIF, 80)
    assert "recommendation  " not in narrow  # no table header at 80 columns
    lines = narrow.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("~ priority") and "Keep strong" in line)
    assert "Keep strong relationships in good repair" in lines[at]  # the title whole on its mark's line
    assert "priority high -> low; Equity; rule: EQ-TRUST-HIGH" in lines[at + 1]


def test_whatif_rule_ids_break_only_after_a_hyphen_or_dot() -> None:
    out = run(WHATIF, 100)
    cells = [line[line.rindex("  ") + 2 :] for line in out.splitlines() if "SM-" in line or "reflecting" in line]
    assert cells and all(
        c.endswith(("-", ".", ",")) or c.endswith(("facilitation", "use_data_experts", "obtain_and_use")) for c in cells
    )


@pytest.mark.parametrize("width", [80, 100])
def test_why_not_fits_the_terminal_and_keeps_the_command_whole(width: int) -> None:
    out = run(["why-not", RIVERSIDE, "EQ-TRUST-HIGH"], width)
    assert too_long(out, width) == []
    assert "EQ-TRUST-HIGH (equity) did not fire" in out
    assert "[-] relationships.trust is high (case: low)" in out
    assert "from D-ENGAGEMENT-STEP-DUE (equity) fired, deriving engagement_step_due=true:" in words(out)
    line = next(x.strip() for x in out.splitlines() if x.strip().startswith(TRY))
    assert shlex.split(line[len("try: ") :]) == [
        "isp-advisor",
        "whatif",
        RIVERSIDE,
        "--set",
        "relationships.trust=high",
    ]


@pytest.mark.parametrize("width", [80, 100])
def test_explain_fits_the_terminal(width: int) -> None:
    out = run(["explain", RIVERSIDE, "EQ-SHARE-POWER"], width)
    assert too_long(out, width) == []
    assert out.startswith("EQ-SHARE-POWER (equity) fired:")
    assert "power.decision_making is at or below leadership_team (case: solo_leader)" in words(out)
    assert "In the plan: " in out


@pytest.mark.parametrize("width", [80, 100])
def test_rules_show_fits_the_terminal(width: int) -> None:
    out = run(["rules", "show", "EQ-TRUST-LOW"], width)
    assert too_long(out, width) == []
    assert out.startswith("EQ-TRUST-LOW: Rebuild trust")
    text = words(out)
    assert "Implementation Research Network, University of North Carolina at Chapel Hill." in text
    assert "and keep it even when there is no news." in text
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  rationale: "))
    follow = lines[start + 1]
    assert follow.startswith(" " * 13) and follow[13] != " "  # continued under the label's text


def test_piped_reports_without_a_width_keep_whole_lines() -> None:
    res = CliRunner().invoke(main, ["rules", "show", "EQ-TRUST-LOW"], env={"COLUMNS": None})
    assert any(len(line) > 300 for line in res.stdout.splitlines())  # for grep and files


def test_json_is_not_wrapped() -> None:
    for args in (
        ["rules", "show", "EQ-TRUST-LOW", "-f", "json"],
        [*WHATIF, "-f", "json"],
        ["explain", RIVERSIDE, "EQ-SHARE-POWER", "-f", "json"],
        ["why-not", RIVERSIDE, "EQ-TRUST-HIGH", "-f", "json"],
    ):
        assert run(args, 80) == run(args, 400), args


def test_fit_lines_keeps_what_fits_and_hangs_the_rest() -> None:
    lines = ["short", "  source:    " + "word " * 30, "    - " + "act " * 30, "      [+] " + "x.y " * 30]
    out = fit_lines(lines, 60)
    assert out[0] == "short" and all(len(line) <= 60 for line in out)
    assert out[1].startswith("  source:    word") and out[2].startswith(" " * 13 + "word")
    act = out.index(next(x for x in out if x.startswith("    - act")))
    assert out[act + 1].startswith("      act")
    proof = out.index(next(x for x in out if x.startswith("      [+] x.y")))
    assert out[proof + 1].startswith(" " * 10 + "x.y")


# ---------------------------------------------------------------- pager, colour, --quiet

LONG = {
    "plan": ["plan", RIVERSIDE],
    "whatif": WHATIF,
    "explain": ["explain", RIVERSIDE, "EQ-SHARE-POWER"],
    "why-not": ["why-not", RIVERSIDE, "EQ-TRUST-HIGH"],
    "rules show": ["rules", "show", "EQ-TRUST-LOW"],
    "rules list": ["rules", "list"],
    "rules lint": ["rules", "lint", "-f", "json"],
    "rules test": ["rules", "test"],
    "compare": ["compare", *MILLBROOK],
    "recommend": ["recommend", RIVERSIDE],
}


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """stdout is a terminal of 3 lines; what goes through the pager is collected."""
    paged: list[str] = []

    def pager(text: Any, color: bool | None = None) -> None:
        paged.append(text)

    monkeypatch.setattr(cli, "stdout_is_terminal", lambda: True)
    monkeypatch.setattr(click, "echo_via_pager", pager)
    return paged


def invoke(args: list[str], **env: str | None) -> Any:
    return CliRunner().invoke(main, args, env={"COLUMNS": "100", "LINES": "3", **env})


@pytest.mark.parametrize("name", list(LONG))
def test_long_output_on_a_terminal_goes_through_the_pager(terminal: list[str], name: str) -> None:
    res = invoke(LONG[name], NO_COLOR="1")
    assert res.exit_code in (0, 1), res.output  # rules lint/test exit 1 on findings or failures
    assert len(terminal) == 1 and terminal[0].count("\n") > 3, name
    assert res.stdout == ""  # all of it went to the pager
    assert ESC not in terminal[0]  # NO_COLOR: no escape codes


@pytest.mark.parametrize("name", list(LONG))
def test_quiet_never_pages(terminal: list[str], name: str) -> None:
    res = invoke([*LONG[name], "--quiet"], NO_COLOR=None)
    assert res.exit_code in (0, 1), res.output
    assert terminal == [] and res.stdout.count("\n") > 3 and ESC not in res.stdout


def test_colour_is_recommends_alone_and_no_color_turns_it_off(terminal: list[str]) -> None:
    invoke(LONG["recommend"], NO_COLOR=None)
    assert ESC in terminal[-1]  # recommend colours a terminal...
    for name, args in LONG.items():  # ...and nothing does with NO_COLOR set
        invoke(args, NO_COLOR="1")
        assert ESC not in terminal[-1], name


def test_piped_output_is_never_paged(monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[str] = []
    monkeypatch.setattr(click, "echo_via_pager", lambda text, color=None: called.append(text))
    for args in LONG.values():
        res = invoke(args)
        assert res.stdout.count("\n") > 3
    assert called == []


def test_quiet_drops_the_wrote_note_of_plan_and_compare(tmp_path: Any) -> None:
    for args, name in (
        (["plan", RIVERSIDE, "-f", "markdown"], "p.md"),
        (["plan", RIVERSIDE, "-f", "xlsx"], "p.xlsx"),
        (["compare", *MILLBROOK, "-f", "json"], "c.json"),
    ):
        target = tmp_path / name
        res = CliRunner().invoke(main, [*args, "-o", str(target), "-q"])
        assert res.exit_code == 0 and res.stderr == "" and target.stat().st_size > 0, res.output
        loud = CliRunner().invoke(main, [*args, "-o", str(tmp_path / f"loud-{name}")])
        assert "wrote" in loud.stderr


def test_quiet_rules_lint_drops_the_headroom_note() -> None:
    res = CliRunner().invoke(main, ["rules", "lint", "-q"])
    assert "headroom" not in res.stderr
    assert "headroom" in CliRunner().invoke(main, ["rules", "lint"]).stderr
