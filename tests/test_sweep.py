"""Sensitivity sweeps: every combination, levers found (and only real ones), --max, portfolios, CLI."""

from __future__ import annotations

import csv
import io
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import CASES, FIXTURES

from cli import main
from engine import case_from_data, load_case, load_engine
from engine.batch.sweep import ABSENT, parse_varies, parse_vary, sweep, sweep_portfolio
from engine.errors import UsageError

BASIC = FIXTURES / "basic"
RIVERSIDE = CASES / "riverside-fqhc.yaml"
CASE = {
    "case_id": "s-1",
    "engagement": {"level": "inform", "target": "collaborate"},
    "power": {"differential": "high", "decision_making": "solo_leader"},
    "challenge": {"type": "adaptive"},
}


@pytest.fixture(scope="module")
def basic() -> Any:
    return load_engine([BASIC], shipped=False)


def ids(sw: Any, key_of: str) -> str:
    return next(k for k, item in sw.items.items() if item.rule_id == key_of)


def test_every_combination_is_evaluated_in_order(basic: Any) -> None:
    varies = parse_varies(["power.differential", "challenge.type=adaptive,technical"])
    assert varies[0].values == ("low", "moderate", "high")
    result = sweep(basic, case_from_data(CASE), varies)
    assert [v.values for v in result.variants] == list(
        itertools.product(("low", "moderate", "high"), ("adaptive", "technical"))
    )
    share = ids(result, "EQ-SHARE-POWER")
    assert [share in v.status for v in result.variants] == [False, False, False, False, True, True]


def test_levers_are_the_facts_that_add_or_remove_a_recommendation(basic: Any) -> None:
    result = sweep(basic, case_from_data(CASE), parse_varies(["power.differential", "challenge.type"]))
    levers = result.levers()
    assert levers[ids(result, "EQ-SHARE-POWER")] == {"power.differential": {"adds_removes"}}
    assert levers[ids(result, "FA-ADAPTIVE")] == {"challenge.type": {"adds_removes"}}
    data = result.to_dict()
    share = next(r for r in data["recommendations"] if r["rule_id"] == "EQ-SHARE-POWER")
    (lever,) = share["levers"]
    assert [(v["value"], v["present"]) for v in lever["by_value"]] == [("low", 0), ("moderate", 0), ("high", 3)]
    assert data["base"] == {"power.differential": "high", "challenge.type": "adaptive"}
    assert share["base"] == "now"


def test_a_fact_that_moves_nothing_is_no_lever(basic: Any) -> None:
    result = sweep(basic, case_from_data(CASE), parse_varies(["relationships.trust"]))
    assert result.levers() == {}
    assert result.to_dict()["facts"] == [
        {"fact": "relationships.trust", "adds_removes": 0, "moves_horizon": 0, "recommendations": 0}
    ]


def test_levers_agree_with_every_pair_of_variants_on_a_real_plan() -> None:
    """On riverside's 36-variant grid: a lever is claimed exactly when a one-fact change moves the item."""
    engine = load_engine()
    result = sweep(
        engine, load_case(RIVERSIDE), parse_varies(["engagement.level", "relationships.trust", "leadership.transition"])
    )
    levers = result.levers()
    expected: dict[str, dict[str, set[str]]] = {}
    valid = [v for v in result.variants if not v.error]
    for a, b in itertools.combinations(valid, 2):
        differ = [j for j in range(3) if a.values[j] != b.values[j]]
        if len(differ) != 1:
            continue
        fact = result.varies[differ[0]].path
        for key in result.items:
            sa, sb = a.status.get(key, ABSENT), b.status.get(key, ABSENT)
            if sa != sb:
                effect = "adds_removes" if ABSENT in (sa, sb) else "moves_horizon"
                expected.setdefault(key, {}).setdefault(fact, set()).add(effect)
    assert levers == expected
    assert any("moves_horizon" in effects for facts in levers.values() for effects in facts.values())
    assert any("adds_removes" in effects for facts in levers.values() for effects in facts.values())


def test_too_many_combinations_are_refused_with_the_sizes() -> None:
    with pytest.raises(UsageError) as err:
        parse_varies(["cfir.innovation.complexity", "cfir.inner_setting.culture", "engagement.level"], 100)
    problem = err.value.problems[0]
    assert problem.field == "--max" and problem.code == "too_many"
    assert (
        "216 variants (6 (cfir.innovation.complexity) x 6 (cfir.inner_setting.culture) x 6 (engagement.level))"
        in problem.message
    )
    assert "--max 216" in problem.hint
    assert len(parse_varies(["engagement.level"], 6)[0].values) == 6


