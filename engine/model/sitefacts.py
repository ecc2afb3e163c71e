"""The site's own facts: people, the stated problem, events and assets as facts the rules can read.

    people.<group>.count, people.<group>.stance.<stance>, people.<group>.leaving,
    people.<group>.leaving_days_until, problem.<tag>, events.<kind>.days_since,
    events.<kind>.days_until, assets.<kind>

Day counts are measured from a reference date: the case's `assessed_on`, else a date the caller gives
(`--date`). With neither they stay unstated: never today's date, so the same inputs give the same output.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

import msgspec

from engine.model import sitevocab as sv
from engine.model.dates import long_date as long_date  # re-exported: the site placeholders name dates

if TYPE_CHECKING:
    from engine.model.case import Case


class AsOf(msgspec.Struct, frozen=True):
    """The reference date of an evaluation and where it came from ('assessed_on' or '--date')."""

    date: str
    source: str

    def to_dict(self) -> dict[str, str]:
        return {"date": self.date, "from": self.source}


def as_of(case: Case, date: str | None = None) -> AsOf | None:
    """The case's reference date: its `assessed_on`, else `date` (the caller's `--date`), else None."""
    if case.assessed_on:
        return AsOf(case.assessed_on, "assessed_on")
    if date:
        return AsOf(date, "--date")
    return None


def _days(start: str, end: str) -> int:
    return min((_dt.date.fromisoformat(end) - _dt.date.fromisoformat(start)).days, sv.MAX_DAYS)


def site_facts(case: Case, reference: AsOf | None) -> dict[str, Any]:
    """The facts of the case's people, problem, events and assets (see the module's docstring)."""
    out: dict[str, Any] = {}
    today = reference.date if reference else None
    for person in case.people or ():
        if person.status == "left":  # gone: not counted, never named
            continue
        base = f"people.{person.group}"
        if person.status != "leaving":  # those leaving are counted apart: no one hands them later work
            out[f"{base}.count"] = out.get(f"{base}.count", 0) + 1
        if person.stance:
            key = f"{base}.stance.{person.stance}"
            out[key] = out.get(key, 0) + 1
        if person.status == "leaving":
            out[f"{base}.leaving"] = out.get(f"{base}.leaving", 0) + 1
            if today and person.until and person.until >= today:
                days = _days(today, person.until)
                key = f"{base}.leaving_days_until"
                out[key] = min(out.get(key, days), days)
    for tag in case.problem.tags if case.problem else ():
        out[f"problem.{tag}"] = True
    if today:
        for event in case.events or ():
            if event.on <= today:
                key, days = f"events.{event.kind}.days_since", _days(event.on, today)
            else:
                key, days = f"events.{event.kind}.days_until", _days(today, event.on)
            out[key] = min(out.get(key, days), days)
    for asset in case.assets or ():
        out[f"assets.{asset.kind}"] = True
    return dict(sorted(out.items()))
