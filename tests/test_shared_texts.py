"""Recommendations whose text is filled from the case are shared only between cases whose facts
give the same text: placeholders.FACTS_READ must name every fact a placeholder's text reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.rulepacks.placeholders import FACTS_READ, PLACEHOLDERS, values_for
from tests.helpers import engine_for, rec

BASE: dict[str, Any] = {
    "site": "Alder clinic",
    "innovation": "Care Navigation",
    "equity.priority_populations": ["farmworkers"],
    "stage": "installation",
    "setting": "community_based",
    "engagement.level": "consult",
    "engagement.target": "collaborate",
    "challenge.summary": "Referrals stall.",
    "capacity.general": "low",
    "capacity.analytic": "moderate",
    "capacity.adaptive": "low",
    "capacity.intervention_specific": "high",
}
OTHER: dict[str, Any] = {
    "site": "Birch centre",
    "innovation": "Peer Support",
    "equity.priority_populations": ["veterans", "elders"],
    "stage": "exploration",
    "setting": "school",
    "engagement.level": "involve",
    "engagement.target": "defer_to",
    "challenge.summary": "Staff turnover.",
    "capacity.general": "high",
    "capacity.analytic": "low",
    "capacity.adaptive": "moderate",
    "capacity.intervention_specific": "low",
}


def test_every_placeholder_says_which_facts_it_reads() -> None:
    assert set(FACTS_READ) == set(PLACEHOLDERS)


def test_a_placeholder_changes_only_with_the_facts_it_reads() -> None:
    for name, reads in FACTS_READ.items():
        others = {k: v for k, v in OTHER.items() if k not in reads}
        assert values_for({**BASE, **others}, [], {})[name] == values_for(BASE, [], {})[name], name
        if reads:
            moved = {**BASE, **{k: OTHER[k] for k in reads}}
            assert values_for(moved, [], {})[name] != values_for(BASE, [], {})[name], name


def test_a_shared_recommendation_keeps_each_case_s_own_words(tmp_path: Path) -> None:
    cond = {"fact": "stage", "exists": True}
    rules = [
        rec("ONE", cond, title="Brief {innovation}", actions=["Train staff on {innovation}."]),
        rec("TWO", cond, title="Visit {site}", actions=["Meet the team at {site}."]),
    ]
    engine = engine_for(tmp_path, rules)
    seen = []
    for facts in (BASE, {**BASE, "site": "Birch centre"}, {**BASE, "innovation": "Peer Support"}):
        result = engine.evaluate_facts(dict(facts), "t")
        seen.append({r["rule_id"]: (r["title"], r["actions"]) for r in result.to_dict()["recommendations"]})
    assert seen[0]["ONE"] == seen[1]["ONE"] == ("Brief Care Navigation", ["Train staff on Care Navigation."])
    assert seen[1]["TWO"] == ("Visit Birch centre", ["Meet the team at Birch centre."])
    assert seen[2]["ONE"] == ("Brief Peer Support", ["Train staff on Peer Support."])
    assert seen[2]["TWO"] == seen[0]["TWO"] == ("Visit Alder clinic", ["Meet the team at Alder clinic."])


def test_fill_keeps_escaped_and_stray_braces_as_written() -> None:
    from engine.rulepacks.placeholders import fill

    values = {"site": "Alder", "innovation": "CN"}
    for _ in range(2):  # the second time from the parsed form
        assert fill("{{site}} at {site}: {innovation}}} {", values) == "{site} at Alder: CN} {"
        assert fill("{unknown} {site}", values) == "{unknown} Alder"
        assert fill("{stage}", values) == PLACEHOLDERS["stage"]
        assert fill("", values) == ""
