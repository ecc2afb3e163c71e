"""`rules diff` loads each folder over the shipped packs, as `--rules DIR` is loaded everywhere else."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from cli import main
from engine.rulepacks.loader import shipped_rules_dir
from tests.conftest import CASES
from tests.helpers import rec, write_pack

LOCAL_RULE = rec(
    "LOCAL-LOW-TRUST",
    {"fact": "relationships.trust", "equals": "low"},
    title="Local: rebuild trust",
    sources=["metz-woo-loper-2021"],
    priority="high",
)


def local_folder(tmp_path: Path) -> Path:
    """A local folder that cites a shipped source and has no sources.yaml of its own."""
    return write_pack(tmp_path / "my_rules", [LOCAL_RULE], name="local", sources=False)


def diff_json(runner: CliRunner, *args: str) -> dict:  # type: ignore[type-arg]
    res = runner.invoke(main, ["rules", "diff", *args, "--cases", str(CASES), "-f", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)  # type: ignore[no-any-return]


def test_a_local_folder_as_new_keeps_the_shipped_sources_and_rules(runner: CliRunner, tmp_path: Path) -> None:
    data = diff_json(runner, str(shipped_rules_dir()), str(local_folder(tmp_path)))
    changes = [(c["case_id"], ch["rule_id"], ch["change"]) for c in data["cases"] for ch in c["changes"]]
    # only the local rule is new: the shipped rules are on both sides
    assert changes and {rid for _, rid, _ in changes} == {"LOCAL-LOW-TRUST"}
    assert {kind for _, _, kind in changes} == {"added"}
    assert data["totals"]["added"] == len(changes)


def test_a_local_folder_as_old_shows_its_rules_removed(runner: CliRunner, tmp_path: Path) -> None:
    data = diff_json(runner, str(local_folder(tmp_path)), str(shipped_rules_dir()))
    assert data["totals"]["added"] == 0 and data["totals"]["removed"] > 0
    assert {ch["rule_id"] for c in data["cases"] for ch in c["changes"]} == {"LOCAL-LOW-TRUST"}


def test_two_local_folders_are_both_loaded_over_the_shipped_packs(runner: CliRunner, tmp_path: Path) -> None:
    old = local_folder(tmp_path)
    new = tmp_path / "my_rules_v2"
    write_pack(new, [{**LOCAL_RULE, "priority": "low"}], name="local", sources=False)
    data = diff_json(runner, str(old), str(new))
    kinds = {
        (ch["rule_id"], ch["change"], ch["old_priority"], ch["new_priority"])
        for c in data["cases"]
        for ch in c["changes"]
    }
    assert kinds == {("LOCAL-LOW-TRUST", "priority", "high", "low")}


def test_without_the_shipped_packs_a_local_folder_citing_shipped_sources_is_refused(
    runner: CliRunner, tmp_path: Path
) -> None:
    res = runner.invoke(
        main,
        [
            "rules",
            "diff",
            str(local_folder(tmp_path)),
            str(local_folder(tmp_path)),
            "--cases",
            str(CASES),
            "--no-shipped",
        ],
    )
    assert res.exit_code == 2
    assert "unknown source key 'metz-woo-loper-2021'" in res.output and "Traceback" not in res.output


def test_a_copy_of_the_whole_rule_base_says_to_use_no_shipped(runner: CliRunner, tmp_path: Path) -> None:
    old = tmp_path / "old_rules"
    shutil.copytree(shipped_rules_dir(), old, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    res = runner.invoke(main, ["rules", "diff", str(old), str(shipped_rules_dir()), "--cases", str(CASES)])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1, "one line says why, not one per rule"
    assert "already defined by the shipped packs" in lines[0] and "add --no-shipped" in lines[0]
    data = diff_json(runner, str(old), str(shipped_rules_dir()), "--no-shipped")
    assert data["totals"]["cases_changed"] == 0
