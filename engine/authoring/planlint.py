"""Lint checks of the plan fields: `after` cycles (also through tags), `after` and `supersedes` on
one pair, spectrum levels where they make no sense, and rationale variants that assert what their
conditions do not test (docs/plan.md)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from engine.model import vocabulary as v
from engine.model.checks import Finding
from engine.model.conditions import facts_read, tests_in
from engine.model.rules import Rule, RuleBase

NO_SPECTRUM = ("tailored_support", "capacity_building")
"""Categories whose advice is about the support system, not community engagement."""

_CAPACITY = tuple(f"capacity.{c}" for c in v.CAPACITY_TYPES)
_VALUE_WORDS: dict[str, tuple[str, ...]] = {
    "exploration|installation|installing|initial implementation|full implementation|sustainment": ("stage",),
    "adequate capacity|capacity is adequate|enough capacity": _CAPACITY,
    "(low|moderate|high) capacity|capacity is (low|moderate|high)": _CAPACITY,
    "(low|moderate|high) trust|trust is (low|moderate|high)": ("relationships.trust",),
    "(high|large|low|small) power (gap|differential)|power (gap|differential) is (high|large|low|small)": (
        "power.differential",
    ),
}
"""Phrases a rationale may use to state a case value, and the facts one of which must be tested for it."""


def plan_findings(base: RuleBase) -> list[Finding]:
    rules = [r for r in base.rules if not r.derive]
    from engine.authoring.contradictions import contradiction_findings

    return (
        after_cycles(rules)
        + same_pair(rules)
        + spectrum_misplaced(rules)
        + unsupported_rationales(rules)
        + unsupported_texts(rules)
        + specification_findings(rules)
        + contradiction_findings(base)
        + clashing_plan_fields(rules)
    )


_HORIZONS = ("now", "next", "later")


def clashing_plan_fields(rules: Sequence[Rule]) -> list[Finding]:
    """Plan fields that cannot all hold: time-bound (`urgent`, due now) but not before Next or Later, or
    due in a horizon before the earliest it may take."""
    out: list[Finding] = []
    for r in rules:
        earliest = _HORIZONS.index(r.not_before) if r.not_before else 0
        latest = 0 if r.urgent else _HORIZONS.index(r.due) if r.due else 2
        if latest < earliest:
            says = "urgent (due now)" if r.urgent else f"due: {r.due}"
            out.append(
                _f(
                    r,
                    "plan_fields_clash",
                    "error",
                    "not_before",
                    f"{says} but not_before: {r.not_before}: the item cannot be both",
                    "drop one of them: time-bound work goes first, roadmap work waits",
                )
            )
    return out


def _f(rule: Rule, code: str, severity: str, field: str, message: str, hint: str) -> Finding:
    return Finding(rule.file, rule.line, rule.id, code, severity, message, field, hint)  # type: ignore[arg-type]


def _targets(rule: Rule, rules: Sequence[Rule]) -> list[str]:
    out: list[str] = []
    for ref in rule.after:
        if ":" in ref:
            key, _, tag = ref.partition(":")
            out += [r.id for r in rules if r.id != rule.id and tag in r.tags.get(key, ())]
        else:
            out.append(ref)
    return out


def after_cycles(rules: Sequence[Rule]) -> list[Finding]:
    """Rules that follow themselves through `after` (directly, through other rules, or through tags)."""
    graph = {r.id: _targets(r, rules) for r in rules}
    by_id = {r.id: r for r in rules}
    found: list[Finding] = []
    reported: set[frozenset[str]] = set()
    for start in sorted(graph):
        path = _cycle_from(start, graph)
        if path and frozenset(path) not in reported:
            reported.add(frozenset(path))
            found.append(
                _f(
                    by_id[start],
                    "after_cycle",
                    "error",
                    "after",
                    "'after' cycle: " + " -> ".join(path + [path[0]]),
                    "one of these must not wait for the others; remove an 'after' link",
                )
            )
    return found


def _cycle_from(start: str, graph: dict[str, list[str]]) -> list[str] | None:
    stack = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in graph.get(node, ()):
            if nxt == start:
                return path
            if nxt not in seen and nxt in graph:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None


def same_pair(rules: Sequence[Rule]) -> list[Finding]:
    """`after` and `supersedes` naming the same rule: held back items are never placed, so `after` is moot."""
    return [
        _f(
            r,
            "after_and_supersedes",
            "warning",
            "after",
            f"names {t} in both 'after' and 'supersedes'",
            "keep 'supersedes' to hold it back, or 'after' to place it later, not both",
        )
        for r in rules
        for t in sorted(set(r.after) & set(r.supersedes))
    ]


def spectrum_misplaced(rules: Sequence[Rule]) -> list[Finding]:
    return [
        _f(
            r,
            "spectrum_category",
            "warning",
            "recommend.tags.spectrum_level",
            f"spectrum_level on a {r.category.replace('_', ' ')} rule",
            "the spectrum paces community-engagement work; tag equity, facilitation or ERIC engagement items",
        )
        for r in rules
        if r.tags.get("spectrum_level") and r.category in NO_SPECTRUM
    ]


def unsupported_rationales(rules: Sequence[Rule]) -> list[Finding]:
    """A rationale variant (or a single rationale) naming a case value its conditions do not test."""
    out: list[Finding] = []
    for r in rules:
        base = facts_read(r.when)
        texts = [(f"rationale[{i}]", var.text, base | facts_read(var.when)) for i, var in enumerate(r.variants)]
        texts.append(("rationale", r.rationale, base))
        for fld, text, tested in texts:
            found = _untested_value(r, text, tested)
            if found:
                out.append(
                    _f(
                        r,
                        "rationale_unsupported",
                        "warning",
                        fld,
                        found,
                        "test the fact in 'when' (or a rationale variant's), or reword the sentence",
                    )
                )
    return out


def _untested_value(rule: Rule, text: str, tested: frozenset[str]) -> str | None:
    """The message when `text` states a case value (a stage, a level) no condition of the rule tests."""
    if _tests_derived(rule):
        return None
    for word, facts in _VALUE_WORDS.items():
        if re.search(rf"\b({word})\b", text, re.IGNORECASE) and not any(f in tested for f in facts):
            return f"states a value ({word.split('|')[0]} ...) but no condition tests {' or '.join(facts[:3])}"
    return None


_RACE_AS_LANGUAGE = re.compile(
    r"languages?\s+(that\s+|which\s+)?\{priority_populations\}|\{priority_populations\}(['’]s?)?\s+(own\s+)?languages?"
    r"|\{priority_populations\}\s+(use|speak|read|prefer)\b[^.]*\blanguages?",
    re.IGNORECASE,
)
"""A text that makes the priority populations language groups ("in the languages {priority_populations}
use"): populations are often racial, ethnic or income groups, and the sentence is then false."""

LANGUAGE_FACTS = ("problem.language_access",)


def unsupported_texts(rules: Sequence[Rule]) -> list[Finding]:
    """Titles and actions (and their `texts:` variants) that state a case value no condition tests,
    or that treat the priority populations as language groups without a stated language need."""
    out: list[Finding] = []
    for r in rules:
        if r.derive:
            continue
        base = facts_read(r.when)
        texts = [("title", r.title, base)] + [(f"actions[{i}]", a, base) for i, a in enumerate(r.actions)]
        for i, c in enumerate(r.texts):
            tested = base | facts_read(c.when)
            texts += [(f"texts[{i}].title", c.title, tested)] if c.title else []
            texts += [(f"texts[{i}].actions[{j}]", a, tested) for j, a in enumerate(c.actions)]
        for fld, text, tested in texts:
            if _RACE_AS_LANGUAGE.search(text) and not any(f in tested for f in LANGUAGE_FACTS):
                out.append(
                    _f(
                        r,
                        "race_as_language",
                        "warning",
                        fld,
                        "treats the priority populations as language groups, but no condition tests a "
                        "stated language need (problem.language_access)",
                        "ask which languages people read, or move the sentence into a `texts:` variant "
                        "whose `when` tests problem.language_access",
                    )
                )
                continue
            found = _untested_value(r, text, tested)
            if found:
                out.append(
                    _f(
                        r,
                        "text_unsupported",
                        "warning",
                        fld,
                        found,
                        "test the fact in 'when' (or a text variant's), or reword the sentence",
                    )
                )
    return out


def _tests_derived(rule: Rule) -> bool:
    """Derived facts stand for case values the rule reads indirectly; trust the author there."""
    return any(t.fact.startswith("derived.") for t in tests_in(rule.when))


_FILLER = re.compile(
    r"^\s*(tbd|tba|todo|n/?a|none|unknown|to (be )?agree[d]?( with the team)?"
    r"|to be (decided|determined|agreed)|\?+|-+)\s*\.?\s*$",
    re.IGNORECASE,
)
_SPEC_FIELD = {
    "actor": "specification.actor",
    "target": "specification.target",
    "frequency": "specification.dose.frequency",
    "duration": "specification.dose.duration",
    "mechanism": "specification.mechanism",
}


def specification_findings(rules: Sequence[Rule]) -> list[Finding]:
    """Specification fields that only say 'not known' (leave them out: the plan then says 'to agree with
    the team'), and mechanisms whose source the rule does not cite."""
    out: list[Finding] = []
    for r in rules:
        for key, text in r.specification.items():
            if key in _SPEC_FIELD and _FILLER.match(text):
                out.append(
                    _f(
                        r,
                        "specification_filler",
                        "warning",
                        _SPEC_FIELD[key],
                        f"{_SPEC_FIELD[key]} says only {text!r}",
                        "leave the field out; the plan shows 'to agree with the team' wherever a rule is silent",
                    )
                )
        src = r.specification.get("mechanism_source")
        if src and src not in r.sources:
            out.append(
                _f(
                    r,
                    "mechanism_uncited",
                    "warning",
                    "specification.mechanism_source",
                    f"the mechanism's source '{src}' is not among the rule's sources",
                    f"add {src} to the rule's sources, so the recommendation cites what states the mechanism",
                )
            )
    return out
