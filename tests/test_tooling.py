"""The checks CI runs are the checks a contributor's pre-commit runs, over the whole repository (issue 24)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_pre_commit_runs_what_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    hooks = {
        h["id"]: h["entry"]
        for r in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())["repos"]
        for h in r["hooks"]
    }
    for command in ("ruff check .", "ruff format --check .", "mypy", "pytest"):
        assert any(line.strip() == command for line in ci.splitlines()), f".ci/run does not run {command!r}"
        assert command in hooks.values(), f".pre-commit-config.yaml does not run {command!r}"


def test_mypy_is_strict_over_the_library_the_web_app_and_the_cli() -> None:
    mypy = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert mypy["strict"] is True
    assert set(mypy["files"]) == {"engine", "webapp", "cli.py"}
