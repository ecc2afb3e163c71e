"""The plan as a working document: a team's decisions on the items of a case's plan
(docs/decisions.md). Kept beside the case as `<stem>.plan.yaml`, matched to the plan by item `key`.

Plain data: the file's reader and writer are in engine/io/decisionfile.py, the planner applies the
decisions (a set-aside item leaves the plan; an accepted one carries its owner, date and status).
"""

from __future__ import annotations

from typing import Any

import msgspec

DECISIONS: dict[str, str] = {
    "accepted": "the team will do it",
    "set_aside": "the team will not do it now (a reason is required)",
}
"""A decision on an item, with its meaning."""

STATUSES: dict[str, str] = {
    "not_started": "not started",
    "under_way": "under way",
    "done": "done",
}
"""Progress on an item, with its words."""

FIELDS: tuple[str, ...] = ("key", "decision", "reason", "owner", "due", "status", "note", "updated", "updated_by")
"""The fields of one entry, in the order the file writes them."""


class Decision(msgspec.Struct, frozen=True):
    """One entry of a decisions file: what the team decided about the item with this key."""

    key: str
    decision: str | None = None
    reason: str = ""
    owner: str | None = None
    due: str | None = None
    """YYYY-MM-DD."""
    status: str | None = None
    note: str = ""
    updated: str | None = None
    updated_by: str | None = None
    carried_from: str | None = None
    """Set when read from an earlier assessment's file (`--previous`): that assessment's label."""

    def to_dict(self) -> dict[str, Any]:
        """The fields an item of the plan carries (only those the team has set)."""
        out: dict[str, Any] = {}
        for name in ("decision", "reason", "owner", "due", "status", "note", "updated", "updated_by", "carried_from"):
            value = getattr(self, name)
            if value:
                out[name] = value
        return out

    def overdue(self, today: str | None) -> bool:
        """Due before `today` and not done (never without a reference date)."""
        return bool(today and self.due and self.due < today and self.status != "done" and self.decision != "set_aside")


class Decisions(msgspec.Struct, frozen=True):
    """A decisions file: the case it belongs to and its entries in file order (one per key)."""

    case_id: str | None = None
    items: tuple[Decision, ...] = ()
    path: str = ""
    """Where it was read from ('' when built in memory)."""

    def by_key(self) -> dict[str, Decision]:
        return {d.key: d for d in self.items}


class SetAside(msgspec.Struct, frozen=True):
    """An item the team set aside: out of Start here, Next and Later, listed with its reason."""

    key: str
    title: str
    reason: str
    rule_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "reason": self.reason}


class NotRecommended(msgspec.Struct, frozen=True):
    """A decision whose key is not in today's plan: kept in the file and reported, never dropped."""

    decision: Decision
    why: str
    """Where the item went: 'held back: ...', 'folded into ...' or 'not recommended for this case now'."""

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.decision.key, **self.decision.to_dict(), "why": self.why}


class Working(msgspec.Struct, frozen=True):
    """What the decisions did to one plan: the set-aside items and the decisions no item matches."""

    set_aside: tuple[SetAside, ...] = ()
    not_recommended: tuple[NotRecommended, ...] = ()
    source: str = ""
    """The decisions file read ('' when none)."""
    carried: tuple[str, ...] = msgspec.field(default=())
    """Keys whose decision came from the previous assessment's file."""


def carry_forward(current: Decisions | None, previous: Decisions | None, label: str) -> Decisions | None:
    """The decisions a new assessment starts from: its own, plus each item the team accepted at the
    previous assessment that the new file does not mention (`carried_from` names that assessment).
    Set-aside decisions are not carried: a new assessment asks again."""
    if previous is None:
        return current
    own = current.by_key() if current else {}
    from msgspec.structs import replace

    carried = tuple(
        replace(d, carried_from=label) for d in previous.items if d.decision == "accepted" and d.key not in own
    )
    if not carried:
        return current
    return Decisions(
        current.case_id if current else previous.case_id,
        (*(current.items if current else ()), *carried),
        current.path if current else previous.path,
    )
