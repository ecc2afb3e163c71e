"""The rule authors' commands (`isp-advisor rules ...`, `schema`), and --help / README for every command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from cli import main
from tests.conftest import CASES, FIXTURES, ROOT
from tests.helpers import rec, write_pack

BASIC = str(FIXTURES / "basic")
LINT = FIXTURES / "lint"


def run(runner: CliRunner, *args: str) -> click.testing.Result:
    return runner.invoke(main, list(args), catch_exceptions=False)


def local_pack(tmp_path: Path) -> Path:
    """A local folder that overrides one fixture rule and disables another."""
    folder = tmp_path / "my_rules"
    write_pack(
        folder,
        [
            rec(
                "EQ-SHARE-POWER",
                {"fact": "power.differential", "equals": "high"},
                title="Share power (local version)",
                overrides=True,
            )
        ],
        name="local",
        disable=["FA-ADAPTIVE"],
    )
    return folder


# ---------------------------------------------------------------- list / show


def test_list_shows_rules_with_kind_and_status(runner: CliRunner, tmp_path: Path) -> None:
    res = run(runner, "rules", "list", "--no-shipped", "--rules", BASIC, "--rules", str(local_pack(tmp_path)))
    assert res.exit_code == 0
    lines = {line.split()[0]: line for line in res.output.splitlines() if line and not line.startswith(("id", "-"))}
    assert "overrides basic" in lines["EQ-SHARE-POWER"] and "local" in lines["EQ-SHARE-POWER"]
    assert "disabled by local" in lines["FA-ADAPTIVE"]
    assert "derive" in lines["D-ENGAGEMENT-GAP"]


def test_list_json_and_category_filter(runner: CliRunner) -> None:
    res = run(runner, "rules", "list", "--no-shipped", "--rules", BASIC, "-c", "facilitation", "-f", "json")
    assert [r["id"] for r in json.loads(res.output)] == ["FA-ADAPTIVE"]


def test_show_gives_conditions_in_plain_language(runner: CliRunner) -> None:
    res = run(runner, "rules", "show", "EQ-SHARE-POWER", "--no-shipped", "--rules", BASIC)
    assert res.exit_code == 0
    assert "power.differential is high" in res.output
    assert "engagement.level is at or below consult" in res.output
    assert "not:" in res.output and "[metz-woo-loper-2021]" in res.output


def test_show_json_and_override(runner: CliRunner, tmp_path: Path) -> None:
    res = run(
        runner,
        "rules",
        "show",
        "EQ-SHARE-POWER",
        "-f",
        "json",
        "--no-shipped",
        "--rules",
        BASIC,
        "--rules",
        str(local_pack(tmp_path)),
    )
    data = json.loads(res.output)
    assert data["pack"] == "local" and data["overrides"].startswith("basic (")
    assert data["when"] == {"fact": "power.differential", "equals": "high"}


@pytest.mark.parametrize(
    "rule_id, fragment",
    [
        ("EQ-SHARE-POWR", "did you mean 'EQ-SHARE-POWER'"),
        ("FA-ADAPTIVE", "is disabled by pack 'local'"),
    ],
)
def test_show_unknown_or_disabled_rule_is_exit_2(
    runner: CliRunner, tmp_path: Path, rule_id: str, fragment: str
) -> None:
    res = runner.invoke(
        main, ["rules", "show", rule_id, "--no-shipped", "--rules", BASIC, "--rules", str(local_pack(tmp_path))]
    )
    assert res.exit_code == 2
    assert fragment in res.output and "Traceback" not in res.output


# ---------------------------------------------------------------- lint


def test_lint_exit_codes(runner: CliRunner) -> None:
    bad = run(runner, "rules", "lint", "--no-shipped", "--rules", str(LINT / "contradiction"))
    assert bad.exit_code == 1
    assert "error: never_fires: rule TWO-VALUES" in bad.output and "1 error, 0 warnings" in bad.output
    warn = run(runner, "rules", "lint", "--no-shipped", "--rules", str(LINT / "unused_derived"))
    assert warn.exit_code == 0 and "warning: unused_derived: rule D-NOBODY-READS" in warn.output
    clean = run(runner, "rules", "lint", "--no-shipped", "--rules", str(LINT / "clean"))
    assert (clean.exit_code, clean.stdout) == (0, "no problems found\n")  # the headroom note goes to stderr


def test_lint_json(runner: CliRunner) -> None:
    res = run(runner, "rules", "lint", "-f", "json", "--no-shipped", "--rules", str(LINT / "unknown_tag"))
    data = json.loads(res.output)
    assert [(f["code"], f["rule_id"], f["line"]) for f in data["findings"]] == [("unknown_tag", "BAD-TAG", 10)]


def test_lint_missing_folder_is_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(main, ["rules", "lint", "--rules", str(tmp_path / "nope")])
    assert res.exit_code == 2 and "rule folder not found" in res.output


def test_lint_shipped_packs(runner: CliRunner) -> None:
    res = run(runner, "rules", "lint")
    assert res.exit_code == 0, res.output


# ---------------------------------------------------------------- test


def test_rules_test_passes_and_fails(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "basic"
    shutil.copytree(FIXTURES / "basic", folder)
    (folder / "tests").mkdir()
    (folder / "tests" / "t.yaml").write_text(
        yaml.safe_dump(
            {
                "tests": [
                    {
                        "name": "good",
                        "case": {"case_id": "a", "challenge": {"type": "adaptive"}},
                        "present": ["FA-ADAPTIVE"],
                    },
                    {"name": "bad", "case": {"case_id": "b"}, "present": ["FA-ADAPTIVE"]},
                ]
            },
            sort_keys=False,
        )
    )
    res = run(runner, "rules", "test", "--no-shipped", "--rules", str(folder))
    assert res.exit_code == 1
    assert "PASS" in res.output and "good" in res.output
    assert "FAIL" in res.output and "expected rule FA-ADAPTIVE, but it did not fire" in res.output
    assert res.output.rstrip().endswith("1 passed, 1 failed")


def test_rules_test_shipped(runner: CliRunner) -> None:
    res = run(runner, "rules", "test")
    assert res.exit_code == 0, res.output
    assert " 0 failed" in res.output


# ---------------------------------------------------------------- coverage / diff


def test_coverage_on_the_example_cases(runner: CliRunner) -> None:
    res = run(runner, "rules", "coverage", "--cases", str(CASES), "-f", "json")
    data = json.loads(res.output)
    assert data["cases"] == len(list(CASES.rglob("*.yaml")))  # folders of cases too (cases/over-time/)
    fired = {r["rule_id"]: r["fired"] for r in data["rules"]}
    assert fired["EQ-TRUST-LOW"] >= 1
    assert set(data["never_fired"]) == {rid for rid, n in fired.items() if n == 0}


def test_coverage_counts_and_empty_categories(runner: CliRunner) -> None:
    res = run(runner, "rules", "coverage", "--no-shipped", "--rules", BASIC, "--cases", str(FIXTURES / "cases"))
    assert res.exit_code == 0
    assert "1 cases" in res.output
    assert "gap-site: tailored_support, capacity_building" in res.output


def test_coverage_missing_case_folder_is_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(main, ["rules", "coverage", "--cases", str(tmp_path / "nope")])
    assert res.exit_code == 2 and "case folder not found" in res.output


def test_coverage_loads_the_cases_before_compiling_the_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.authoring.coverage
    from engine.errors import CaseError

    (tmp_path / "bad.yaml").write_text("case_id: bad\npower: {differential: huge}\n")

    def no_engine(*_: object) -> None:
        raise AssertionError("the engine was compiled before the cases were loaded")

    monkeypatch.setattr(engine.authoring.coverage, "load_engine", no_engine)
    with pytest.raises(CaseError):
        engine.authoring.coverage.coverage_of([], tmp_path)


def test_corpus_finds_case_files_as_batch_does(tmp_path: Path) -> None:
    from engine.io.corpus import load_corpus

    good = (FIXTURES / "cases").glob("*.yaml")
    text = next(iter(sorted(good))).read_text()
    (tmp_path / "UPPER.YAML").write_text(text.replace("case_id:", "case_id: upper #", 1))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "nested.yml").write_text(text.replace("case_id:", "case_id: nested #", 1))
    (tmp_path / ".hidden.yaml").write_text("not: [a case")  # an editor's swap or backup file
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.yaml").write_text("not: [a case")
    cases = load_corpus(tmp_path)
    assert [c.case_id for c in cases] == ["upper", "nested"]


def test_diff_reports_added_removed_and_priority(runner: CliRunner, tmp_path: Path) -> None:
    new = tmp_path / "new"
    shutil.copytree(FIXTURES / "basic", new)
    pack = yaml.safe_load((new / "basic.yaml").read_text())
    pack["rules"] = [r for r in pack["rules"] if r["id"] != "FA-ADAPTIVE"]  # removed
    for r in pack["rules"]:
        if r["id"] == "EQ-SHARE-POWER":
            r["priority"] = "low"  # changed priority
    pack["rules"].append(rec("EQ-NEW", {"fact": "stage", "equals": "installation"}, sources=["isp-profile-2020"]))
    (new / "basic.yaml").write_text(yaml.safe_dump(pack, sort_keys=False))
    res = run(
        runner, "rules", "diff", BASIC, str(new), "--cases", str(FIXTURES / "cases"), "-f", "json", "--no-shipped"
    )
    data = json.loads(res.output)
    [case] = data["cases"]
    assert {(c["rule_id"], c["change"]) for c in case["changes"]} == {
        ("EQ-NEW", "added"),
        ("FA-ADAPTIVE", "removed"),
        ("EQ-SHARE-POWER", "priority"),
    }
    assert data["totals"] == {"cases": 1, "cases_changed": 1, "added": 1, "removed": 1, "priority": 1}
    text = run(runner, "rules", "diff", BASIC, str(new), "--cases", str(FIXTURES / "cases"), "--no-shipped").output
    assert "1 of 1 cases changed: 1 added, 1 removed, 1 changed priority" in text


def test_diff_of_a_folder_with_itself_is_empty(runner: CliRunner) -> None:
    res = run(runner, "rules", "diff", BASIC, BASIC, "--cases", str(CASES), "-f", "json", "--no-shipped")
    data = json.loads(res.output)
    assert data["totals"] == {
        "cases": len(list(CASES.rglob("*.yaml"))),
        "cases_changed": 0,
        "added": 0,
        "removed": 0,
        "priority": 0,
    }
    assert all(c["changes"] == [] for c in data["cases"])


# ---------------------------------------------------------------- docs / schema


def test_docs_rules_md_is_current(runner: CliRunner) -> None:
    res = run(runner, "rules", "docs")
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert res.output == committed, "docs/rules.md is stale: run  isp-advisor rules docs -o docs/rules.md --force"


def test_docs_catalogue_content(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "rules.md"
    res = run(runner, "rules", "docs", "--no-shipped", "--rules", BASIC, "-o", str(out))
    assert res.exit_code == 0
    text = out.read_text()
    assert "## Equity" in text and "### Share decision-making with the people most affected" in text
    assert "power.differential is high" in text and "- Map who decides what today" in text
    assert "`D-ENGAGEMENT-GAP` | `engagement_gap` = true | engagement.level is below engagement.target" in text
    assert "**metz-woo-loper-2021**: Metz, A., Woo, B., & Loper, A. (2021)" in text
    again = runner.invoke(main, ["rules", "docs", "--no-shipped", "--rules", BASIC, "-o", str(out)])
    assert again.exit_code == 2 and "already exists" in again.output


def test_schema_command(runner: CliRunner) -> None:
    res = run(runner, "schema", "case")
    assert json.loads(res.output)["properties"]["case_id"]
    bad = runner.invoke(main, ["schema", "nope"])
    assert bad.exit_code == 2


# ---------------------------------------------------------------- overrides in explanations


def test_override_is_visible_in_the_explanation(runner: CliRunner, tmp_path: Path) -> None:
    case = str(FIXTURES / "cases" / "gap.yaml")
    args = ["recommend", case, "--no-shipped", "--rules", BASIC, "--rules", str(local_pack(tmp_path))]
    text = run(runner, *args, "--explain").output
    assert "EQ-SHARE-POWER (local, overriding basic (" in text
    data = json.loads(run(runner, *args, "-f", "json").output)
    rec_ = next(r for r in data["recommendations"] if r["rule_id"] == "EQ-SHARE-POWER")
    assert rec_["title"] == "Share power (local version)"
    assert rec_["explanation"][0]["overrides"].startswith("basic (")
    assert all(r["rule_id"] != "FA-ADAPTIVE" for r in data["recommendations"])


# ---------------------------------------------------------------- every command: help with an example, in README


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        out.append((full, cmd))
        if isinstance(cmd, click.Group):
            out += _commands(cmd, full + " ")
    return out


ALL_COMMANDS = _commands(main)


@pytest.mark.parametrize("name, cmd", ALL_COMMANDS, ids=[n for n, _ in ALL_COMMANDS])
def test_every_command_has_help_with_an_example(runner: CliRunner, name: str, cmd: click.Command) -> None:
    assert cmd.help and len(cmd.help.strip()) > 20, f"'{name}' has no help text"
    assert "Example:" in cmd.help and f"isp-advisor {name}" in cmd.help, f"'{name}' help lacks an example"
    res = runner.invoke(main, [*name.split(), "--help"])
    assert res.exit_code == 0 and "Example:" in res.output


@pytest.mark.parametrize("name, cmd", ALL_COMMANDS, ids=[n for n, _ in ALL_COMMANDS])
def test_every_command_is_in_the_readme(name: str, cmd: click.Command) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`isp-advisor {name}" in readme, f"'isp-advisor {name}' is missing from README.md"
