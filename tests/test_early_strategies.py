"""Issue 21: champions, early adopters and facilitation are started before delivery, not left in Later.

Pins, on shipped cases, which item carries each strategy, the horizon it takes and the reason the plan gives
(`rank_reasons`), and checks that the before-delivery items stay in step with the strategy-matching rows they
hold back. Sources: docs/knowledge-base.md, "Champions, early adopters and facilitation before delivery".
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import load_case, load_engine

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases"


@functools.lru_cache(maxsize=1)
def _engine() -> Any:
    return load_engine()


@functools.cache
def _plan(case: str) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """rule id of each placed item -> (horizon, its reason factors, the rule ids it carries)."""
    result = _engine().evaluate(load_case(CASES / f"{case}.yaml"))
    return {
        rec.rule_id: (place.horizon, tuple(_factor(r) for r in place.reasons), tuple(rec.rule_ids))
        for rec, place in result.placed()
    }


def _factor(reason: Any) -> str:
    return reason["factor"] if isinstance(reason, dict) else reason.factor


@functools.cache
def _held(case: str) -> dict[str, str]:
    result = _engine().evaluate(load_case(CASES / f"{case}.yaml"))
    return {h.rule_id: h.by for h in result.plan.held_back}


def _carrier(case: str, strategy: str) -> list[tuple[str, str]]:
    """(rule id, horizon) of every placed item carrying an ERIC strategy as its own tag."""
    eng = _engine()
    return [
        (rid, h)
        for rid, (h, _, ids) in _plan(case).items()
        if any(strategy in eng.by_id[i].tags.get("eric_strategy", ()) for i in ids)
    ]


# ------------------------------------------------------------------------------------------ the shipped cases
# case, strategy, the item that carries it, horizon, reasons that must be among its rank_reasons
EXPECTED = [
    # Riverside, installing, complexity -2: before issue 21 champions sat in Later (folded into the
    # emerging-leaders item) and early adopters in Later (third ERIC item for Innovation Complexity).
    (
        "riverside-fqhc",
        "identify_and_prepare_champions",
        "CB-CHAMPIONS-BEFORE-DELIVERY",
        "next",
        {"barrier_severity", "stage_fit"},
    ),
    ("riverside-fqhc", "identify_early_adopters", "CB-FIRST-ADOPTERS", "next", {"barrier_severity", "stage_fit"}),
    # facilitation started with the intensive installation support (unchanged: it was already in Next)
    ("riverside-fqhc", "facilitation", "TS-INTENSIVE-EARLY", "next", {"stage_fit"}),
    # Harbor City, installing: facilitation with the intensive support, in Start here
    ("harbor-city-coordinated-entry", "facilitation", "TS-INTENSIVE-EARLY", "now", {"stage_fit"}),
    # Harborview, exploring, engaging recipients -1: champions by Next, after the fit assessment and after
    # listening to older adults first (they were a low-priority Next item ranked 14th)
    (
        "harborview-discharge-transitions",
        "identify_and_prepare_champions",
        "CB-CHAMPIONS-BEFORE-DELIVERY",
        "next",
        {"barrier_severity", "after"},
    ),
    # Salmon River Nation, exploring: deliberately still Later. The Nation's data governance comes first (Start
    # here), then the fit assessment (Next), and champions follow both: a sequence, not a missed early move.
    (
        "salmon-river-nation-diabetes",
        "identify_and_prepare_champions",
        "CB-CHAMPIONS-BEFORE-DELIVERY",
        "later",
        {"after"},
    ),
    # Westbrook, installing with capacity unstated: facilitation with the installation support, in Start here
    ("westbrook-library-literacy", "facilitation", "TS-INSTALLATION-UNSTATED", "now", {"stage_fit"}),
]


@pytest.mark.parametrize(
    ("case", "strategy", "rule", "horizon", "reasons"), EXPECTED, ids=[f"{c}-{s}" for c, s, *_ in EXPECTED]
)
def test_strategy_horizon_on_shipped_case(case: str, strategy: str, rule: str, horizon: str, reasons: set[str]) -> None:
    assert (rule, horizon) in _carrier(case, strategy), _carrier(case, strategy)
    got = set(_plan(case)[rule][1])
    assert reasons <= got, (rule, got)


def test_riverside_champion_and_early_adopter_rows_are_held_by_the_before_delivery_items() -> None:
    held = _held("riverside-fqhc")
    assert held["SM-innovation.complexity-identify_and_prepare-2"] == "CB-CHAMPIONS-BEFORE-DELIVERY"
    assert held["SM-innovation.complexity-identify_early_adopters-2"] == "CB-FIRST-ADOPTERS"
    # the emerging-leaders item no longer carries the champion strategy, so nothing folds into Later
    assert not any(
        s == "identify_and_prepare_champions"
        for s in _engine().by_id["CB-EMERGING-LEADERS-NONE"].tags.get("eric_strategy", ())
    )


@pytest.mark.parametrize(
    "case",
    ["riverside-fqhc", "red-cedar-tribal-youth", "eastside-violence-interruption", "harbor-city-coordinated-entry"],
)
def test_no_champion_early_adopter_or_facilitation_item_is_left_in_later_before_delivery(case: str) -> None:
    stage = yaml.safe_load((CASES / f"{case}.yaml").read_text(encoding="utf-8")).get("stage")
    if stage not in ("exploration", "installation"):
        pytest.skip("the before-delivery gating applies at exploration and installation")
    for strategy in ("identify_and_prepare_champions", "identify_early_adopters", "facilitation"):
        assert all(h != "later" for _, h in _carrier(case, strategy)), (strategy, _carrier(case, strategy))


@pytest.mark.parametrize(
    "case",
    ["riverside-fqhc", "red-cedar-tribal-youth", "eastside-violence-interruption", "harbor-city-coordinated-entry"],
)
def test_safety_and_relationship_items_keep_start_here(case: str) -> None:
    eng = _engine()
    for rid, (h, _, ids) in _plan(case).items():
        rules = [eng.by_id[i] for i in ids]
        if any(r.safety or r.precedence in ("safety", "relationship") for r in rules):
            assert h == "now", (rid, h)


# ------------------------------------------------------------------------------------------ rules in step
def _sm_rows(strategy: str) -> list[dict[str, Any]]:
    doc = yaml.safe_load((ROOT / "rules" / "strategy_matching.yaml").read_text(encoding="utf-8"))
    return [
        r
        for t in doc["tables"]
        for r in t.get("rows", [])
        if strategy in (r.get("tags", {}).get("eric_strategy") or [])
    ]


def _constructs_in(rule: Any) -> set[str]:
    """The cfir.* facts a rule's condition tests."""
    text = str(rule.when)
    return {c for c in _all_constructs() if f"cfir.{c}'" in text or f'cfir.{c}"' in text}


@functools.lru_cache(maxsize=1)
def _all_constructs() -> tuple[str, ...]:
    from engine.model import vocabulary as v

    return tuple(v.CFIR_IDS)


@pytest.mark.parametrize(
    ("rule_id", "strategy"),
    [
        ("CB-CHAMPIONS-BEFORE-DELIVERY", "identify_and_prepare_champions"),
        ("CB-FIRST-ADOPTERS", "identify_early_adopters"),
    ],
)
def test_before_delivery_items_follow_the_strategy_matching_rows(rule_id: str, strategy: str) -> None:
    rule = _engine().by_id[rule_id]
    rows = _sm_rows(strategy)
    assert set(rule.supersedes) == {r["id"] for r in rows}
    assert _constructs_in(rule) == {r["construct"] for r in rows}
    assert rule.due == "next" and set(rule.stages) <= {"exploration", "installation"}
    assert "exploration" not in rule.stages or strategy != "identify_early_adopters"
