"""No shown rationale asserts a case value the case does not state (issue 10, defect 1)."""

from __future__ import annotations

import re
from typing import Any

from engine import load_case
from engine.planlint import _VALUE_WORDS
from tests.conftest import CASES


def _claims(text: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(m.group(0), facts) for word, facts in _VALUE_WORDS.items()
            for m in re.finditer(rf"\b({word})\b", text, re.IGNORECASE)]


def test_every_shown_rationale_rests_on_stated_facts(shipped_engine: Any) -> None:
    bad = []
    for path in sorted(CASES.rglob("*.yaml")):
        case = load_case(path)
        facts = case.facts()
        result = shipped_engine.evaluate(case)
        shown = list(result.recommendations) + [h.recommendation for h in result.plan.held_back]
        for rec in shown:
            for phrase, needs in _claims(rec.rationale):
                if not any(f in facts for f in needs):
                    bad.append(f"{path.name}: {rec.rule_id} says '{phrase}' but the case states none of "
                               f"{', '.join(needs)}")
    assert not bad, "\n".join(bad)


def test_the_check_catches_an_unstated_claim() -> None:
    assert _claims("The site is installing with adequate capacity.")
    assert not _claims("The site's stage decides the next step.")
