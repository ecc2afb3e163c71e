"""Hardening, second round (issue 26), the low findings on sweeps and paths: a portfolio sweep that
lists its unreadable cases and exits 1 (as batch does), --vary values that name nothing, empty path
options, and rule packs nested too deep (in the file, or in folders). Each test failed before its fix."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import CASES, FIXTURES

from cli import main

BASIC = FIXTURES / "basic"
RIVERSIDE = CASES / "riverside-fqhc.yaml"
CASE = {
    "case_id": "s-1",
    "engagement": {"level": "inform", "target": "collaborate"},
    "power": {"differential": "high", "decision_making": "solo_leader"},
    "challenge": {"type": "adaptive"},
}
ON_BASIC = ["--rules", str(BASIC), "--no-shipped"]


def portfolio(tmp_path: Path) -> Path:
    """A folder of one good case, one that is not YAML and one the case contract refuses."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-good.json").write_text(json.dumps(CASE))
    (folder / "b-broken.yaml").write_text("case_id: [unclosed\n")
    (folder / "c-invalid.yaml").write_text("case_id: s-3\nstage: bogus\n")
    return folder


# ---------------------------------------------------------------- 1: unreadable cases of a portfolio sweep


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_a_portfolio_sweep_lists_each_unreadable_case_and_exits_1(runner: Any, tmp_path: Path, fmt: str) -> None:
    res = runner.invoke(main, ["sweep", str(portfolio(tmp_path)), "--vary", "power.differential", "-f", fmt, *ON_BASIC])
    assert res.exit_code == 1, res.output
    assert "Traceback" not in res.output
    err = res.stderr
    assert "2 of 3 cases could not be read" in err
    assert "b-broken.yaml:2: invalid YAML" in err
    assert "c-invalid.yaml:2: stage: 'bogus' is not allowed (allowed: exploration, installation" in err
    assert "fix these (or leave them out) and sweep again" in err
    assert res.stdout  # the report of the good case is still written
    if fmt == "json":
        data = json.loads(res.stdout)
        assert data["cases"] == 1 and [Path(r["source"]).name for r in data["failed"]] == [
            "b-broken.yaml",
            "c-invalid.yaml",
        ]
    (tmp_path / "in" / "b-broken.yaml").unlink()
    (tmp_path / "in" / "c-invalid.yaml").unlink()
    good = runner.invoke(main, ["sweep", str(tmp_path / "in"), "--vary", "power.differential", "-f", fmt, *ON_BASIC])
    assert good.exit_code == 0 and "could not be read" not in good.output


def test_the_table_names_the_field_and_the_fix_of_an_unreadable_case(runner: Any, tmp_path: Path) -> None:
    res = runner.invoke(main, ["sweep", str(portfolio(tmp_path)), "--vary", "power.differential", *ON_BASIC])
    assert "could not read " in res.stdout and "stage: 'bogus' is not allowed (allowed: " in res.stdout


def test_a_long_list_of_unreadable_cases_is_capped_and_says_where_the_rest_are() -> None:
    from engine.render.sweepreport import failed_lines

    rows = [
        {"source": "cases.jsonl", "line": n, "field": None, "message": "invalid JSON", "hint": None}
        for n in range(1, 121)
    ]
    lines = failed_lines({"cases": 5, "failed": rows})
    assert lines[0] == "120 of 125 cases could not be read and were not swept:"
    assert lines[1] == "  cases.jsonl:1: invalid JSON" and lines[50] == "  cases.jsonl:50: invalid JSON"
    assert "... and 70 more; --format json lists every one under 'failed'" in lines[51]
    assert failed_lines({"cases": 5, "failed": []}) == []


# ---------------------------------------------------------------- 2: --vary that names no value or no fact


@pytest.mark.parametrize(
    ("vary", "expected"),
    [
        (
            "stage=",
            [
                "--vary: stage: lists no values after '='",
                "--vary stage=A,B",
                "--vary stage alone",
                "none tries it unstated",
            ],
        ),
        ("stage=  ", ["--vary: stage: lists no values after '='"]),
        (
            "stage=installation,",
            [
                "--vary: stage: 'installation,' has an empty value between commas",
                "remove the extra comma; write none to try the fact unstated",
            ],
        ),
        ("stage=exploration,,installation", ["has an empty value between commas"]),
        ("=1,2", ["--vary: '=1,2' names no fact", "put the fact's path first"]),
        ("=", ["--vary: '=' names no fact"]),
        ("", ["--vary: '' names no fact"]),
    ],
)
def test_a_vary_without_values_or_fact_is_refused(runner: Any, tmp_path: Path, vary: str, expected: list[str]) -> None:
    res = runner.invoke(main, ["sweep", str(RIVERSIDE), "--vary", vary, "-f", "json"])
    assert res.exit_code == 2, res.output
    assert res.stdout == "" and "Traceback" not in res.output
    for fragment in expected:
        assert fragment in res.stderr


