"""No shown rationale asserts a case value the case does not state (issue 10, defect 1)."""

from __future__ import annotations

import re
from typing import Any

from engine import load_case
from engine.authoring.planlint import _VALUE_WORDS
from engine.model.conditions import MISSING
from tests.conftest import CASES


def _claims(text: str) -> list[tuple[str, tuple[str, ...]]]:
    return [
        (m.group(0), facts)
        for word, facts in _VALUE_WORDS.items()
        for m in re.finditer(rf"\b({word})\b", text, re.IGNORECASE)
    ]


def _stated(trace: Any, out: set[str]) -> set[str]:
    """Every fact a proof shows with a value (the case's own, or one combined from its perspectives)."""
    if trace.op == "test":
        if trace.actual is not MISSING and not trace.fact.startswith("derived."):
            out.add(trace.fact)
        if trace.derived_from is not None:
            _stated(trace.derived_from.condition, out)
    for child in trace.children:
        _stated(child, out)
    return out


def test_every_shown_rationale_rests_on_stated_facts(shipped_engine: Any) -> None:
    bad = []
    for path in sorted(CASES.rglob("*.yaml")):
        case = load_case(path)
        result = shipped_engine.evaluate(case)
        shown = list(result.recommendations) + [h.recommendation for h in result.plan.held_back]
        for rec in shown:
            facts = case.facts().keys() | {f for p in rec.explanation for f in _stated(p.condition, set())}
            for phrase, needs in _claims(rec.rationale):
                if not any(f in facts for f in needs):
                    bad.append(
                        f"{path.name}: {rec.rule_id} says '{phrase}' but the case states none of {', '.join(needs)}"
                    )
    assert not bad, "\n".join(bad)


def test_the_check_catches_an_unstated_claim() -> None:
    assert _claims("The site is installing with adequate capacity.")
    assert not _claims("The site's stage decides the next step.")


def test_every_shipped_recommending_rule_serves_an_implementation_outcome(shipped_engine: Any) -> None:
    missing = [r.id for r in shipped_engine.rules if not r.derive and not r.tags.get("implementation_outcome")]
    assert not missing, missing
    for path in sorted(CASES.rglob("*.yaml")):
        result = shipped_engine.evaluate(load_case(path))
        if result.recommendations:
            assert any(r.tags.get("implementation_outcome") for r in result.recommendations), path.name
