"""What moved between the last two assessments of each site a portfolio holds several of.

The batch feeds every dated case (one with `assessed_on`) in input order: a snapshot of what the
summary compares (its CFIR barriers, trust, engagement, and the plan's items by key, with the items
folded into others). Only the two latest assessments of each site (case_id) are kept, so memory grows
with the sites, not with the assessments. Items are matched by `key` as `isp-advisor compare` matches
them: an item the other plan carries folded inside another item is neither retired nor new.
"""

from __future__ import annotations

from collections import Counter

import msgspec

from engine.model.vocabulary import ENGAGEMENT_LEVELS, LEVELS

LISTED_SITES = 20
"""Sites whose moves the summary spells out (all are counted)."""


class Snapshot(msgspec.Struct, frozen=True):
    """One assessment of a site, as the summary compares it."""

    assessed_on: str
    site: str
    trust: str | None
    engagement: tuple[str | None, str | None]
    """(level, target)"""
    barriers: tuple[str, ...]
    """CFIR ids rated -1 or -2, sorted"""
    items: tuple[str, ...]
    """the plan's item keys, in plan order"""
    folded: tuple[str, ...] = ()
    """keys of the items carried folded inside others"""


def direction(before: str | None, after: str | None, scale: tuple[str, ...]) -> str:
    """'up', 'down', 'same', or '' when either is unstated or off the scale."""
    if before is None or after is None or before not in scale or after not in scale:
        return "" if before != after else "same"
    a, b = scale.index(before), scale.index(after)
    return "same" if a == b else "up" if b > a else "down"


class SiteMove(msgspec.Struct, frozen=True):
    """A site's last two assessments and what moved between them."""

    case_id: str
    before: Snapshot
    after: Snapshot
    assessments: int

    @property
    def barriers_resolved(self) -> tuple[str, ...]:
        return tuple(b for b in self.before.barriers if b not in self.after.barriers)

    @property
    def barriers_new(self) -> tuple[str, ...]:
        return tuple(b for b in self.after.barriers if b not in self.before.barriers)

    @property
    def items_retired(self) -> tuple[str, ...]:
        later = set(self.after.items) | set(self.after.folded)
        return tuple(k for k in self.before.items if k not in later)

    @property
    def items_new(self) -> tuple[str, ...]:
        earlier = set(self.before.items) | set(self.before.folded)
        return tuple(k for k in self.after.items if k not in earlier)

    @property
    def trust(self) -> str:
        """The trust move: 'up', 'down', 'same' or ''."""
        return direction(self.before.trust, self.after.trust, LEVELS)

    @property
    def engagement(self) -> str:
        """The engagement level's move along the spectrum: 'up', 'down', 'same' or ''."""
        return direction(self.before.engagement[0], self.after.engagement[0], tuple(ENGAGEMENT_LEVELS))

    @property
    def moved(self) -> bool:
        return bool(
            self.barriers_resolved
            or self.barriers_new
            or self.items_retired
            or self.items_new
            or self.before.trust != self.after.trust
            or self.before.engagement != self.after.engagement
        )


class AssessmentMoves(msgspec.Struct):
    """The two latest snapshots of every dated site, fed in any order."""

    latest: dict[str, tuple[Snapshot, ...]] = msgspec.field(default_factory=dict)
    assessments: Counter[str] = msgspec.field(default_factory=Counter)
    labels: dict[str, str] = msgspec.field(default_factory=dict)
    """item key -> the title shown for it (the first seen)"""

    def add(self, case_id: str, snapshot: Snapshot, labels: dict[str, str] | None = None) -> None:
        self.assessments[case_id] += 1
        kept = sorted((*self.latest.get(case_id, ()), snapshot), key=lambda s: s.assessed_on)
        self.latest[case_id] = tuple(kept[-2:])
        for key, label in (labels or {}).items():
            self.labels.setdefault(key, label)

    def moves(self) -> list[SiteMove]:
        """Every site assessed more than once, by case id."""
        return [
            SiteMove(cid, snaps[0], snaps[1], self.assessments[cid])
            for cid, snaps in sorted(self.latest.items())
            if len(snaps) == 2
        ]

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

    def totals(self, moves: list[SiteMove] | None = None) -> dict[str, Counter[str]]:
        """Across the sites: how often each barrier was resolved or new, each item retired or new."""
        moves = self.moves() if moves is None else moves
        out: dict[str, Counter[str]] = {
            k: Counter() for k in ("barriers_resolved", "barriers_new", "items_retired", "items_new")
        }
        for m in moves:
            out["barriers_resolved"].update(m.barriers_resolved)
            out["barriers_new"].update(m.barriers_new)
            out["items_retired"].update(m.items_retired)
            out["items_new"].update(m.items_new)
        return out


__all__ = ["LISTED_SITES", "AssessmentMoves", "SiteMove", "Snapshot", "direction"]
