"""Rule strata: which rules derive which facts, and the order they must run in.

A rule runs after every rule deriving a fact it reads; rules that depend on each other in a cycle
are refused. The runner matches stratum by stratum, and lint reports cycles with the same code,
without loading a matcher (or durable_rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from engine.errors import Problem, RuleError
from engine.model.facts import DERIVED_PREFIX
from engine.model.rules import Rule

MAX_STRATA = 32
"""Longest chain of derivations allowed: a guard against runaway derivation."""


def producers(rules: Iterable[Rule]) -> dict[str, list[Rule]]:
    """Derived fact path ('derived.<name>') -> the rules that derive it, in rule order."""
    out: dict[str, list[Rule]] = {}
    for r in rules:
        for name in r.derive:
            out.setdefault(DERIVED_PREFIX + name, []).append(r)
    return out


def stratify(rules: Sequence[Rule]) -> list[list[Rule]]:
    """Group rules into strata so that every rule runs after those deriving what it reads."""
    derives = producers(rules)
    level: dict[str, int] = {}
    problems: list[Problem] = []

    def visit(rule: Rule, stack: list[str]) -> int:
        if rule.id in level:
            return level[rule.id]
        if rule.id in stack:
            cycle = stack[stack.index(rule.id) :] + [rule.id]
            problems.append(
                rule.problem(
                    code="derivation_cycle",
                    message="derivation cycle: " + " -> ".join(cycle),
                    hint="a rule may not depend, directly or through others, on what it derives",
                )
            )
            return 0
        deps = [p for path in sorted(rule.reads()) for p in derives.get(path, [])]
        stack.append(rule.id)
        lvl = 1 + max((visit(p, stack) for p in deps), default=-1)
        stack.pop()
        if lvl >= MAX_STRATA and not problems:
            problems.append(
                rule.problem(
                    code="runaway_derivation",
                    message=f"derivation chain longer than {MAX_STRATA} steps",
                    hint="shorten the chain of derived facts",
                )
            )
        level[rule.id] = lvl
        return lvl

    for r in rules:
        visit(r, [])
    if problems:
        raise RuleError(problems)
    strata: list[list[Rule]] = [[] for _ in range(max(level.values(), default=0) + 1)]
    for r in rules:
        strata[level[r.id]].append(r)
    return strata
