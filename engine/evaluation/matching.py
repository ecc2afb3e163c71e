"""What a matcher is (the interface) and what it is given, apart from which matchers exist.

engine/evaluation/matcher.py chooses and builds one; the two implementations
(durablematcher.py, pymatcher.py) import only this module of the three, so the interface, the
choice and the implementations depend on each other one way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from engine.model.conditions import Condition
from engine.model.facts import Facts

DURABLE_MAX_PROPERTIES = 255
"""durable_rules' fixed limit of properties in one fact (engine/evaluation/durablematcher.py holds to it)."""


Stratum = Sequence[tuple[str, Condition]]
"""A stratum's rules as (rule id, condition) pairs."""


class MatchSession(Protocol):
    """One case: `match` is called once per stratum, in order; `close` ends the case."""

    def match(self, stratum: int, facts: Facts, new: Facts) -> list[str]:
        """Ids of the stratum's rules whose condition holds on `facts` (`new`: what the previous
        strata derived, already in `facts`)."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> MatchSession: ...

    def __exit__(self, *exc: object) -> None: ...


class Matcher(Protocol):
    """Compiled strata (built by the constructor from a list of `Stratum`)."""

    name: str

    def session(self) -> MatchSession: ...

    def close(self) -> None:
        """Free what the matcher holds (idempotent)."""
        ...