def test_bad_vary_gets_the_whatif_messages() -> None:
    with pytest.raises(UsageError) as err:
        parse_vary("engagement.levle=inform")
    assert err.value.problems[0].file == "--vary" and "did you mean 'engagement.level'?" in err.value.problems[0].hint
    with pytest.raises(UsageError) as err:
        parse_vary("site")
    assert err.value.problems[0].code == "no_values" and "--vary site=A,B" in err.value.problems[0].hint
    with pytest.raises(UsageError) as err:
        parse_varies(["stage", "stage=installation"])
    assert err.value.problems[0].code == "duplicate"
    assert parse_vary("leadership.transition").values == (True, False)
    assert parse_vary("cfir.innovation.cost=-2,+1,none").values == (-2, 1, None)


def test_invalid_values_are_reported_by_the_case_model(basic: Any) -> None:
    result = sweep(basic, case_from_data(CASE), parse_varies(["engagement.level=inform,sometimes"]))
    bad = [v for v in result.variants if v.error]
    assert len(bad) == 1 and "engagement.level" in bad[0].error


def test_a_portfolio_sweep_counts_sites_per_lever(tmp_path: Path) -> None:
    src = tmp_path / "sites.jsonl"
    low = {**CASE, "case_id": "s-2", "power": {"differential": "low", "decision_making": "shared"}}
    src.write_text("\n".join(json.dumps(c) for c in (CASE, low, {"case_id": "bad", "stage": "x"})) + "\n")
    got = sweep_portfolio(
        [str(src)], parse_varies(["power.differential", "challenge.type"]), rules=[BASIC], shipped=False
    ).to_dict()
    assert got["cases"] == 2 and len(got["failed"]) == 1 and got["failed"][0]["line"] == 3
    by_fact = {f["fact"]: f for f in got["facts"]}
    assert by_fact["power.differential"]["sites_moved"] == 2
    assert {r["rule_id"]: r["sites"] for r in by_fact["power.differential"]["recommendations"]} == {"EQ-SHARE-POWER": 2}


def test_cli_sweep_formats_and_variants_file(runner: Any, tmp_path: Path) -> None:
    case = tmp_path / "c.json"
    case.write_text(json.dumps(CASE))
    base = ["sweep", str(case), "--vary", "power.differential", "--rules", str(BASIC), "--no-shipped"]
    table = runner.invoke(main, base)
    assert table.exit_code == 0, table.output
    assert "power.differential: 1 recommendations (1 added or removed" in table.output
    assert "EQ-SHARE-POWER: Share decision-making with the people most affected (as it is: now)" in table.output
    data = json.loads(runner.invoke(main, [*base, "-f", "json"]).stdout)
    assert data["variants"] == 3 and data["recommendations"][0]["rule_id"] == "EQ-SHARE-POWER"
    rows = list(csv.DictReader(io.StringIO(runner.invoke(main, [*base, "-f", "csv"]).stdout)))
    assert [(r["value"], r["present"]) for r in rows] == [("low", "0"), ("moderate", "0"), ("high", "1")]
    variants = tmp_path / "v.jsonl"
    res = runner.invoke(main, [*base, "--jsonl", str(variants)])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in variants.read_text().splitlines()]
    assert [x["set"] for x in lines] == [{"power.differential": v} for v in ("low", "moderate", "high")]
    assert "EQ-SHARE-POWER" in lines[2]["plan"]["now"] and "EQ-SHARE-POWER" not in str(lines[0]["plan"])


def test_cli_sweep_refusals(runner: Any, tmp_path: Path) -> None:
    case = tmp_path / "c.json"
    case.write_text(json.dumps(CASE))
    many = runner.invoke(main, ["sweep", str(case), "--vary", "stage", "--vary", "engagement.level", "--max", "10"])
    assert many.exit_code == 2 and "30 variants" in many.output and "Traceback" not in many.output
    typo = runner.invoke(main, ["sweep", str(case), "--vary", "power.diferential"])
    assert typo.exit_code == 2 and "did you mean 'power.differential'?" in typo.output
    portfolio = runner.invoke(main, ["sweep", str(tmp_path), "--vary", "stage", "--jsonl", str(tmp_path / "v")])
    assert portfolio.exit_code == 2 and "--jsonl" in portfolio.output


@pytest.mark.parametrize("columns", [80, 100, 140])
def test_sweep_table_fits_the_terminal(runner: Any, columns: int) -> None:
    res = runner.invoke(
        main,
        ["sweep", str(RIVERSIDE), "--vary", "relationships.trust", "--vary", "leadership.transition"],
        env={"COLUMNS": str(columns)},
    )
    assert res.exit_code == 0, res.output
    assert max(len(line) for line in res.stdout.splitlines()) <= columns
    portfolio = runner.invoke(
        main, ["sweep", str(CASES), "--vary", "leadership.transition"], env={"COLUMNS": str(columns)}
    )
    assert portfolio.exit_code == 0, portfolio.output
    assert max(len(line) for line in portfolio.stdout.splitlines()) <= columns
