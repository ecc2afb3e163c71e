"""`--redact people` and `--redact events`: what a case says of people and incidents removed before
anything is computed, so no output (text, HTML, JSON, CSV, Parquet, documents) can carry it.

people: a name is removed from the person and replaced by the role wherever the case's free text
repeats it (a challenge summary, notes, an event's summary). In a decisions file, an owner who is a
listed person becomes their role, any other owner "an owner (name withheld)"; `updated_by` is dropped.

events (batch and sweep, issue 25): each event's summary becomes its kind in words ("critical
incident"), here and wherever the case's free text repeats the summary; the kind and the date stay,
so the rules read the same facts.
"""

from __future__ import annotations

import re
from typing import Any

from msgspec.structs import replace

from engine.errors import Problem, UsageError, allowed, did_you_mean
from engine.model.case import Case
from engine.model.decisions import Decision, Decisions

REDACT_CHOICES: tuple[str, ...] = ("people", "events")
"""What `--redact` can remove: people's names (every command with --redact), event summaries (batch, sweep)."""

WITHHELD = "an owner (name withheld)"


def _names(case: Case) -> list[tuple[str, str]]:
    """(name, role) of every named person, longest name first (so 'Ana María Ruiz' goes before 'Ana')."""
    pairs = [(" ".join(p.name.split()), " ".join(p.role.split())) for p in case.people or () if p.name]
    return sorted(pairs, key=lambda nr: -len(nr[0]))


def _scrub(value: Any, names: list[tuple[str, str]], article: bool = True) -> Any:
    """`value` with each (text, replacement) of `names` replaced wherever it stands as whole words;
    with `article`, a role is said 'the <role>'."""
    if isinstance(value, str):
        for name, role in names:
            said = role if not article or role.lower().startswith(("the ", "our ")) else f"the {role}"
            value = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", said.replace("\\", "\\\\"), value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [_scrub(v, names, article) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, names, article) for k, v in value.items()}
    return value


def redact_case(case: Case) -> Case:
    """The case with no person's name in it."""
    names = _names(case)
    if not names:
        return case
    data = case.model_dump(exclude_none=True, by_alias=True)
    data = _scrub(data, names)
    for person in data.get("people") or ():
        person.pop("name", None)
    return Case.model_validate(data)


def event_words(kind: str) -> str:
    """An event's kind as the words that replace its summary: 'critical incident'."""
    return kind.replace("_", " ")


def redact_events(case: Case) -> Case:
    """The case with every event summary replaced by the event's kind (also where free text repeats it)."""
    said = [(" ".join(e.summary.split()), event_words(e.kind)) for e in case.events or () if e.summary]
    if not said:
        return case
    data = case.model_dump(exclude_none=True, by_alias=True)
    for event in data.get("events") or ():
        if event.get("summary"):
            event["summary"] = event_words(event["kind"])
    data = _scrub(data, sorted(said, key=lambda sk: -len(sk[0])), article=False)
    return Case.model_validate(data)


def redact(case: Case, what: tuple[str, ...] | list[str]) -> Case:
    """The case with each of `what` (REDACT_CHOICES) removed: people, then events."""
    if "people" in what:
        case = redact_case(case)
    if "events" in what:
        case = redact_events(case)
    return case


def redact_choices(texts: tuple[str, ...] | list[str], option: str = "--redact") -> tuple[str, ...]:
    """`--redact people,events` (comma-separated, repeatable) as the choices, in REDACT_CHOICES order;
    an unknown word is a usage error naming the choices."""
    words = [w.strip() for text in texts for w in text.split(",") if w.strip()]
    wrong = [w for w in words if w not in REDACT_CHOICES]
    if wrong:
        close = did_you_mean(wrong[0], REDACT_CHOICES)
        raise UsageError(
            Problem(
                field=option,
                code="invalid",
                message=f"'{wrong[0]}' cannot be redacted",
                hint=f"{close + ' ' if close else ''}{allowed(REDACT_CHOICES)}, e.g. --redact people,events",
            )
        )
    return tuple(c for c in REDACT_CHOICES if c in words)


def redact_decisions(decisions: Decisions | None, case: Case) -> Decisions | None:
    """The decisions with owners shown by role and no author names."""
    if decisions is None:
        return None
    names = _names(case)
    roles = {n.lower(): r for n, r in names}

    def owner(o: str | None) -> str | None:
        if not o:
            return o
        role = roles.get(" ".join(o.split()).lower())
        return role if role else WITHHELD

    items = tuple(
        replace(d, owner=owner(d.owner), updated_by=None, note=_scrub(d.note, names), reason=_scrub(d.reason, names))
        for d in decisions.items
    )
    return Decisions(decisions.case_id, items, decisions.path)


def redacted(case: Case, decisions: Decisions | None, what: tuple[str, ...]) -> tuple[Case, Decisions | None]:
    """Apply `--redact` choices."""
    if "people" in what:
        case, decisions = redact_case(case), redact_decisions(decisions, case)
    if "events" in what:
        case = redact_events(case)
    return case, decisions


__all__ = [
    "REDACT_CHOICES",
    "Decision",
    "event_words",
    "redact",
    "redact_case",
    "redact_choices",
    "redact_decisions",
    "redact_events",
    "redacted",
]
