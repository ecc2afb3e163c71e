"""durable_rules and the plain-Python explainer must fire exactly the same rules, always.

The explanation of a recommendation comes from the Python evaluator; this is what makes it a
faithful account of why durable_rules fired the rule.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from engine import Engine, case_from_data, load_case
from tests.conftest import CASES, FIXTURES
from tests.strategies import case_data

SHIPPED_CASES = sorted(CASES.glob("*.yaml")) + sorted((FIXTURES / "cases").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED_CASES, ids=[p.name for p in SHIPPED_CASES])
def test_shipped_cases_fire_the_same_rules(shipped_engine: Engine, basic_engine: Engine, path: Path) -> None:
    facts = load_case(path).facts()
    for eng in (shipped_engine, basic_engine):
        durable, python = eng.fire(facts), eng.fire_python(facts)
        assert durable.fired == python.fired
        assert durable.derivations == python.derivations


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=case_data())
def test_generated_cases_fire_the_same_rules(shipped_engine: Engine, basic_engine: Engine, data: dict) -> None:
    facts = case_from_data(data).facts()
    for eng in (shipped_engine, basic_engine):
        assert eng.fire(facts).fired == eng.fire_python(facts).fired


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=case_data(cfir_share=1.0))
def test_generated_cases_with_many_ratings_fire_the_same_rules(shipped_engine: Engine, data: dict) -> None:
    facts = case_from_data(data).facts()
    assert shipped_engine.fire(facts).fired == shipped_engine.fire_python(facts).fired
