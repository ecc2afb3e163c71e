"""The Matcher interface: both matchers, the choice between them, memory, and the CLI surface."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from engine import load_case
from engine.errors import UsageError
from engine.evaluation import matcher as matcher_mod
from engine.evaluation.pymatcher import PythonMatcher
from engine.evaluation.runner import Engine
from engine.model.conditions import holds
from tests.conftest import CASES, FIXTURES

needs_durable = pytest.mark.skipif(not matcher_mod.durable_installed(), reason="durable_rules is not installed here")
EXAMPLE = CASES / "riverside-fqhc.yaml"


def test_the_compiled_matcher_agrees_with_the_explainer_on_every_rule(shipped_engine: Engine) -> None:
    compiled = PythonMatcher([[(r.id, r.when) for r in shipped_engine.rules]])
    for path in sorted(CASES.glob("*.yaml")) + sorted((FIXTURES / "cases").glob("*.yaml")):
        facts, _ = shipped_engine.case_facts(load_case(path))
        firing = shipped_engine.fire_python(facts)  # derived facts included
        with compiled.session() as session:
            got = sorted(session.match(0, firing.facts, {}))
        assert got == sorted(r.id for r in shipped_engine.rules if holds(r.when, firing.facts)), path.name


def test_a_python_engine_says_so_and_gives_the_same_output_otherwise(shipped_engine: Engine) -> None:
    case = load_case(EXAMPLE)
    with Engine(shipped_engine.base, "python") as plain:
        assert plain.matcher.name == "python" and plain.info["matcher"] == "python"
        data = plain.evaluate(case).to_dict()
    other = shipped_engine.evaluate(case).to_dict()
    assert data["engine"].pop("matcher") == "python"
    other["engine"].pop("matcher")
    assert data == other


def test_an_unknown_matcher_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(matcher_mod.MATCHER_ENV, "rete")
    with pytest.raises(UsageError) as info:
        matcher_mod.requested()
    assert "unknown matcher 'rete'" in info.value.render()
    result = CliRunner().invoke(main, ["recommend", str(EXAMPLE)])
    assert result.exit_code == 2 and "unknown matcher 'rete'" in result.output


def test_without_durable_rules_the_plain_matcher_runs_and_verbose_says_so_once(
    shipped_engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(matcher_mod, "durable_installed", lambda: False)
    monkeypatch.setattr(matcher_mod, "_told", set())
    monkeypatch.delenv(matcher_mod.MATCHER_ENV, raising=False)
    assert matcher_mod.requested() == "python"
    monkeypatch.delenv(matcher_mod.VERBOSE_ENV, raising=False)
    assert Engine(shipped_engine.base, "durable").matcher.name == "python"
    assert capsys.readouterr().err == ""  # quiet unless verbose
    for _ in range(3):  # verbosity is the engine's configuration (EngineConfig.verbose), not the environment
        assert Engine(shipped_engine.base, "durable", verbose=True).matcher.name == "python"
    err = capsys.readouterr().err
    assert err.count("durable_rules is not installed") == 1


def test_verbose_and_matcher_reach_the_engine_through_its_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    """-v and --matcher build the command's EngineConfig; nothing is left in the environment."""
    from engine.model.config import EngineConfig

    seen: list[EngineConfig] = []
    from engine.evaluation.runner import load_engine as real

    def spy(rules: object = (), *args: object, **kwargs: object) -> Engine:
        assert isinstance(rules, EngineConfig)
        seen.append(rules)
        return real(rules, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.delenv(matcher_mod.VERBOSE_ENV, raising=False)
    monkeypatch.delenv(matcher_mod.MATCHER_ENV, raising=False)
    import engine as engine_pkg

    monkeypatch.setattr(engine_pkg, "load_engine", spy, raising=False)  # the lazy export, cached on first use
    result = CliRunner().invoke(main, ["-v", "recommend", str(EXAMPLE), "--matcher", "python", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert seen == [EngineConfig((), True, "python", True)]
    assert matcher_mod.VERBOSE_ENV not in os.environ and matcher_mod.MATCHER_ENV not in os.environ


def test_version_names_the_matcher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(matcher_mod.MATCHER_ENV, "python")
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and "matcher: python" in result.output
    monkeypatch.delenv(matcher_mod.MATCHER_ENV)
    expected = "durable" if matcher_mod.durable_installed() else "python"
    assert f"matcher: {expected}" in CliRunner().invoke(main, ["--version"]).output


def test_the_matcher_option_reaches_the_output_and_batch_workers(tmp_path: Path) -> None:
    runner = CliRunner()
    before = os.environ.get(matcher_mod.MATCHER_ENV)
    result = runner.invoke(main, ["recommend", str(EXAMPLE), "--matcher", "python", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["engine"]["matcher"] == "python"
    assert os.environ.get(matcher_mod.MATCHER_ENV) == before  # set for that command only
    out = tmp_path / "out"
    result = runner.invoke(
        main,
        [
            "batch",
            str(EXAMPLE),
            str(CASES / "metro-general-sepsis.yaml"),
            "--out",
            str(out),
            "--jobs",
            "2",
            "--matcher",
            "python",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert {x["engine"]["matcher"] for x in lines} == {"python"}


@needs_durable
def test_memory_stays_flat_over_200_engine_builds(shipped_engine: Engine) -> None:
    def rss_mb() -> float:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    facts = {"stage": "installation", "relationships.trust": "low"}
    for _ in range(20):  # warm up allocator pools
        with Engine(shipped_engine.base, "durable") as eng:
            eng.fire(facts)
    before = rss_mb()
    for _ in range(180):
        with Engine(shipped_engine.base, "durable") as eng:
            eng.fire(facts)
    grown = rss_mb() - before
    assert grown < 25, f"RSS grew {grown:.0f} MB over 180 engine builds"  # unfreed, it grows ~3 MB a build
