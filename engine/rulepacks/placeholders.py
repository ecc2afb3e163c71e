"""Placeholders in rule text: `{site}`, `{barriers}`, `{derived.<name>}` ... filled from the case, never evaluated.

The list is closed: a pack naming anything else fails to load (with a did-you-mean). Values are
plain text; every renderer escapes them like any other text. `{{` and `}}` stand for braces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from engine.model import sitevocab as sv
from engine.model import vocabulary as v
from engine.model.dates import long_date

if TYPE_CHECKING:
    from engine.model.case import Case, Person
    from engine.model.sitefacts import AsOf

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

SITE_FAMILIES: dict[str, str] = {
    "person": "the name (else the role) of the first person listed in a group: {person:champion}",
    "people": "everyone listed in a group: {people:frontline_staff}",
    "event": "the date of an event: {event:launch.on} (the latest on or before the reference date, else the next)",
    "asset": "an asset as the case words it: {asset:existing_meeting}",
}
"""The site's own placeholders, `{family:id}`: filled only where the case states what they name."""

LEAVING = ("person:leaving", "person:leaving.until")
"""The first person leaving (leaders, sponsors and champions first) and their last day."""


def site_names() -> list[str]:
    """Every site placeholder name (for did-you-mean and the docs)."""
    return (
        [f"person:{g}" for g in sv.PEOPLE_GROUPS]
        + [f"people:{g}" for g in sv.PEOPLE_GROUPS]
        + list(LEAVING)
        + [f"event:{k}.on" for k in sv.EVENT_KINDS]
        + [f"asset:{k}" for k in sv.ASSET_KINDS]
    )


SITE_NAMES: frozenset[str] = frozenset(site_names())


DERIVED_NAME = re.compile(r"derived\.[a-z][a-z0-9_]*\Z")
"""`{derived.<name>}`: the word a `derive` block sets, e.g. the one support cadence every text of a plan
reads (`rules load` checks a rule derives it)."""


def derived_name(name: str) -> bool:
    return DERIVED_NAME.match(name) is not None


def known_name(name: str) -> bool:
    """A placeholder the language knows: one of PLACEHOLDERS, a site placeholder or a derived word."""
    return name in PLACEHOLDERS or name in SITE_NAMES or derived_name(name)


def all_names() -> list[str]:
    return [*PLACEHOLDERS, *site_names()]


def requires(name: str) -> tuple[str, ...]:
    """The fact paths one of which a rule's conditions must guarantee before its text may use the site
    placeholder `name` (a test on any of them, other than `exists: false`, means the case states it)."""
    if derived_name(name):
        return (name,)
    family, _, rest = name.partition(":")
    if name == "person:leaving":  # a day count until someone leaves means someone is leaving
        return tuple(f"people.{g}.{f}" for f in ("leaving", "leaving_days_until") for g in sv.PEOPLE_GROUPS)
    if name == "person:leaving.until":
        return tuple(f"people.{g}.leaving_days_until" for g in sv.PEOPLE_GROUPS)
    if family in ("person", "people"):
        return (f"people.{rest}.count",)
    if family == "event":
        kind = rest.removesuffix(".on")
        return (f"events.{kind}.days_since", f"events.{kind}.days_until")
    if family == "asset":
        return (f"assets.{rest}",)
    return ()


def _who(person: Person) -> str:
    """A person in running text: their name with the role, else 'the <role>'."""
    role = " ".join(person.role.split())
    if person.name:
        return f"{' '.join(person.name.split())} ({role})"
    return role if role[:4].lower() in ("the ", "our ") else f"the {role}"


def _everyone(members: list[Person]) -> str:
    """Everyone of a group in running text: 'the care managers, psychiatric consultants and primary care
    clinicians' (one article for roles alone), else each as `_who` says."""
    whos = [_who(p) for p in members]
    if len(whos) > 1 and all(w.startswith("the ") for w in whos):
        return "the " + _join(w[4:] for w in whos)
    return _join(whos)


