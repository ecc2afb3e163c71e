"""`rules coverage --view eric`: which CFIR barriers reach each ERIC strategy, through which rules, on what
evidence; and the rule view's text fitting the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click.testing
import pytest
import yaml
from click.testing import CliRunner

from cli import main
from engine.authoring.ericview import eric_view, eric_view_of
from engine.model.ericreach import EricView
from engine.model.vocabulary import CFIR_DOMAINS, ERIC_STRATEGIES
from engine.rulepacks.loader import load_rulebase
from tests.conftest import CASES, FIXTURES
from tests.helpers import rec, write_pack

BASIC = str(FIXTURES / "basic")

SOURCES = {
    "sources": {
        "paper": {"citation": "A published paper with endorsement figures, long enough to pass."},
        "other": {"citation": "Another published source, long enough to pass validation."},
        "ours": {"citation": "No published source: the authors' reasoning, long enough.", "kind": "authors_judgement"},
    }
}

STRONG = {"fact": "cfir.innovation.adaptability", "equals": -2}


def eric_rule(rule_id: str, when: Any, strategies: list[str], **kw: Any) -> dict[str, Any]:
    tags = {"eric_strategy": strategies, **kw.pop("tags", {})}
    return rec(rule_id, when, category="implementation_strategy", tags=tags, **kw)


def pack(tmp_path: Path) -> Path:
    """A pack with one reach of each kind of evidence, a derived reach, a tag-only reach, a facilitator
    rule and a rule that recommends a strategy without any barrier."""
    folder = tmp_path / "eric_pack"
    rules = [
        eric_rule("R-FIGURE", STRONG, ["promote_adaptability"], score=73, sources=["paper"]),
        eric_rule(
            "R-FIGURE-L2",
            {"fact": "cfir.innovation.complexity", "in": [-1, "mixed"]},
            ["promote_adaptability"],
            score=40,
            sources=["paper"],
        ),
        eric_rule(
            "R-LEVEL",
            {"fact": "cfir.inner_setting.culture", "lte": -1},
            ["facilitation"],
            evidence_level=2,
            sources=["paper"],
        ),
        eric_rule(
            "R-CITED",
            {
                "any": [
                    {"fact": "cfir.process.teaming", "equals": -2},
                    {"fact": "cfir.process.teaming", "equals": "mixed"},
                ]
            },
            ["organize_clinician_implementation_team_meetings"],
            sources=["other"],
        ),
        eric_rule(
            "R-JUDGED",
            {"fact": "cfir.outer_setting.financing", "equals": -2},
            ["access_new_funding"],
            sources=["ours", "other"],
        ),
        # a facilitator is not a barrier; a test any rating passes is not one either
        eric_rule(
            "R-ASSET", {"fact": "cfir.individuals.motivation", "gte": 1}, ["identify_early_adopters"], sources=["other"]
        ),
        eric_rule(
            "R-ANY-RATING",
            {"fact": "cfir.individuals.capability", "exists": True},
            ["conduct_educational_meetings"],
            sources=["other"],
        ),
        # negated: "not a barrier" must not count as one
        eric_rule(
            "R-NOT", {"not": {"fact": "cfir.individuals.need", "equals": -2}}, ["increase_demand"], sources=["other"]
        ),
        # no barrier at all: the strategy is recommended, but no barrier reaches it
        eric_rule(
            "R-STAGE", {"fact": "stage", "equals": "exploration"}, ["conduct_local_needs_assessment"], sources=["other"]
        ),
        # no barrier test, but the author tags the construct
        eric_rule(
            "R-TAGGED",
            {"fact": "stage", "equals": "installation"},
            ["revise_professional_roles"],
            sources=["other"],
            tags={"cfir": ["inner_setting.structural_characteristics"]},
        ),
        # through a derived fact set on a barrier
        {
            "id": "D-MONEY",
            "when": {"fact": "cfir.inner_setting.available_resources.funding", "equals": -2},
            "derive": {"money_short": True},
        },
        eric_rule(
            "R-DERIVED", {"fact": "derived.money_short", "equals": True}, ["access_new_funding"], sources=["other"]
        ),
    ]
    write_pack(folder, rules, name="eric_pack", sources=False)
    (folder / "sources.yaml").write_text(yaml.safe_dump(SOURCES))
    return folder


@pytest.fixture(scope="module")
def shipped() -> EricView:
    return eric_view_of(())


@pytest.fixture()
def small(tmp_path: Path) -> EricView:
    return eric_view(load_rulebase([pack(tmp_path)], shipped=False))


def run(*args: str, columns: int = 100) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), env={"COLUMNS": str(columns)}, catch_exceptions=False)


def widest(text: str) -> int:
    return max(len(line.encode("utf-8")) for line in text.splitlines())


# ---------------------------------------------------------------- the library


def test_every_eric_strategy_is_listed_once_in_the_compilations_order(shipped: EricView) -> None:
    assert [s.strategy for s in shipped.strategies] == list(ERIC_STRATEGIES)
    assert len(shipped.strategies) == 73
    assert {s.strategy for s in shipped.reached} | {s.strategy for s in shipped.unreached} == set(ERIC_STRATEGIES)


def test_a_published_figure_reaches_its_strategy_from_its_barrier(shipped: EricView) -> None:
    """Waltz 2019 / the matching tool in Allen 2023: 73% chose 'Promote adaptability' for Adaptability."""
    s = shipped.strategy("promote_adaptability")
    assert s is not None and s.reached
    b = next(b for b in s.barriers if b.construct == "innovation.adaptability")
    assert (b.best.evidence, b.best.level, b.best.figure) == ("figure", 1, 73)
    assert {"waltz-2019", "allen-2023-iscomms"} <= set(b.best.sources)
    assert "SM-innovation.adaptability-promote_adaptability-2" in b.rules
    assert "SM-innovation.adaptability-promote_adaptability-2" in s.rules
    assert "innovation" in s.domains


def test_a_waltz_table_figure_and_a_judgement_row_keep_their_sources(shipped: EricView) -> None:
    s = shipped.strategy("audit_and_provide_feedback")
    assert s is not None
    b = next(b for b in s.barriers if b.construct == "process.reflecting_evaluating")
    assert (b.best.evidence, b.best.level, b.best.figure, b.best.sources) == ("figure", 1, 56, ("waltz-2019",))
    judged = [r for s in shipped.strategies for b in s.barriers for r in b.reaches if r.evidence == "judgement"]
    assert judged and all("isp-advisor-authors-judgement" in r.sources for r in judged)


def test_per_domain_counts_agree_with_the_strategies(shipped: EricView) -> None:
    domains = {d.domain: d for d in shipped.domains}
    assert list(domains) == list(CFIR_DOMAINS)
    for d in domains.values():
        assert d.strategies == sum(1 for s in shipped.strategies if d.domain in s.domains) > 0
        assert sum(d.by_evidence.values()) == d.strategies
        assert 0 < d.constructs_reaching <= d.constructs


def test_each_kind_of_evidence_and_path(small: EricView) -> None:
    def reach(strategy: str, construct: str) -> Any:
        s = small.strategy(strategy)
        assert s is not None
        return next(b for b in s.barriers if b.construct == construct).best

    r = reach("promote_adaptability", "innovation.adaptability")
    assert (r.evidence, r.level, r.figure, r.rule_id, r.via) == ("figure", 1, 73, "R-FIGURE", "condition")
    assert reach("promote_adaptability", "innovation.complexity").level == 2
    r = reach("facilitation", "inner_setting.culture")
    assert (r.evidence, r.level, r.figure) == ("level", 2, None)
    assert reach("organize_clinician_implementation_team_meetings", "process.teaming").evidence == "cited"
    r = reach("access_new_funding", "outer_setting.financing")
    assert (r.evidence, r.sources) == ("judgement", ("ours", "other"))
    r = reach("access_new_funding", "inner_setting.available_resources.funding")
    assert (r.rule_id, r.via, r.evidence) == ("R-DERIVED", "derived.money_short", "cited")
    r = reach("revise_professional_roles", "inner_setting.structural_characteristics")
    assert (r.rule_id, r.via) == ("R-TAGGED", "tag")


def test_facilitators_any_rating_and_negated_tests_are_not_barriers(small: EricView) -> None:
    for strategy, rule in [
        ("identify_early_adopters", "R-ASSET"),
        ("conduct_educational_meetings", "R-ANY-RATING"),
        ("increase_demand", "R-NOT"),
    ]:
        s = small.strategy(strategy)
        assert s is not None and not s.reached and s.other_rules == (rule,), strategy


def test_unreached_strategies_say_whether_any_rule_recommends_them(small: EricView) -> None:
    unreached = {s.strategy: s for s in small.unreached}
    assert unreached["conduct_local_needs_assessment"].other_rules == ("R-STAGE",)
    assert unreached["change_liability_laws"].other_rules == ()  # no rule at all
    assert "promote_adaptability" not in unreached
    assert len(small.reached) + len(unreached) == 73
    domains = {d.domain: d.strategies for d in small.domains}
    assert domains == {"innovation": 1, "outer_setting": 1, "inner_setting": 3, "individuals": 0, "process": 1}


# ---------------------------------------------------------------- the command


def test_json_is_complete_and_deterministic(tmp_path: Path) -> None:
    args = ("rules", "coverage", "--view", "eric", "-f", "json", "--no-shipped", "--rules", str(pack(tmp_path)))
    first, second = run(*args), run(*args)
    assert first.exit_code == 0 and first.output == second.output
    data = json.loads(first.output)
    assert [s["strategy"] for s in data["strategies"]] == list(ERIC_STRATEGIES)
    summary = data["summary"]
    assert summary["strategies"] == 73 and summary["reached"] + summary["unreached"] == 73
    unreached = {u["strategy"]: u for u in summary["unreached_strategies"]}
    assert unreached["change_liability_laws"]["other_rules"] == []
    promote = next(s for s in data["strategies"] if s["strategy"] == "promote_adaptability")
    barrier = next(b for b in promote["barriers"] if b["construct"] == "innovation.adaptability")
    assert (barrier["evidence"], barrier["level"], barrier["figure"]) == ("figure", 1, 73)
    assert barrier["sources"] == ["paper"]
    assert barrier["rules"][0]["rule_id"] == "R-FIGURE"
    assert [d["domain"] for d in summary["domains"]] == list(CFIR_DOMAINS)


def test_shipped_json_names_the_matching_tool_source() -> None:
    data = json.loads(run("rules", "coverage", "--view", "eric", "-f", "json").output)
    promote = next(s for s in data["strategies"] if s["strategy"] == "promote_adaptability")
    barrier = next(b for b in promote["barriers"] if b["construct"] == "innovation.adaptability")
    assert barrier["figure"] == 73 and "allen-2023-iscomms" in barrier["sources"]


@pytest.mark.parametrize("columns", [80, 100])
def test_eric_text_fits_the_terminal(columns: int) -> None:
    res = run("rules", "coverage", "--view", "eric", columns=columns)
    assert res.exit_code == 0
    assert widest(res.output) <= columns
    assert "Strategies reachable from each CFIR domain" in res.output
    assert "Promote adaptability [promote_adaptability]" in res.output
    if columns == 100:
        assert "  - innovation.adaptability: 73% of experts, Level 1 (waltz-2019, allen-2023-iscomms)\n" in res.output
    for name in CFIR_DOMAINS.values():
        assert name in res.output


def test_eric_text_names_barrier_source_and_unreached(tmp_path: Path) -> None:
    out = run("rules", "coverage", "--view", "eric", "--no-shipped", "--rules", str(pack(tmp_path)), columns=80).output
    assert widest(out) <= 80
    assert "- innovation.adaptability: 73% of experts, Level 1 (paper)\n    R-FIGURE\n" in out
    assert "- outer_setting.financing: the authors' judgement (ours, other)\n    R-JUDGED\n" in out
    assert "cited (other), via derived.money_short R-DERIVED" in " ".join(out.split())
    unreached = " ".join(out.split("No barrier reaches (", 1)[1].split("\n\n", 1)[0].split())
    assert "Change liability laws [change_liability_laws]: no rule" in unreached
    assert "[conduct_local_needs_assessment]: recommended without a barrier by R-STAGE" in unreached


def test_eric_markdown(tmp_path: Path) -> None:
    out = run(
        "rules", "coverage", "--view", "eric", "-f", "markdown", "--no-shipped", "--rules", str(pack(tmp_path))
    ).output
    assert out.startswith("# ERIC view of the rule packs\n")
    assert "| `innovation.adaptability` | 73% of experts, Level 1 | paper | `R-FIGURE` |" in out
    assert "| Innovation | 2/8 | 1 | 1 | 0 | 0 | 0 |" in out  # two constructs reach one strategy, by a figure


def test_eric_view_needs_no_cases_and_refuses_them() -> None:
    res = CliRunner().invoke(main, ["rules", "coverage", "--view", "eric", "--cases", str(CASES)])
    assert res.exit_code == 2 and "--cases" in res.output and "not used by --view eric" in res.output


def test_rule_view_still_needs_cases() -> None:
    res = CliRunner().invoke(main, ["rules", "coverage"])
    assert res.exit_code == 2 and "--cases" in res.output and "required" in res.output


# ---------------------------------------------------------------- the rule view at a width


@pytest.mark.parametrize("columns", [80, 100])
def test_rule_view_text_fits_the_terminal(columns: int) -> None:
    res = run("rules", "coverage", "--cases", str(CASES), columns=columns)
    assert res.exit_code == 0
    assert widest(res.output) <= columns
    data = json.loads(run("rules", "coverage", "--cases", str(CASES), "-f", "json").output)
    assert res.output.startswith(
        f"{data['cases']} cases, {len(data['rules'])} rules, {len(data['never_fired'])} never fired\n"
    )
    joined = res.output.replace("\n" + " " * 18, "")  # wrapped rule ids joined again
    for r in data["rules"]:
        assert r["rule_id"] in joined


def test_rule_view_keeps_the_one_table_when_it_fits() -> None:
    res = run("rules", "coverage", "--no-shipped", "--rules", BASIC, "--cases", str(FIXTURES / "cases"))
    lines = res.output.splitlines()
    assert lines[2].split() == ["rule", "kind", "cases", "share"]
    assert "gap-site: tailored_support, capacity_building" in res.output


def test_rule_view_markdown() -> None:
    out = run(
        "rules", "coverage", "--no-shipped", "--rules", BASIC, "--cases", str(FIXTURES / "cases"), "-f", "markdown"
    ).output
    assert out.startswith("# Rule coverage\n") and "| `SM-ADAPT-PROMOTE` |" in out
