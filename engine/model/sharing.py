"""Work shared across the cases one engine evaluates, in one explicit object.

A portfolio repeats itself: the same rule proved on the same fact values, the same recommendation
text, the same JSON of a proof. `Shared` keeps such work, one bounded `Table` per kind, each named,
sized and keyed here and nowhere else; the data objects themselves carry nothing but their fields
(no memo attributes). An `Engine` owns one `Shared` (`Engine.shared`); the planner, the JSON
output and the CSV rows take it as an argument. `Shared(enabled=False)` keeps nothing, so every
case is computed afresh: the output is the same byte for byte (tests/test_sharing.py).

Keys. A table keyed by values (`proofs`, `recommendations`, `merged`, `traces`, `rule_ranks`) names
every input of what it keeps: the rule's id and the values of the facts it reads
(see `Engine._proof_key` and `_text_key`). A table keyed by an object (`json`, `support`, `barriers`, `ranks`, `csv`)
uses `id(obj)` and keeps the object in the entry beside what was computed from it, so the id cannot
be reused by another object while the entry lives; a lookup checks the kept object `is` the one asked
about.

Bounds. A table holds at most `size` entries; when full, the oldest entry goes (first in, first
out), so memory stays flat over any number of cases.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from engine.model.conditions import Test
    from engine.model.results import Recommendation
    from engine.model.rules import Source
    from engine.model.traces import Proof, Trace

V = TypeVar("V")


class Table(Generic[V]):
    """A bounded map for one kind of shared work (first in, first out when full)."""

    __slots__ = ("_entries", "doc", "get", "name", "size")

    def __init__(self, name: str, size: int, doc: str) -> None:
        self.name = name
        self.size = size
        """At most this many entries; 0 keeps nothing."""
        self.doc = doc
        """What the table keeps and what its key is."""
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self.get: Callable[[Hashable], V | None] = self._entries.get
        """The entry under a key, or None (the map's own `get`: a case asks some 300 times)."""

    def put(self, key: Hashable, value: V) -> V:
        """Keep `value` under `key` (dropping the oldest entry when full) and return it."""
        if self.size <= 0:
            return value
        entries = self._entries
        if len(entries) >= self.size and key not in entries:
            entries.popitem(last=False)
        entries[key] = value
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()


class Shared:
    """Every table of work an engine shares across cases (see the module's text for keys and bounds)."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled

        def n(size: int) -> int:
            return size if enabled else 0

        self.proofs: Table[Proof] = Table(
            "proofs",
            n(8_000),
            "A rule's Proof. Key: the rule id, the values of every fact its proof shows (through the rules "
            "that derived them), the derivations' rule ids and, for a case with perspectives or a previous "
            "assessment, where each value came from (Engine._proof_key).",
        )
        self.recommendations: Table[Recommendation] = Table(
            "recommendations",
            n(8_000),
            "A one-rule Recommendation. Key: the proof's key, the values of the facts its texts read and the "
            "site texts its placeholders name (Engine._text_key).",
        )
        self.merged: Table[Recommendation] = Table(
            "merged",
            n(2_000),
            "A Recommendation merged from several rules. Key: each member's text key. Its own table: a sweep's "
            "variants repeat these, diverse cases seldom do, so they must not push one-rule items out.",
        )
        self.traces: Table[tuple[Test, Trace]] = Table(
            "traces",
            n(50_000),
            "A test's Trace. Key: the test and the values it read, with their types and origins "
            "(evaluation/explain.trace).",
        )
        self.json: Table[tuple[object, bytes]] = Table(
            "json",
            n(20_000),
            "The JSON bytes of a Proof, of a test Trace, or of a rule's tags or sources as a recommendation holds "
            "them. Key: id(object); the entry keeps the object.",
        )
        self.support: Table[tuple[Proof, tuple[Trace, ...]]] = Table(
            "support",
            n(20_000),
            "The held tests a proof rests on (traces.supporting_tests). Key: id(proof); the entry keeps the proof.",
        )
        self.barriers: Table[tuple[Proof, tuple[str, ...]]] = Table(
            "barriers",
            n(20_000),
            "The CFIR barriers that made a proof hold (traces.barriers_matched). Key: id(proof); the entry keeps "
            "the proof.",
        )
        self.ranks: Table[tuple[Proof, tuple[Source, ...], object]] = Table(
            "ranks",
            n(8_000),
            "What the planner ranks a one-proof recommendation by before the case's own facts: key "
            "(id(proof), rule ids, category); the entry keeps the proof and the sources it was computed with.",
        )
        self.rule_ranks: Table[tuple[tuple[Source, ...], object]] = Table(
            "rule_ranks",
            n(4_000),
            "What the planner reads from a recommendation's rules and sources alone: key (rule ids, category); "
            "the entry keeps the sources it was computed with.",
        )
        self.csv: Table[tuple[Recommendation, tuple[str, str]]] = Table(
            "csv",
            n(8_000),
            "A recommendation's CSV cells around the case's own (render/csvrows): key id(recommendation); "
            "the entry keeps the recommendation.",
        )

    def tables(self) -> tuple[Table[object], ...]:
        return tuple(v for v in vars(self).values() if isinstance(v, Table))

    def clear(self) -> None:
        for t in self.tables():
            t.clear()


NOTHING_SHARED = Shared(enabled=False)
"""Keeps nothing: what a caller without an engine's `Shared` gets (every value computed afresh)."""
