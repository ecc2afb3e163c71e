"""Every matcher fires exactly the same rules, always: durable_rules, the compiled plain matcher,
and the explainer's evaluator (`conditions.holds`), on the shipped and on generated cases.

The explanation of a recommendation comes from the explainer; this is what makes it a faithful
account of why the matcher fired the rule. The durable side is skipped where durable_rules is not
installed (Python 3.13 and later); the other two are compared everywhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from engine import Engine, case_from_data, load_case
from engine.evaluation.matcher import durable_installed
from engine.evaluation.runner import Firing
from engine.model.conditions import holds
from engine.model.facts import Facts
from tests.conftest import CASES, FIXTURES
from tests.strategies import case_data

SHIPPED_CASES = sorted(CASES.glob("*.yaml")) + sorted((FIXTURES / "cases").glob("*.yaml"))


class _Explainer:
    """A session that evaluates each rule with the explainer's own evaluator."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def match(self, stratum: int, facts: Facts, new: Facts) -> list[str]:
        return [r.id for r in self.engine.strata[stratum] if holds(r.when, facts)]

    def close(self) -> None:
        return None

    def __enter__(self) -> _Explainer:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def explained(engine: Engine, facts: Facts) -> Firing:
    return engine._match(facts, _Explainer(engine))


@pytest.fixture(scope="module")
def engines(shipped_engine: Engine, basic_engine: Engine) -> list[tuple[Engine, Engine | None]]:
    """Each rule base with a durable engine beside it (None where durable_rules is absent)."""
    out = []
    for eng in (shipped_engine, basic_engine):
        out.append((eng, Engine(eng.base, "durable") if durable_installed() else None))
    return out


def _same(engines: list[tuple[Engine, Engine | None]], facts: Facts, by_durable: bool = True) -> None:
    """All matchers agree; `by_durable`: durable_rules itself matched (no fallback to the plain one)."""
    for eng, durable in engines:
        plain, reference = eng.fire_python(facts), explained(eng, facts)
        assert plain.fired == reference.fired and plain.derivations == reference.derivations
        if durable is not None:
            got = durable.fire(facts)
            if by_durable:
                assert not any("plain matcher" in w for w in got.warnings), "durable_rules did not match this case"
            assert got.fired == plain.fired and got.derivations == plain.derivations


@pytest.mark.parametrize("path", SHIPPED_CASES, ids=[p.name for p in SHIPPED_CASES])
def test_shipped_cases_fire_the_same_rules(engines: list[tuple[Engine, Engine | None]], path: Path) -> None:
    case = load_case(path)
    facts, _ = engines[0][0].case_facts(case)
    _same(engines, facts)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=case_data())
def test_generated_cases_fire_the_same_rules(engines: list[tuple[Engine, Engine | None]], data: dict) -> None:
    _same(engines, case_from_data(data).facts(), by_durable=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=case_data(cfir_share=1.0))
def test_generated_cases_with_many_ratings_fire_the_same_rules(
    engines: list[tuple[Engine, Engine | None]], data: dict
) -> None:
    facts = case_from_data(data).facts()
    for eng, durable in engines[:1]:
        plain = eng.fire_python(facts)
        assert plain.fired == explained(eng, facts).fired
        if durable is not None:  # beyond durable_rules' stack the case is matched by the plain matcher
            assert durable.fire(facts).fired == plain.fired
