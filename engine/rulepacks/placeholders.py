"""Placeholders in rule text: `{site}`, `{barriers}`, ... filled from the case, never evaluated.

The list is closed: a pack naming anything else fails to load (with a did-you-mean). Values are
plain text; every renderer escapes them like any other text. `{{` and `}}` stand for braces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from engine.model import vocabulary as v

PLACEHOLDERS: dict[str, str] = {
    "site": "the site",
    "innovation": "the innovation",
    "priority_populations": "the priority populations",
    "stage": "the current stage",
    "setting": "this setting",
    "engagement.level": "the current level of engagement",
    "engagement.target": "the level of engagement wanted",
    "engagement.next": "the next step up the engagement spectrum",
    "barriers": "the barriers rated here",
    "challenge": "the challenge the site names",
    "low_capacities": "the capacity rated low",
}
"""Name -> the phrase used when the case does not state it and the rule gives no fallback."""

FACTS_READ: dict[str, tuple[str, ...]] = {
    "site": ("site",),
    "innovation": ("innovation",),
    "priority_populations": ("equity.priority_populations",),
    "stage": ("stage",),
    "setting": ("setting",),
    "engagement.level": ("engagement.level",),
    "engagement.target": ("engagement.target",),
    "engagement.next": ("engagement.level",),
    "barriers": (),  # from the rule's proof, not from a fact
    "challenge": ("challenge.summary",),
    "low_capacities": tuple(f"capacity.{c}" for c in v.CAPACITY_TYPES),
}
"""Name -> the case facts its text is made from (`values_for` reads nothing else): a text using
only `{innovation}` is the same for every case with the same innovation, so it can be shared."""

_FIELD_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def names_in(text: str) -> list[str]:
    """The placeholder names a text uses, in order (escaped braces are not placeholders)."""
    return [m.group(1) for m in _FIELD_RE.finditer(text) if m.group(1) is not None]


def has_placeholders(text: str) -> bool:
    return "{" in text or "}" in text


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with each placeholder replaced by its value (all names were checked at load)."""
    if not has_placeholders(text):
        return text
    parts = _parsed.get(text)
    if parts is None:
        parts = _parse(text)
    out: list[str] = []
    ends_in_s = False
    for token, name in parts:
        if name is None:
            if ends_in_s and _POSSESSIVE.match(token):  # "Eastside Peacekeepers's team" reads badly
                token = token[0] + token[2:]
            out.append(token)
            ends_in_s = False
        else:
            value = values.get(name, PLACEHOLDERS.get(name, token))
            out.append(value)
            ends_in_s = value[-1:] in ("s", "S")
    return "".join(out)


_POSSESSIVE = re.compile(r"['’]s(?![A-Za-z0-9])")
"""A possessive 's right after a filled value: after a name ending in s it is written as a bare
apostrophe (Eastside Peacekeepers' team, the Nations' data)."""


PARSED_SIZE = 10_000
"""Parsed texts kept (rule texts: a rule base has a few thousand; emptied when full)."""

_parsed: dict[str, tuple[tuple[str, str | None], ...]] = {}


def _parse(text: str) -> tuple[tuple[str, str | None], ...]:
    """`text` as (literal text, None) and (the placeholder's token, its name) parts, parsed once."""
    parts: list[tuple[str, str | None]] = []
    at = 0
    for m in _FIELD_RE.finditer(text):
        if m.start() > at:
            parts.append((text[at:m.start()], None))
        token = m.group(0)
        if token in ("{{", "}}"):
            parts.append((token[0], None))
        else:
            parts.append((token, m.group(1)))
        at = m.end()
    if at < len(text):
        parts.append((text[at:], None))
    if len(_parsed) >= PARSED_SIZE:
        _parsed.clear()
    _parsed[text] = out = tuple(parts)
    return out


def _join(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _words(value: str) -> str:
    return value.replace("_", " ")


def next_level(level: Any) -> str | None:
    """One step up the Spectrum of Community Engagement to Ownership (None at the top or when unknown)."""
    levels = list(v.ENGAGEMENT_LEVELS)
    if level not in levels or level == levels[-1]:
        return None
    return levels[levels.index(level) + 1]


def _sentence_part(text: Any) -> str | None:
    """A free-text field as a phrase inside a sentence: whitespace collapsed, no closing full stop."""
    if not isinstance(text, str):
        return None
    return " ".join(text.split()).rstrip(".").strip() or None


_CAPACITY_WORDS = {"intervention_specific": "intervention-specific"}


def low_capacities(facts: Mapping[str, Any]) -> str | None:
    """The capacity types the case rates low, as one phrase ("general and analytic capacity")."""
    low = [_CAPACITY_WORDS.get(c, _words(c)) for c in v.CAPACITY_TYPES if facts.get(f"capacity.{c}") == "low"]
    return _join(low) + " capacity" if low else None


def case_values(facts: Mapping[str, Any]) -> dict[str, str | None]:
    """The placeholders' text that depends on the case alone (None where the case does not state
    it): the same for every rule, so an evaluation computes it once. `barriers` is per rule."""
    known: dict[str, str | None] = {
        "site": facts.get("site"),
        "innovation": facts.get("innovation"),
        "priority_populations": _join(facts.get("equity.priority_populations") or []) or None,
        "stage": _words(facts["stage"]) if "stage" in facts else None,
        "setting": _words(facts["setting"]) if "setting" in facts else None,
        "engagement.level": facts.get("engagement.level"),
        "engagement.target": facts.get("engagement.target"),
        "engagement.next": next_level(facts.get("engagement.level")),
        "barriers": None,
        "challenge": _sentence_part(facts.get("challenge.summary")),
        "low_capacities": low_capacities(facts),
    }
    for key in ("engagement.level", "engagement.target", "engagement.next"):
        if known[key]:
            known[key] = _words(str(known[key]))
    return known


def values_for(facts: Mapping[str, Any], barriers: Iterable[str], fallbacks: Mapping[str, str],
               known: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """Every placeholder's text for one case and one rule: the case's value, else the rule's fallback,
    else the documented default phrase. `barriers` are CFIR ids the rule matched as barriers;
    `known` is `case_values(facts)` when the caller already has it."""
    values = dict(case_values(facts) if known is None else known)
    values["barriers"] = _join(v.CFIR_IDS.get(b, b) for b in barriers) or None
    return {name: (val if val else fallbacks.get(name, PLACEHOLDERS[name])) for name, val in values.items()}


def reads(texts: Iterable[str]) -> frozenset[str]:
    """The placeholder names used across several texts."""
    return frozenset(n for t in texts for n in names_in(t))
