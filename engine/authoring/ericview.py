"""The ERIC view of the knowledge base: for each of the 73 ERIC strategies, which CFIR barriers reach it
in the loaded rule packs, through which rules, and on what evidence.

A rule *reaches* strategy S from construct C when it carries `eric_strategy: [S]` and

- its condition holds a test on `cfir.C` that only a barrier rating satisfies (-2, -1 or mixed, never
  0, +1 or +2), outside any `not` ("condition"); or
- it tests a derived fact that a derivation rule sets on such a barrier test ("derived.<name>"); or
- it has no barrier test at all but is tagged `cfir: [C]` by its author ("tag").

The evidence of a reach is read from the rule, the way the plan ranks it (engine/plan/planner.py):

- "figure": the rule's score is the published percentage of experts (Level 1 at least 50%, Level 2 20-49%);
- "level": a published Level 1 or 2 membership without a figure (`evidence_level`);
- "judgement": the rule cites a source of kind `authors_judgement`;
- "cited": a published source that gives no figure or level for the pair (e.g. the matching tool read in
  reverse, or the literature behind a rule that is not a matching row);
- "uncited": the rule cites nothing.

Everything is computed from a RuleBase alone, deterministically, into the plain data of engine/model/ericreach.py;
engine/render/coveragereport.py draws it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from engine.model.conditions import All, Any_, Condition, Not, Test, test_holds
from engine.model.ericreach import BarrierReach, EricView, Reach, StrategyReach
from engine.model.rules import Rule, RuleBase
from engine.model.vocabulary import CFIR_DOMAINS, CFIR_IDS, ERIC_CLUSTERS, MIXED, cfir_domain

__all__ = ["barrier_links", "eric_view", "eric_view_of", "evidence_of"]

BARRIER_RATINGS: tuple[int | str, ...] = (-2, -1, MIXED)
OTHER_RATINGS: tuple[int | str, ...] = (0, 1, 2)


# ---------------------------------------------------------------- computing it


def eric_view(base: RuleBase) -> EricView:
    """The ERIC view of a loaded RuleBase."""
    derived = _barrier_derived(base.rules)
    found: dict[str, dict[str, list[Reach]]] = {}
    others: dict[str, set[str]] = {}
    for rule in base.rules:
        tagged = rule.tags.get("eric_strategy", ())
        if not tagged or rule.derive:
            continue
        links = barrier_links(rule, derived)
        evidence, level, figure = evidence_of(rule, base)
        for s in tagged:
            if not links:
                others.setdefault(s, set()).add(rule.id)
            for construct, via in links.items():
                found.setdefault(s, {}).setdefault(construct, []).append(
                    Reach(construct, rule.id, rule.pack, evidence, level, figure, rule.sources, via)
                )
    strategies: list[StrategyReach] = []
    for cluster, (_, ids) in ERIC_CLUSTERS.items():
        for s in ids:
            by_construct = found.get(s, {})
            barriers = tuple(
                BarrierReach(c, tuple(sorted(rs, key=lambda r: (r.rank, r.rule_id))))
                for c, rs in sorted(by_construct.items(), key=lambda kv: _cfir_order(kv[0]))
            )
            strategies.append(StrategyReach(s, cluster, barriers, tuple(sorted(others.get(s, ())))))
    return EricView(tuple((p.name, p.version) for p in base.packs), tuple(strategies))


def eric_view_of(extra: Sequence[str | os.PathLike[str]] = ()) -> EricView:
    """The ERIC view of the packs `load_rulebase(extra)` loads (the shipped ones unless `extra` says not)."""
    from engine.rulepacks.loader import load_rulebase

    return eric_view(load_rulebase(extra))


def evidence_of(rule: Rule, base: RuleBase) -> tuple[str, int | None, float | None]:
    """(kind, level, figure) of a rule's barrier-to-strategy link; see the module's docstring."""
    declared = rule.evidence_level or None
    if rule.score > 0:
        level = 1 if rule.score >= 50 or declared == 1 else 2 if rule.score >= 20 or declared == 2 else None
        return "figure", level, rule.score
    if declared:
        return "level", declared, None
    if not rule.sources:
        return "uncited", None, None
    kinds = {base.sources[k].kind if k in base.sources else "literature" for k in rule.sources}
    return ("judgement" if "authors_judgement" in kinds else "cited"), None, None


def barrier_links(rule: Rule, derived: dict[str, dict[str, tuple[Any, ...]]] | None = None) -> dict[str, str]:
    """The constructs whose barrier rating makes the rule's condition able to hold, each with how
    ('condition', 'derived.<name>' or 'tag'); empty when the rule answers no barrier."""
    out: dict[str, str] = {}
    for test in _positive_tests(rule.when):
        for c in _barrier_construct(test):
            out.setdefault(c, "condition")
    for test in _positive_tests(rule.when):
        for c in _derived_barriers(test, derived or {}):
            out.setdefault(c, test.fact)
    if not out:
        out = {c: "tag" for c in rule.tags.get("cfir", ()) if c in CFIR_IDS}
    return dict(sorted(out.items(), key=lambda kv: _cfir_order(kv[0])))


def _positive_tests(cond: Condition, negated: bool = False) -> Iterator[Test]:
    """The tests a condition needs to hold (those under an odd number of `not`s are left out)."""
    if isinstance(cond, Test):
        if not negated:
            yield cond
    elif isinstance(cond, Not):
        yield from _positive_tests(cond.item, not negated)
    elif isinstance(cond, (All, Any_)):
        for item in cond.items:
            yield from _positive_tests(item, negated)


def _barrier_construct(test: Test) -> tuple[str, ...]:
    """The construct of a `cfir.*` test that only a barrier rating satisfies; () otherwise."""
    if not test.fact.startswith("cfir.") or test.ref is not None:
        return ()
    construct = test.fact[len("cfir.") :]
    if construct not in CFIR_IDS:
        return ()
    holds_for = [v for v in (*BARRIER_RATINGS, *OTHER_RATINGS) if test_holds(test, {test.fact: v})]
    if holds_for and all(v in BARRIER_RATINGS for v in holds_for):
        return (construct,)
    return ()


def _derived_barriers(test: Test, derived: dict[str, dict[str, tuple[Any, ...]]]) -> tuple[str, ...]:
    """Constructs behind a test on a derived fact: those whose barrier makes a derivation set a value
    the test accepts."""
    if test.ref is not None or test.fact not in derived:
        return ()
    return tuple(c for c, values in derived[test.fact].items() if any(test_holds(test, {test.fact: v}) for v in values))


def _barrier_derived(rules: Sequence[Rule]) -> dict[str, dict[str, tuple[Any, ...]]]:
    """'derived.<name>' -> {construct: the values derivations set on that construct's barrier}, through
    chains of derivations (to a fixed point)."""
    out: dict[str, dict[str, tuple[Any, ...]]] = {}
    derivations = [r for r in rules if r.derive]
    changed = True
    while changed:
        changed = False
        for r in derivations:
            constructs = {c for t in _positive_tests(r.when) for c in _barrier_construct(t)}
            constructs |= {c for t in _positive_tests(r.when) for c in _derived_barriers(t, out)}
            for key, value in r.derive.items():
                slot = out.setdefault(f"derived.{key}", {})
                for c in constructs:
                    if value not in slot.get(c, ()):
                        slot[c] = (*slot.get(c, ()), value)
                        changed = True
    return {k: v for k, v in out.items() if v}


_ORDER = {c: i for i, c in enumerate(CFIR_IDS)}


def _cfir_order(construct: str) -> tuple[int, int, int, str]:
    """CFIR ids in the framework's order: domain by domain, each subconstruct after its construct, unknown
    ids last."""
    domains = list(CFIR_DOMAINS)
    domain = domains.index(cfir_domain(construct)) if cfir_domain(construct) in domains else len(domains)
    parent = ".".join(construct.split(".")[:2])
    return (domain, _ORDER.get(parent, len(_ORDER)), _ORDER.get(construct, len(_ORDER)), construct)
