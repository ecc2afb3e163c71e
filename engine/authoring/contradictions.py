"""Contradictions between two items of one plan, found with a lexicon of contrary phrases
(engine/data/contradictions.yaml): `rules lint` checks the packs (two rules whose conditions can hold
for one case and whose texts clash), and `plan_contradictions` checks a plan as filled in for a site.

A pair is resolved when one rule supersedes the other, one declares `conflicts_with` the other (the
planner then keeps only the better-ranked item), or the two share an item key (they are one item).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from engine.model.checks import Finding
from engine.model.conditions import All
from engine.model.facts import FactValue
from engine.model.results import Recommendation
from engine.model.rules import Rule, RuleBase


@dataclass(frozen=True)
class Contrary:
    """One entry of the lexicon: two contrary sides, or one rhythm whose stated values must agree."""

    id: str
    why: str
    says: re.Pattern[str] | None = None
    against: re.Pattern[str] | None = None
    differs: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Clash:
    """Two texts of one plan (or of two rules that can fire together) that contradict each other."""

    entry: str
    why: str
    first: str
    """The rule id (lint) or item key (a plan) of the first text."""
    second: str
    first_phrase: str
    second_phrase: str


@cache
def lexicon() -> tuple[Contrary, ...]:
    """The shipped lexicon, read once (plain data: nothing in it is executed)."""
    text = resources.files("engine.data").joinpath("contradictions.yaml").read_text(encoding="utf-8")
    return parse_lexicon(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


def parse_lexicon(data: Any) -> tuple[Contrary, ...]:
    """Entries checked for shape: an id, a `why`, and either `says` and `against` or `differs` with a
    group named `value` (a ValueError names the entry otherwise)."""
    out: list[Contrary] = []
    for i, entry in enumerate(data or []):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry.get("why"):
            raise ValueError(f"contradictions entry {i}: needs an 'id' and a 'why'")
        pats = {k: re.compile(entry[k], re.IGNORECASE) for k in ("says", "against", "differs") if entry.get(k)}
        pair = "says" in pats and "against" in pats
        if pair == ("differs" in pats) or ("differs" in pats and not _values_named(pats["differs"])):
            raise ValueError(
                f"contradictions entry {entry['id']}: give 'says' and 'against', or 'differs' with "
                "a group named 'value'"
            )
        out.append(Contrary(entry["id"], str(entry["why"]), pats.get("says"), pats.get("against"), pats.get("differs")))
    return tuple(out)


def _values_named(pattern: re.Pattern[str]) -> bool:
    """Every way the pattern can match captures a value: each top-level branch has a group named
    `value` (or `value_<n>`: Python's re names a group once)."""
    return "value" in pattern.groupindex


def _values(pattern: re.Pattern[str], texts: Iterable[str]) -> dict[str, str]:
    """Each value the pattern captures (lower case) -> the first phrase that states it."""
    out: dict[str, str] = {}
    for t in texts:
        for m in pattern.finditer(t):
            value = next(v for k, v in m.groupdict().items() if k.startswith("value") and v)
            out.setdefault(value.lower(), m.group(0))
    return out


def _first(pattern: re.Pattern[str] | None, texts: Iterable[str]) -> str | None:
    for t in texts:
        m = pattern.search(t) if pattern else None
        if m:
            return m.group(0)
    return None


def clash(entry: Contrary, a: Sequence[str], b: Sequence[str]) -> tuple[str, str] | None:
    """The two phrases by which texts `a` and `b` contradict each other under `entry`, or None."""
    if entry.differs is not None:
        va, vb = _values(entry.differs, a), _values(entry.differs, b)
        if va and vb and va.keys().isdisjoint(vb.keys()):
            return next(iter(va.values())), next(iter(vb.values()))
        return None
    for x, y in ((a, b), (b, a)):
        px, py = _first(entry.says, x), _first(entry.against, y)
        if px and py:
            return (px, py) if x is a else (py, px)
    return None


def rule_texts(rule: Rule) -> tuple[str, ...]:
    """What a rule tells people to do: its titles and actions, every text variant's too (rationales
    explain and are not checked)."""
    return (rule.title, *rule.actions, *(t for c in rule.texts for t in (c.title, *c.actions)))


def _resolved(a: Rule, b: Rule) -> bool:
    return (
        a.merge_key == b.merge_key
        or b.id in a.supersedes
        or a.id in b.supersedes
        or b.id in a.conflicts_with
        or a.id in b.conflicts_with
    )


def rule_clashes(
    rules: Sequence[Rule], derived_values: dict[str, list[FactValue]], entries: Sequence[Contrary] | None = None
) -> list[Clash]:
    """Pairs of recommending rules whose texts clash and whose conditions can hold for one case."""
    from engine.evaluation.satisfiable import witness

    entries = lexicon() if entries is None else entries
    recommending = [r for r in rules if not r.derive]
    texts = {r.id: rule_texts(r) for r in recommending}
    out: list[Clash] = []
    for entry in entries:
        pats = [p for p in (entry.says, entry.against, entry.differs) if p is not None]
        candidates = [r for r in recommending if any(p.search(t) for p in pats for t in texts[r.id])]
        for i, a in enumerate(candidates):
            for b in candidates[i + 1 :]:
                if _resolved(a, b):
                    continue
                found = clash(entry, texts[a.id], texts[b.id])
                if found and witness(All((a.when, b.when)), derived_values) is not None:
                    out.append(Clash(entry.id, entry.why, a.id, b.id, *found))
    return out


def contradiction_findings(base: RuleBase) -> list[Finding]:
    """`rules lint`'s warnings (code `contradiction`), one per clashing pair, on the first rule."""
    from engine.evaluation.satisfiable import derived_values

    by_id = {r.id: r for r in base.rules}
    out = []
    for c in rule_clashes(base.rules, derived_values(list(base.rules))):
        r = by_id[c.first]
        out.append(
            Finding(
                r.file,
                r.line,
                r.id,
                "contradiction",
                "warning",
                f"{c.first} says '{c.first_phrase}' and {c.second} says '{c.second_phrase}', and both "
                f"can fire for one case: {c.why}",
                "recommend",
                f"reword one of them, or declare `supersedes: [{c.second}]` or `conflicts_with: "
                f"[{c.second}]` so a plan keeps one",
            )
        )
    return out


def plan_contradictions(recs: Sequence[Recommendation], entries: Sequence[Contrary] | None = None) -> list[Clash]:
    """Pairs of items of one plan (its recommendations as filled in for the site, folded actions
    included by the caller's choice of texts) whose texts clash."""
    entries = lexicon() if entries is None else entries
    texts = [(r.key or r.rule_id, (r.title, *r.actions)) for r in recs]
    out: list[Clash] = []
    for entry in entries:
        for i, (ka, ta) in enumerate(texts):
            for kb, tb in texts[i + 1 :]:
                found = clash(entry, ta, tb)
                if found:
                    out.append(Clash(entry.id, entry.why, ka, kb, *found))
    return out
