"""An item's own words never contradict where the plan placed it: an item in Later does not say "this week",
"this month", "this quarter" or "the next (team) meeting", and one in Next does not say "this week" (a
senior practitioner's review of the third edition found such items). Checked on every shipped case and on 300 seeded synthetic ones
(bench/generate.py), so a rule that can land in Later is caught even when no shipped case puts it there."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from engine import load_case
from engine.evaluation.runner import Engine
from engine.model.case import Case
from engine.model.results import Result
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from generate import cases as generated  # noqa: E402

TOO_SOON = {
    "later": re.compile(
        r"\b(this week|this month|this quarter|the next (?:team |implementation team )?meeting|written now)\b",
        re.IGNORECASE,
    ),
    "next": re.compile(r"\bthis week\b", re.IGNORECASE),
}


def contradictions(result: Result, label: str) -> list[str]:
    found = []
    for rec, place in result.placed():
        pattern = TOO_SOON.get(place.horizon)
        if pattern is None:
            continue
        for text in (rec.title, *rec.actions):
            m = pattern.search(text)
            if m:
                found.append(f"{label}: {rec.rule_id} in {place.horizon} says {m.group(0)!r}: {text[:120]}")
    return found


def test_no_item_says_it_is_sooner_than_its_horizon(shipped_engine: Engine) -> None:
    found: list[str] = []
    for path in sorted(Path(ROOT / "cases").glob("*.yaml")):
        found += contradictions(shipped_engine.evaluate(load_case(path)), path.name)
    checked = 0
    for n, data in enumerate(generated(300, seed=7)):
        found += contradictions(shipped_engine.evaluate(Case.model_validate(data)), f"generated #{n}")
        checked += 1
    assert checked == 300
    assert not found, "\n".join(found[:20])
