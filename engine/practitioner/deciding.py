"""One team decision on one plan item, checked and written: what `isp-advisor decide` and the browser
app's item form both do (docs/decisions.md).

The file itself is read and written by engine/io/decisionfile.py; here is what a request may say: which
keys a decision may name on today's plan, what an edit changes (a date read once, a status from its
vocabulary, a set-aside item's reason required), and the entry stamped with its date and author.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from engine.errors import Problem, UsageError, did_you_mean
from engine.model.decisions import STATUSES, Decisions
from engine.model.results import Result

Change = str | dt.date | None
"""A field's new value in the entry (None removes the field)."""


@dataclass(frozen=True)
class DecisionEdit:
    """What one decision changes on the item with `key`. A field left None stays as it is; an empty
    text clears it (owner, due, status, note)."""

    key: str
    accept: bool = False
    """The team will do it."""
    set_aside: str | None = None
    """The team will not do it now, and why (the reason is required)."""
    undo: bool = False
    """Back to undecided (the owner, due date, status and note are kept)."""
    owner: str | None = None
    due: str | None = None
    """YYYY-MM-DD."""
    status: str | None = None
    """not_started, under_way or done."""
    note: str | None = None


def plan_keys(result: Result) -> frozenset[str]:
    """The keys a decision may name on this plan: its items', those folded into them, the held-back ones."""
    keys = {r.key for r in result.recommendations}
    keys |= {a.key for _, place in result.placed() for a in place.also}
    keys |= {h.recommendation.key for h in (result.plan.held_back if result.plan else ())}
    return frozenset(k for k in keys if k)


def check_key(key: str, result: Result, current: Decisions | None, case_name: str) -> None:
    """Refuse a key that no item of the plan has and no decision already names (a decided item may have
    left the plan: its entry can still be edited)."""
    known = plan_keys(result)
    if key in known or (current is not None and key in current.by_key()):
        return
    raise UsageError(
        Problem(
            field="KEY",
            code="unknown_key",
            message=f"no item of this plan has the key {key!r}",
            hint=did_you_mean(key, sorted(known)) or f"see the keys with: isp-advisor decide {case_name} --list",
        )
    )


def changes(edit: DecisionEdit) -> dict[str, Change]:
    """The fields an edit sets in the item's entry (None removes one), before its date and author."""
    if edit.accept and edit.set_aside is not None:
        raise UsageError("give --accept or --set-aside, not both")
    if edit.undo and (edit.accept or edit.set_aside is not None):
        raise UsageError("undo takes a decision back: give it without --accept or --set-aside")
    out: dict[str, Change] = {}
    if edit.accept:
        out.update(decision="accepted", reason=None)
    if edit.set_aside is not None:
        if not edit.set_aside.strip():
            raise UsageError(
                Problem(
                    field="--set-aside",
                    code="no_reason",
                    message="a set-aside item needs a reason",
                    hint='say why the team sets it aside, e.g. "after the board retreat"',
                )
            )
        out.update(decision="set_aside", reason=edit.set_aside.strip())
    if edit.undo:
        out.update(decision=None, reason=None)
    for name, value in (("owner", edit.owner), ("note", edit.note)):
        if value is not None:
            out[name] = value.strip() or None
    if edit.status is not None:
        out["status"] = _status(edit.status)
    if edit.due is not None:
        out["due"] = due_date(edit.due)
    if not out:
        raise UsageError("nothing to change: give --accept, --set-aside, --owner, --due, --status or --note")
    return out


def _status(text: str) -> str | None:
    status = text.strip()
    if status and status not in STATUSES:
        raise UsageError(
            Problem(
                field="--status",
                code="unknown_status",
                message=f"{status!r} is not a status",
                hint="one of: " + ", ".join(STATUSES),
            )
        )
    return status or None


def due_date(text: str) -> dt.date | None:
    """A due date as the file writes it (YYYY-MM-DD), or None for an empty text (no due date)."""
    from engine.model.dates import parse_date

    text = text.strip()
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        raise UsageError(
            Problem(
                field="--due",
                code="bad_date",
                message=f"{text!r} is not a date",
                hint="write it as YYYY-MM-DD, e.g. 2026-04-01",
            )
        ) from None


def record(
    case_path: str | os.PathLike[str],
    result: Result,
    edit: DecisionEdit,
    *,
    today: dt.date,
    by: str | None = None,
    file: str | os.PathLike[str] | None = None,
    case_name: str = "CASE",
) -> tuple[Path, Decisions]:
    """Check an edit against today's plan (`result`, the case evaluated) and write it into the case's
    decisions file, stamped `updated: today` and, when given, `updated_by`. Returns the file written and
    what it now holds. Nothing is written when a check fails."""
    from engine.io.decisionfile import decide, find_decisions

    current = find_decisions(case_path, result.case_id, os.fspath(file) if file is not None else None)
    check_key(edit.key, result, current, case_name)
    fields = changes(edit)
    fields["updated"] = today
    if by is not None:
        fields["updated_by"] = by
    return decide(case_path, result.case_id, edit.key, fields, file)
