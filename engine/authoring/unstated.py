"""Lint checks that a rule never reads a yes/no fact's "not stated" like "no" (docs/rule-language.md,
"Yes/no facts are three-valued").

A case boolean (a case fact of kind bool that may be false: `leadership.transition`,
`equity.disparities_identified`, ...) is true, false or not stated. A test on a fact the case leaves
out fails, except `exists: false`; so `not: {fact: B, equals: true}` holds when B is not stated, and a
rule written that way gives the "no" advice to a case that never answered. Two findings:

- `unstated_as_no`: a test of B that, where the rule's condition puts it, holds when B is not stated
  but not when B is true (`not: {B equals true}`, `not: {B not_equals false}`), or that reads as
  "not true" (`{B not_equals true}`, which holds only on false but says "anything but yes").
- `unstated_unhandled`: a test that holds only when B is false (`{B equals false}`) while no rule of
  the loaded base tests B with `exists: false`: the case that leaves B blank silently gets nothing.

A rule with `unstated_ok: {reason: ...}` is exempt from both. Computed and derived facts are not case
booleans (the engine sets them), nor are `problem.*` and `assets.*` (they can only be true).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from engine.model.checks import Finding
from engine.model.conditions import MISSING, All, Any_, Condition, Missing, Not, Test, fmt_value, test_holds
from engine.model.facts import FACTS, Facts
from engine.model.rules import Rule, RuleBase

_VALUES = (True, False, MISSING)


def case_boolean(path: str) -> bool:
    """A case fact of kind bool that may be false (so "not stated" and "no" are different answers)."""
    spec = FACTS.get(path)
    return spec is not None and spec.kind == "bool" and any(v is False for v in spec.values)


def literals(cond: Condition, negated: bool = False) -> Iterator[tuple[Test, bool]]:
    """Every test of `cond` with whether it stands under an odd number of `not`s (its polarity once the
    negations are pushed down to the tests)."""
    if isinstance(cond, Test):
        yield cond, negated
    elif isinstance(cond, Not):
        yield from literals(cond.item, not negated)
    elif isinstance(cond, All | Any_):
        for item in cond.items:
            yield from literals(item, negated)


def truth(test: Test, negated: bool) -> tuple[bool, bool, bool]:
    """Whether the test, read with its polarity, holds when its fact is true, false, not stated."""
    out = []
    for value in _VALUES:
        facts: Facts = {} if isinstance(value, Missing) else {test.fact: value}
        held = test_holds(test, facts)
        out.append(held != negated)
    return out[0], out[1], out[2]


def _boolean_literals(rule: Rule) -> Iterator[tuple[Test, bool, tuple[bool, bool, bool]]]:
    for test, negated in literals(rule.when):
        if test.ref is None and case_boolean(test.fact):
            yield test, negated, truth(test, negated)


def _written(test: Test, negated: bool) -> str:
    text = f"{{fact: {test.fact}, {test.op}: {fmt_value(test.value)}}}"
    return f"not: {text}" if negated else text


def handled_facts(rules: Sequence[Rule]) -> set[str]:
    """Case booleans some rule tests for being not stated (`exists: false`, or `not: {exists: true}`)."""
    return {t.fact for r in rules for t, _, table in _boolean_literals(r) if table == (False, False, True)}


def unstated_findings(base: RuleBase) -> list[Finding]:
    """`unstated_as_no` and `unstated_unhandled` findings for every recommending and deriving rule."""
    handled = handled_facts(base.rules)
    out: list[Finding] = []
    for rule in base.rules:
        if rule.unstated_ok:
            continue
        as_no: dict[str, str] = {}
        unhandled: dict[str, str] = {}
        for test, negated, (if_true, if_false, if_unstated) in _boolean_literals(rule):
            if test.op == "exists":
                continue  # `exists` is the explicit way to handle "not stated"
            written = _written(test, negated)
            if if_unstated and not if_true:
                as_no.setdefault(
                    test.fact,
                    (
                        f"'{written}' holds when the case does not state {test.fact}: the rule treats "
                        f"'not stated' like 'no' and {_does(rule)} for a case that never answered"
                    ),
                )
            elif if_false and not if_true and not negated and test.op in ("not_equals", "not_in"):
                as_no.setdefault(
                    test.fact,
                    (
                        f"'{written}' reads as 'anything but yes', but holds only when the case says "
                        f"{test.fact} is false: write 'equals: false' so the rule says what it tests"
                    ),
                )
            if if_false and not if_true and not if_unstated and test.fact not in handled:
                unhandled.setdefault(
                    test.fact,
                    (
                        f"tests {test.fact} is false, but no rule handles it not stated: a case that leaves "
                        f"{test.fact} blank gets nothing about it"
                    ),
                )
        out += [
            _finding(
                rule,
                "unstated_as_no",
                msg,
                f"test '{{fact: {fact}, equals: false}}' and handle the unstated value in another rule "
                f"('{{fact: {fact}, exists: false}}'), or give 'unstated_ok: {{reason: ...}}' saying why "
                "'not stated' may be read as 'no' here",
            )
            for fact, msg in sorted(as_no.items())
        ]
        out += [
            _finding(
                rule,
                "unstated_unhandled",
                msg,
                f"add a rule that asks about {fact} when it is not stated ('{{fact: {fact}, exists: false}}'; "
                "the assessment pack's *-UNKNOWN rules are the model), or give 'unstated_ok: {reason: ...}'",
            )
            for fact, msg in sorted(unhandled.items())
        ]
    return out


def _does(rule: Rule) -> str:
    if rule.derive:
        return "derives " + ", ".join(f"{name}: {fmt_value(value)}" for name, value in rule.derive.items())
    return f"recommends '{rule.title}'"


def _finding(rule: Rule, code: str, message: str, hint: str) -> Finding:
    return Finding(rule.file, rule.line, rule.id, code, "error", message, "when", hint)
