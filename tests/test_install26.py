"""Issue 26, installation: a machine without a C compiler can install the project and run it on the
plain matcher, which says so; durable_rules stays the default wherever it is installed."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from engine.evaluation import matcher

ROOT = Path(__file__).resolve().parents[1]


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_durable_rules_is_an_extra_not_a_hard_dependency() -> None:
    project = _project()
    assert not any(d.lower().startswith("durable") for d in project["dependencies"]), (
        "durable-rules needs a C compiler: a hard dependency makes the project uninstallable without one"
    )
    (spec,) = project["optional-dependencies"]["durable"]
    assert spec.startswith("durable-rules") and "python_version < '3.13'" in spec


def test_no_dependency_builds_from_source_only() -> None:
    """Every hard dependency is a package with wheels (the install needs no compiler): none of the
    source-only packages the project knows of is among them."""
    source_only = {"durable-rules"}
    names = {re.split(r"[<>=;\[ ]", d, maxsplit=1)[0].lower() for d in _project()["dependencies"]}
    assert not names & source_only


def test_the_default_matcher_is_durable_where_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ISP_ADVISOR_MATCHER", raising=False)
    monkeypatch.setattr(matcher, "durable_installed", lambda: True)
    assert matcher.requested() == "durable"
    assert matcher.describe() == "durable (durable_rules)"


def test_without_durable_the_plain_matcher_runs_and_says_how_to_add_durable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ISP_ADVISOR_MATCHER", raising=False)
    monkeypatch.setattr(matcher, "durable_installed", lambda: False)
    assert matcher.requested() == "python"
    text = matcher.describe()
    assert text.startswith("python (plain compiled matcher; durable_rules is not installed")
    assert "pip install 'isp-advisor[durable]'" in text


def test_the_readme_quick_start_and_ci_install_the_durable_extra() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "pip install '.[durable]' && isp-advisor recommend" in readme
    assert "pip install '.[durable,test]' && pytest" in readme
    assert "### Installing" in readme and "CC=false" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install -q '.[durable,test]'" in ci
    assert "CC=false" in ci and "--no-cache-dir ." in ci
