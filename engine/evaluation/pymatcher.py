"""The plain matcher: conditions compiled to Python, no durable_rules.

Each stratum becomes one generated function (engine/evaluation/matchcode.py) that checks every distinct test
once; a test it does not inline is one closure from `compile_test`, built from the condition
tree's data: values and ranks are bound at compile time and nothing in a rule or a case is ever
evaluated as code. Semantics are `conditions.holds` exactly (a test on a missing
fact is false except `exists: false`; true/false never equal 1/0; `mixed` is not ordered), and
tests/test_crosscheck.py checks both against durable_rules on every case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine.evaluation.matchcode import compile_stratum
from engine.evaluation.matching import Stratum
from engine.evaluation.testcompile import Check, compile_test, ranker
from engine.model.facts import Facts

__all__ = ["Check", "PythonMatcher", "PythonSession", "compile_test", "ranker"]


class PythonMatcher:
    """Strata compiled to one function each (engine/evaluation/matchcode.py): identical tests and
    sub-conditions are checked once per case, however many rules share them."""

    name = "python"

    def __init__(self, strata: Sequence[Stratum]) -> None:
        self._strata = [compile_stratum(stratum, f"stratum {i}") for i, stratum in enumerate(strata)]

    def session(self) -> PythonSession:
        return PythonSession(self._strata)

    def close(self) -> None:
        return None

    def __enter__(self) -> PythonMatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PythonSession:
    """A session holds nothing: each stratum is matched against the facts as they stand."""

    def __init__(self, strata: list[Callable[[Facts], list[str]]]) -> None:
        self._strata = strata

    def match(self, stratum: int, facts: Facts, new: Facts) -> list[str]:
        return self._strata[stratum](facts)

    def close(self) -> None:
        return None

    def __enter__(self) -> PythonSession:
        return self

    def __exit__(self, *exc: object) -> None:
        return None
