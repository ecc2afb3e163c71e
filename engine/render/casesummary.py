"""The site summary shared by the HTML and Markdown reports: what the case says, in words."""

from __future__ import annotations

from typing import Any

from engine.model import vocabulary as v
from engine.model.case import Case
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
    if f.kind == "people":
        return "; ".join(
            (f"{p.name}, " if p.name else "")
            + f"{p.role} ({p.group.replace('_', ' ')}"
            + (f", {p.stance}" if p.stance else "")
            + (f", {p.status}" + (f" {p.until}" if p.until else "") if p.status else "")
            + ")"
            for p in value
        )
    if f.kind == "events":
        return "; ".join(
            f"{e.kind.replace('_', ' ')} on {e.on}" + (f": {e.summary}" if e.summary else "") for e in value
        )
    if f.kind == "assets":
        return "; ".join(a.kind.replace("_", " ") + (f": {a.summary}" if a.summary else "") for a in value)
    if f.kind in ("text", "id", "date"):
        return str(value)
    if f.kind == "tags":
        return "; ".join(t.replace("_", " ") for t in value)
    if f.path.startswith("engagement."):  # the spectrum's own name for the level
        return f"{_word(value)} ({v.ENGAGEMENT_LEVELS[value]})"
    return _word(value)


def case_rows(case: Case) -> list[tuple[str, str]]:
    """(label, value) for every case field, in the registry's order: the report's "case in full"."""
    return [(f.label, field_text(case, f)) for f in FIELDS]


def summary_rows(case: Case) -> list[tuple[str, str]]:
    """(label, value) pairs for the report's site summary; unstated facts say so."""
    c = case
    rows: list[tuple[str, str]] = [
        ("Site", c.site or NOT_STATED),
        ("Innovation", c.innovation or NOT_STATED),
        ("Setting", _word(c.setting)),
        ("Stage", _word(c.stage)),
    ]
    ch = c.challenge
    challenge = _word(ch.type if ch else None)
    if ch and ch.summary:
        challenge += f": {ch.summary}"
    rows.append(("Challenge", challenge))
    en = c.engagement
    now = en.level if en else None
    target = en.target if en else None
    engagement = _word(now) + (f" ({v.ENGAGEMENT_LEVELS[now]})" if now else "")
    engagement += " → wanted: " + _word(target) + (f" ({v.ENGAGEMENT_LEVELS[target]})" if target else "")
    rows.append(("Community engagement", engagement))
    rows.append(("Power differential", _word(c.power.differential if c.power else None)))
    rows.append(("Decision making", _word(c.power.decision_making if c.power else None)))
    rows.append(("Trust", _word(c.relationships.trust if c.relationships else None)))
    cap = c.capacity
    rows.append(
        (
            "Capacity",
            ", ".join(
                f"{key.replace('_', '-')} {_word(getattr(cap, key) if cap else None)}" for key in v.CAPACITY_TYPES
            ),
        )
    )
    le = c.leadership
    rows.append(
        (
            "Leadership",
            f"transition under way: {_word(le.transition if le else None)}; "
            f"emerging leaders cultivated: {_word(le.emerging_leaders if le else None)}",
        )
    )
    eq = c.equity
    rows.append(("Priority populations", _word(eq.priority_populations if eq else None)))
    rows.append(
        (
            "Equity",
            "; ".join(
                [
                    f"disparities identified: {_word(eq.disparities_identified if eq else None)}",
                    f"structural racism acknowledged: {_word(eq.structural_racism_acknowledged if eq else None)}",
                    f"community-defined evidence: {_word(eq.community_defined_evidence if eq else None)}",
                    f"cultural adaptation: {_word(eq.cultural_adaptation if eq else None)}",
                ]
            ),
        )
    )
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