def site_texts(case: Case, reference: AsOf | None) -> dict[str, str]:
    """The site placeholders' text for one case: only those the case can fill (see `requires`)."""
    out: dict[str, str] = {}
    people = [p for p in case.people or () if p.status != "left"]  # someone who has left is never named
    out.update(_people_texts(people))
    today = reference.date if reference else None
    out.update(_leaving_texts(people, today))
    if today:
        out.update(_event_texts(case, today))
    out.update(_asset_texts(case))  # its own prefix: never overrides the texts above
    return out


def _people_texts(people: list[Person]) -> dict[str, str]:
    """{person:<group>} and {people:<group>} for each group with someone staying."""
    out: dict[str, str] = {}
    for group in sv.PEOPLE_GROUPS:  # {person:<group>} names those who stay: no one leaving gets later work
        members = [p for p in people if p.group == group and p.status != "leaving"]
        if members:
            out[f"person:{group}"] = _who(members[0])
            out[f"people:{group}"] = _everyone(members)
    return out


def _leaving_texts(people: list[Person], today: str | None) -> dict[str, str]:
    """{person:leaving} (leaders, sponsors and champions first) and, when their date is known and not
    past, {person:leaving.until}."""
    out: dict[str, str] = {}
    leaving = sorted(
        (p for p in people if p.status == "leaving"), key=lambda p: p.group not in sv.LEADING_GROUPS
    )  # stable: case order within each
    dated = [p for p in leaving if p.until and today and p.until >= today]
    if leaving:  # the person named is the one whose date is given, when a date is known
        first = dated[0] if dated else leaving[0]
        out["person:leaving"] = _who(first)
        if first.until and dated:
            out["person:leaving.until"] = long_date(first.until)
    return out


def _event_texts(case: Case, today: str) -> dict[str, str]:
    """{event:<kind>.on} for each kind of event the case dates: the latest on or before `today`, else the next."""
    out: dict[str, str] = {}
    for kind in sv.EVENT_KINDS:
        dates = sorted(e.on for e in case.events or () if e.kind == kind)
        past = [d for d in dates if d <= today]
        when = past[-1] if past else next((d for d in dates if d > today), None)
        if when:
            out[f"event:{kind}.on"] = long_date(when)
    return out


def _asset_texts(case: Case) -> dict[str, str]:
    """{asset:<kind>} as the case words the first asset of each kind (else the kind in words)."""
    out: dict[str, str] = {}
    for asset in case.assets or ():
        name = f"asset:{asset.kind}"
        if name not in out:
            out[name] = " ".join((asset.summary or asset.kind.replace("_", " ")).split()).rstrip(".")
    return out


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
            parts.append((text[at : m.start()], None))
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
    for key, value in facts.items():  # the words `derive` blocks set: `{derived.support_cadence}`
        if isinstance(value, str) and key.startswith("derived.") and key.count(".") == 1:
            known[key] = value
    return known


def values_for(
    facts: Mapping[str, Any],
    barriers: Iterable[str],
    fallbacks: Mapping[str, str],
    known: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """Every placeholder's text for one case and one rule: the case's value, else the rule's fallback,
    else the documented default phrase. `barriers` are CFIR ids the rule matched as barriers;
    `known` is `case_values(facts)` (with the case's `site_texts`) when the caller already has it."""
    values = dict(case_values(facts) if known is None else known)
    values["barriers"] = _join(v.CFIR_IDS.get(b, b) for b in barriers) or None
    out = {name: (val if val else fallbacks.get(name) or PLACEHOLDERS.get(name, "")) for name, val in values.items()}
    for name, text in fallbacks.items():  # a site placeholder the case cannot fill, with the rule's fallback
        out.setdefault(name, text)
    return out


def reads(texts: Iterable[str]) -> frozenset[str]:
    """The placeholder names used across several texts."""
    return frozenset(n for t in texts for n in names_in(t))
