"""The site summary shared by the HTML and Markdown reports: what the case says, in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.model import vocabulary as v
from engine.model.case import Asset, Case, Event, Person
from engine.model.conditions import fmt_value
from engine.model.fields import FIELDS, CaseField

NOT_STATED = "not stated"


def _word(value: Any) -> str:
    if value is None:
        return NOT_STATED
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "; ".join(str(x) for x in value) or NOT_STATED
    return str(value).replace("_", " ")


def field_text(case: Case, f: CaseField) -> str:
    """One registry field of the case as words ("not stated" when the case leaves it out)."""
    section, _, key = f.path.partition(".")
    value: Any = getattr(case, section)
    if key and value is not None:
        value = getattr(value, key)
    if value is None or value == []:
        return NOT_STATED
    if f.kind in _ENTRIES:
        return "; ".join(_ENTRIES[f.kind](x) for x in value)
    if f.kind in ("text", "id", "date"):
        return str(value)
    if f.kind == "tags":
        return "; ".join(t.replace("_", " ") for t in value)
    if f.path.startswith("engagement."):  # the spectrum's own name for the level
        return _with_level(value)
    return _word(value)


def _person(p: Person) -> str:
    status = (f", {p.status}" + (f" {p.until}" if p.until else "")) if p.status else ""
    stance = f", {p.stance}" if p.stance else ""
    return (f"{p.name}, " if p.name else "") + f"{p.role} ({p.group.replace('_', ' ')}{stance}{status})"


def _event(e: Event) -> str:
    return f"{e.kind.replace('_', ' ')} on {e.on}" + (f": {e.summary}" if e.summary else "")


def _asset(a: Asset) -> str:
    return a.kind.replace("_", " ") + (f": {a.summary}" if a.summary else "")


_ENTRIES: dict[str, Callable[[Any], str]] = {"people": _person, "events": _event, "assets": _asset}
"""The list fields whose entries are written one by one, by field kind."""


def _with_level(level: str | None) -> str:
    """An engagement level with the spectrum's own name for it: 'consult (Consult)'."""
    return _word(level) + (f" ({v.ENGAGEMENT_LEVELS[level]})" if level else "")


def _of(part: object, name: str) -> Any:
    """A field of a case section, None when the case leaves the whole section out."""
    return getattr(part, name) if part is not None else None


def case_rows(case: Case) -> list[tuple[str, str]]:
    """(label, value) for every case field, in the registry's order: the report's "case in full"."""
    return [(f.label, field_text(case, f)) for f in FIELDS]


_EQUITY = (
    ("disparities identified", "disparities_identified"),
    ("structural racism acknowledged", "structural_racism_acknowledged"),
    ("community-defined evidence", "community_defined_evidence"),
    ("cultural adaptation", "cultural_adaptation"),
)
"""The equity section's yes/no facts as the summary words them."""


def summary_rows(case: Case) -> list[tuple[str, str]]:
    """(label, value) pairs for the report's site summary; unstated facts say so."""
    c = case
    ch, en, le, eq = c.challenge, c.engagement, c.leadership, c.equity
    rows: list[tuple[str, str]] = [
        ("Site", c.site or NOT_STATED),
        ("Innovation", c.innovation or NOT_STATED),
        ("Setting", _word(c.setting)),
        ("Stage", _word(c.stage)),
        ("Challenge", _word(_of(ch, "type")) + (f": {ch.summary}" if ch and ch.summary else "")),
        ("Community engagement", _with_level(_of(en, "level")) + " → wanted: " + _with_level(_of(en, "target"))),
        ("Power differential", _word(_of(c.power, "differential"))),
        ("Decision making", _word(_of(c.power, "decision_making"))),
        ("Trust", _word(_of(c.relationships, "trust"))),
        ("Capacity", ", ".join(f"{k.replace('_', '-')} {_word(_of(c.capacity, k))}" for k in v.CAPACITY_TYPES)),
        (
            "Leadership",
            f"transition under way: {_word(_of(le, 'transition'))}; "
            f"emerging leaders cultivated: {_word(_of(le, 'emerging_leaders'))}",
        ),
        ("Priority populations", _word(_of(eq, "priority_populations"))),
        ("Equity", "; ".join(f"{label}: {_word(_of(eq, key))}" for label, key in _EQUITY)),
    ]
    if c.notes:
        rows.append(("Notes", c.notes))
    return rows


def cfir_by_domain(case: Case) -> dict[str, list[tuple[str, str, int | str | None]]]:
    """CFIR ids per domain, in framework order: {domain: [(id, name, rating)]}.

    Each rated subconstruct comes right after its own construct; when that construct is not rated,
    it is listed anyway with rating None, as the heading of its subconstructs, so a subconstruct is
    never shown under the wrong parent (e.g. Reflecting & Evaluating's 'Implementation' after Planning).
    """
    ratings = case.cfir or {}
    out: dict[str, list[tuple[str, str, int | str | None]]] = {d: [] for d in v.CFIR_DOMAINS}
    for cid, name in v.CFIR_CONSTRUCTS.items():
        subs = [
            (s, v.CFIR_SUBCONSTRUCTS[s], ratings[s])
            for s in v.CFIR_SUBCONSTRUCTS
            if s.rsplit(".", 1)[0] == cid and s in ratings
        ]
        if cid in ratings or subs:
            out[v.cfir_domain(cid)].append((cid, name, ratings.get(cid)))
        out[v.cfir_domain(cid)].extend(subs)
    return out


def is_sub(cid: str) -> bool:
    return cid in v.CFIR_SUBCONSTRUCTS


def barriers(case: Case) -> list[tuple[str, str, int | str]]:
    """The case's CFIR barriers (-2, -1, mixed), worst first, then in framework order."""
    ratings = case.cfir or {}
    order = {cid: i for i, cid in enumerate(v.CFIR_IDS)}
    rows = [
        (cid, v.CFIR_IDS[cid], r)
        for cid, r in ratings.items()
        if cid in v.CFIR_IDS and (r == v.MIXED or (isinstance(r, int) and r < 0))
    ]
    return sorted(rows, key=lambda t: ({-2: 0, -1: 1}.get(t[2], 2) if isinstance(t[2], int) else 2, order[t[0]]))


def facilitators(case: Case) -> list[tuple[str, str, int | str]]:
    """The case's CFIR facilitators (+2, +1), strongest first."""
    ratings = case.cfir or {}
    order = {cid: i for i, cid in enumerate(v.CFIR_IDS)}
    rows = [
        (cid, v.CFIR_IDS[cid], r) for cid, r in ratings.items() if cid in v.CFIR_IDS and isinstance(r, int) and r > 0
    ]
    return sorted(rows, key=lambda t: (-int(t[2]), order[t[0]]))


def rating_text(rating: int | str | None) -> str:
    return "not rated" if rating is None else fmt_value(rating)


def counts(items: list[tuple[str, str, int | str | None]]) -> tuple[int, int, int, int]:
    """(barriers, neutral, facilitators, mixed) among rated items (unrated headings are not counted)."""
    rated = [r for *_, r in items if r is not None]
    neg = sum(1 for r in rated if isinstance(r, int) and r < 0)
    pos = sum(1 for r in rated if isinstance(r, int) and r > 0)
    zero = sum(1 for r in rated if r == 0)
    return neg, zero, pos, len(rated) - neg - pos - zero