def test_a_value_listed_twice_is_tried_once_with_a_warning(runner: Any) -> None:
    res = runner.invoke(
        main,
        [
            "sweep",
            str(RIVERSIDE),
            "--vary",
            "stage=installation,installation",
            "--vary",
            "leadership.transition=true,yes,false",
            "-f",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "warning: --vary stage: 'installation' is listed more than once" in res.stderr
    assert "warning: --vary leadership.transition: true is listed more than once" in res.stderr
    data = json.loads(res.stdout)
    assert data["variants"] == 2 and data["vary"][0]["values"] == ["installation"]


def test_every_fact_varied_twice_is_named(runner: Any) -> None:
    res = runner.invoke(
        main,
        [
            "sweep",
            str(RIVERSIDE),
            "--vary",
            "stage",
            "--vary",
            "stage=installation",
            "--vary",
            "power.differential",
            "--vary",
            "power.differential=low",
            "--vary",
            "power.differential=high",
        ],
    )
    assert res.exit_code == 2
    assert "--vary: stage: is varied 2 times" in res.stderr
    assert (
        "--vary: power.differential: is varied 3 times (give each fact once, with all its values: "
        "--vary power.differential=v1,v2)" in res.stderr
    )


# ---------------------------------------------------------------- 3: empty path options


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["sweep", str(RIVERSIDE), "--vary", "stage", "--jsonl", ""],
            "--jsonl: the variants file name is empty (name the variants file, e.g. --jsonl variants.jsonl, "
            "or leave --jsonl out)",
        ),
        (["sweep", str(RIVERSIDE), "--vary", "stage", "-o", ""], "-o/--output: the output file name is empty"),
        (["sweep", str(RIVERSIDE), "--vary", "stage", "--output", " "], "-o/--output: the output file name is empty"),
        (
            ["sweep", str(CASES), "--vary", "stage", "--tables", "parquet", "--out", ""],
            "--out: the tables folder name is empty",
        ),
        (
            ["batch", str(RIVERSIDE), "--out", ""],
            "--out: the output folder name is empty (name the output folder, e.g. --out results)",
        ),
        (["recommend", str(RIVERSIDE), "-o", ""], "-o/--output: the output file name is empty"),
        (["plan", str(RIVERSIDE), "--decisions", ""], "--decisions: the decisions file name is empty"),
        (["recommend", str(RIVERSIDE), "--rules", ""], "--rules: the rule folder name is empty"),
    ],
)
def test_an_empty_path_option_is_refused(
    runner: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(main, args)
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith(f"error: {message}"), res.stderr
    assert res.stdout == "" and list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- 4: rule packs nested too deep


def deep_pack(depth: int = 150) -> str:
    """A rule pack whose first rule's condition nests `depth` mappings."""
    lines = ["ruleset: deep", "version: 1.0.0", "rules:", "  - id: DEEP-1", "    when:"]
    lines += ["      " + "  " * n + f"k{n}:" for n in range(depth)]
    return "\n".join(lines) + "\n" + "      " + "  " * depth + "fact: stage\n"


def test_a_rule_file_nested_too_deep_says_so_in_a_rule_authors_terms(runner: Any, tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "deep.yaml").write_text(deep_pack())
    (folder / "flow.yaml").write_text("ruleset: flow\nrules: " + "[" * 150 + "]" * 150 + "\n")
    res = runner.invoke(main, ["recommend", str(RIVERSIDE), "--rules", str(folder)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    for name in ("deep.yaml:103:", "flow.yaml:2:"):
        line = next(x for x in res.stderr.splitlines() if name in x)
        assert "mappings and lists nested more than 100 levels deep, the limit" in line
        assert "a rule pack is about 10 levels deep: check the indentation and brackets" in line
    assert "a case is" not in res.stderr
    lint = runner.invoke(main, ["rules", "lint", "--rules", str(folder), "--no-shipped"])
    assert "a rule pack is about 10 levels deep" in lint.output and "a case is" not in lint.output


def test_a_rule_folder_nested_over_100_folders_deep_names_the_file(runner: Any, tmp_path: Path) -> None:
    folder = tmp_path.joinpath(*(f"level{n:03d}" for n in range(110)))
    folder.mkdir(parents=True)
    shutil.copy(BASIC / "sources.yaml", folder / "sources.yaml")
    (folder / "my-pack.yaml").write_text(deep_pack())
    res = runner.invoke(main, ["recommend", str(RIVERSIDE), "--rules", str(folder), "--no-shipped"])
    assert res.exit_code == 2, res.output
    (line,) = [x for x in res.stderr.splitlines() if x.startswith("error: ")]
    assert "/level109/my-pack.yaml:" in line and "\u2026" in line  # the path is cut in the middle, not the end
    assert "nested more than 100 levels deep" in line and "a rule pack is about 10 levels deep" in line
    (folder / "my-pack.yaml").unlink()
    shutil.copy(BASIC / "basic.yaml", folder / "basic.yaml")  # a deep folder itself is fine
    ok = runner.invoke(main, ["rules", "list", "--rules", str(folder), "--no-shipped", "-f", "json"])
    assert ok.exit_code == 0, ok.output


def test_a_rule_folder_deeper_than_the_system_allows_is_explained(
    runner: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name = "x" * 60
    for _ in range(80):  # 80 x 61 characters: past the 4,096-byte path limit of Linux and macOS
        os.mkdir(name)
        os.chdir(name)
    deep = str(tmp_path) + (os.sep + name) * 80
    for args in (
        ["recommend", str(RIVERSIDE), "--rules", deep],
        ["sweep", str(RIVERSIDE), "--vary", "stage", "--rules", deep],
        ["batch", str(RIVERSIDE), "--out", str(tmp_path / "out"), "--rules", deep],
    ):
        res = runner.invoke(main, args)
        assert res.exit_code == 2, res.output
        assert "cannot use this rule folder: the path is" in res.stderr
        assert "folders deep: longer than the system allows" in res.stderr
        assert "(move the rule folder nearer the root, or cd into a folder above it" in res.stderr
        assert len(res.stderr) < 1000 and "ENAMETOOLONG" not in res.stderr
