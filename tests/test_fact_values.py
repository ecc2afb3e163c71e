"""A fact's value is typed (engine/model/facts.py: `FactValue`): one scalar, or a list of ids. Every fact the
shipped and generated cases give the rules is one of those, and the narrowing helpers refuse what is not."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from conftest import CASES, ROOT

from engine import load_case
from engine.io.caseload import case_from_data
from engine.model.facts import FactValue, one_value, stage_value, text_value

sys.path.insert(0, str(ROOT / "bench"))
from generate import cases as generated  # noqa: E402


def _is_fact_value(value: FactValue) -> bool:
    if isinstance(value, list):
        return all(isinstance(x, str) for x in value)
    return value is None or isinstance(value, str | int | float | bool)


def test_every_fact_of_the_shipped_and_generated_cases_is_a_fact_value(shipped_engine: Any) -> None:
    cases = [load_case(p) for p in sorted(CASES.glob("*.yaml"))]
    cases += [load_case(p) for p in sorted((CASES / "over-time").glob("*.yaml"))]
    seen: set[str] = set()
    for case in cases + [case_from_data(data) for data in generated(200, seed=7)]:
        facts, _ = shipped_engine.case_facts(case)
        for path, value in facts.items():
            assert _is_fact_value(value), (case.case_id, path, value)
            seen.add(type(value).__name__)
    assert seen == {"str", "int", "bool", "list"}


def test_one_value_refuses_a_list() -> None:
    assert one_value(-2) == -2 and one_value("mixed") == "mixed" and one_value(None) is None
    with pytest.raises(TypeError, match=r"one value expected, not the list \['a'\]"):
        one_value(["a"])


def test_the_stage_and_text_values_are_read_only_when_they_are_what_they_claim() -> None:
    assert stage_value({"stage": "installation"}) == "installation"
    assert stage_value({"stage": "launch"}) is None and stage_value({}) is None
    assert text_value({"engagement.level": "consult"}, "engagement.level") == "consult"
    assert text_value({"scope.sites": 3}, "scope.sites") is None
