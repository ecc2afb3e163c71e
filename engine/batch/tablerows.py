"""The rows of a batch's Parquet tables (`--tables parquet`), as plain tuples: built where the case is
evaluated (a worker) or from a finished results line (`--resume`), the same values either way.

Everything here is plain Python (no pyarrow): workers build the rows, the main process writes them
(engine.batch.tables). A table holds what results.jsonl holds: a worker reads its fresh result's
objects (`result_tables`, no JSON parsed back), `--resume` reads a finished line (`case_tables`),
and both give the same rows; the case's own columns come from its facts (the groups' views
combined as the rules see them) and travel in the resume index (`case_fields`).

The tables (docs/analysts.md):

- cases: one row per case; its columns are CASE_COLUMNS, then one `cfir_<id>` column per CFIR
  construct (the id with dots as underscores; -2..2, null when unrated or 'mixed');
- items: one row per entry of the case's `recommendations` (ITEM_COLUMNS);
- proofs: one row per case x item x condition of the item's proofs (PROOF_COLUMNS);
- texts: each distinct action and rationale text once (TEXT_COLUMNS), referenced from items by id.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import msgspec

from engine.model.case import Case
from engine.model.conditions import MISSING
from engine.model.jsontext import compact
from engine.model.perspectives import effective_facts
from engine.model.placement import EvidenceReason, Placement
from engine.model.results import Result
from engine.model.traces import Trace
from engine.model.vocabulary import CAPACITY_TYPES, CFIR_IDS, RATING_VALUES

CASE_FACTS: tuple[tuple[str, str], ...] = (
    ("site", "site"),
    ("setting", "setting"),
    ("stage", "stage"),
    ("challenge_type", "challenge.type"),
    ("engagement_level", "engagement.level"),
    ("engagement_target", "engagement.target"),
    ("power_differential", "power.differential"),
    ("decision_making", "power.decision_making"),
    ("trust", "relationships.trust"),
    *((f"capacity_{c}", f"capacity.{c}") for c in CAPACITY_TYPES),
)
"""(column, case fact) of the cases table's text columns."""

COUNTS: tuple[str, ...] = ("items", "now_items", "next_items", "later_items", "held_back_items", "set_aside_items")
"""The cases table's counts: recommendations, those in each horizon, those held back and set aside."""

CASE_LISTS: tuple[str, ...] = ("problem_tags", "barriers", "cfir_mixed")
"""The cases table's list columns: the stated problem tags, the CFIR constructs rated -1 or -2, and
those rated 'mixed' (their cfir_ column is null)."""

CFIR_COLUMNS: tuple[tuple[str, str], ...] = tuple((f"cfir_{cid.replace('.', '_')}", cid) for cid in CFIR_IDS)
"""(column, CFIR id): every construct and subconstruct of CFIR 2.0, in the vocabulary's order."""

CASE_COLUMNS: tuple[str, ...] = (
    "case_id",
    "assessed_on",
    *(c for c, _ in CASE_FACTS),
    *COUNTS,
    *CASE_LISTS,
    *(c for c, _ in CFIR_COLUMNS),
)

TAG_COLUMNS: tuple[tuple[str, str], ...] = (
    ("eric_strategies", "eric_strategy"),
    ("competencies", "isp_competency"),
    ("equity_elements", "equity_element"),
    ("outcomes", "implementation_outcome"),
    ("cfir", "cfir"),
    ("facilitation_modes", "facilitation_mode"),
    ("capacity_types", "capacity_type"),
    ("participation_values", "participation_value"),
    ("spectrum_levels", "spectrum_level"),
)
"""(column, tag key) of the items table's tag lists."""

ITEM_COLUMNS: tuple[str, ...] = (
    "case_id",
    "assessed_on",
    "key",
    "rank",
    "horizon",
    "category",
    "priority",
    "priority_rank",
    "rule_id",
    "rule_ids",
    "title",
    "first_action_id",
    "action_ids",
    "rationale_id",
    *(c for c, _ in TAG_COLUMNS),
    "addresses",
    "evidence_figure",
    "evidence_level",
    "folded_keys",
    "folded_strategies",
)
PROOF_COLUMNS: tuple[str, ...] = (
    "case_id",
    "assessed_on",
    "key",
    "rule_id",
    "fact",
    "operator",
    "tested",
    "seen",
    "held",
    "source",
)
TEXT_COLUMNS: tuple[str, ...] = ("text_id", "text")

ProofLeaf = tuple[str, str | None, str | None, str | None, bool | None, str | None]
"""(fact, operator, tested, seen, held, source) of one test of a proof (`_leaves`, `_trace_leaves`)."""
ProofRow = tuple[str, str | None, str, str | None, str | None, str | None, bool | None, str | None]
"""A proofs row without its leading case_id and assessed_on: (key, rule_id, *ProofLeaf)."""

PRIORITY_RANKS = {"high": 1, "medium": 2, "low": 3}
TEXT_IDS = 65_536
"""Text ids kept per process (functools.lru_cache): the texts of shared rules come back case after case."""


class CaseTables(msgspec.Struct, frozen=True):
    """One case's rows of every table; items and proofs without their leading case_id and assessed_on."""

    case_id: str
    assessed_on: str | None
    case: tuple[Any, ...]
    items: list[tuple[Any, ...]]
    proofs: list[ProofRow]
    texts: list[tuple[int, str]]
    """(text_id, text) of every action and rationale text the items use (each once)."""


def case_fields(case: Case) -> dict[str, Any]:
    """The case's own columns (the groups' views combined as the rules see them), stated ones only:
    small enough for the resume index."""
    facts = effective_facts(case)[0]
    out: dict[str, Any] = {col: facts[path] for col, path in CASE_FACTS if facts.get(path) is not None}
    tags = list(case.problem.tags) if case.problem is not None else []
    if tags:
        out["problem_tags"] = tags
    ratings = {cid: facts[f"cfir.{cid}"] for cid in CFIR_IDS if facts.get(f"cfir.{cid}") is not None}
    if ratings:
        out["cfir"] = ratings
    return out


@functools.lru_cache(maxsize=TEXT_IDS)
def text_id(text: str) -> int:
    """A text's id: the same text has the same id in every run (63 bits of its BLAKE2b hash)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big") >> 1


class _Rows:
    """One case's rows as they are assembled (both front ends below feed the same methods)."""

    def __init__(self, proofs: bool) -> None:
        self.proofs = proofs
        self.items: list[tuple[Any, ...]] = []
        self.proof_rows: list[ProofRow] = []
        self.texts: dict[int, str] = {}

    def ref(self, text: str) -> int:
        tid = text_id(text)
        self.texts.setdefault(tid, text)
        return tid

    def item(
        self,
        key: str,
        rank: int,
        horizon: str | None,
        category: str,
        priority: str,
        rule_ids: list[str],
        title: str,
        actions: list[str],
        rationale: str,
        tags: Mapping[str, Sequence[str]],
        addresses: list[str],
        figure: float | None,
        level: str,
        folded: list[tuple[str, str]],
    ) -> None:
        ids = [self.ref(a) for a in actions]
        self.items.append(
            (
                key,
                rank,
                horizon,
                category,
                priority,
                PRIORITY_RANKS.get(priority),
                rule_ids[0],
                rule_ids,
                title,
                ids[0] if ids else None,
                ids,
                self.ref(rationale) if rationale else None,
                *(list(tags.get(tag, ())) for _, tag in TAG_COLUMNS),
                addresses,
                figure,
                level,
                [k for k, _ in folded],
                [e for _, e in folded],
            )
        )

    def done(
        self, data_case_id: str, assessed_on: str | None, fields: dict[str, Any], counts: tuple[int, ...]
    ) -> CaseTables:
        ratings: dict[str, Any] = fields.get("cfir") or {}
        barriers = sorted(cid for cid, v in ratings.items() if v in RATING_VALUES and v < 0)
        mixed = sorted(cid for cid, v in ratings.items() if v not in RATING_VALUES)
        case = (
            data_case_id,
            assessed_on,
            *(fields.get(col) for col, _ in CASE_FACTS),
            *counts,
            list(fields.get("problem_tags") or ()),
            barriers,
            mixed,
            *(ratings.get(cid) if ratings.get(cid) in RATING_VALUES else None for _, cid in CFIR_COLUMNS),
        )
        return CaseTables(data_case_id, assessed_on, case, self.items, self.proof_rows, list(self.texts.items()))


def _level(score: float, level: int | None, published: bool) -> tuple[float | None, str]:
    """(the ERIC figure, the evidence level) as the plan ranks the item: level '1' (a figure of 50% or
    more, or declared), '2' (20-49%), 'published' (a published source) or 'authors_judgement'."""
    figure = float(score) if score else None
    if level is not None:
        return figure, str(level)
    return figure, "published" if published else "authors_judgement"


def _json_level(reasons: Any) -> int | None:
    """The evidence level of a results line's `rank_reasons` (their JSON form), if one is an evidence reason."""
    return next(
        (r["level"] for r in reasons or () if r.get("factor") == "evidence" and r.get("level") is not None), None
    )


def _place_level(place: Placement | None) -> int | None:
    """The evidence level among a placement's typed reasons, if it has an evidence reason."""
    return next((r.level for r in place.reasons if isinstance(r, EvidenceReason)), None) if place is not None else None


def case_tables(data: dict[str, Any], fields: dict[str, Any], proofs: bool = True) -> CaseTables:
    """The rows of one result read back from its results line (`data`, as in `Result.to_dict()`: what
    --resume has) and the case's own columns (`fields`, from `case_fields`); proofs only when asked
    and the line holds them. The same rows as `result_tables` gives from the objects."""
    rows = _Rows(proofs)
    recs: list[dict[str, Any]] = data.get("recommendations") or []
    for n, rec in enumerate(recs, 1):
        _line_item(rows, rec, n, proofs)
    plan = data.get("plan") or {}
    horizons = Counter(r.get("horizon") for r in recs)
    counts = (
        len(recs),
        horizons["now"],
        horizons["next"],
        horizons["later"],
        len(plan.get("held_back") or ()),
        len(plan.get("set_aside") or ()),
    )
    dated = data.get("assessed_on")
    return rows.done(str(data["case_id"]), str(dated) if dated else None, fields, counts)


def _line_item(rows: _Rows, rec: dict[str, Any], n: int, proofs: bool) -> None:
    """One recommendation of a results line (the `n`th) as its item row and, when asked, its proof rows."""
    key = str(rec.get("key") or rec["rule_id"])
    also = rec.get("also") or []
    published = any(s.get("kind") != "authors_judgement" for s in rec.get("sources") or ())
    rows.item(
        key,
        int(rec.get("rank", n)),
        rec.get("horizon"),
        rec["category"],
        rec["priority"],
        list(rec.get("rule_ids") or [rec["rule_id"]]),
        rec["title"],
        [str(a) for a in rec.get("actions") or ()],
        rec.get("rationale") or "",
        rec.get("tags") or {},
        list(rec.get("addresses") or ()),
        *_level(rec.get("score") or 0, _json_level(rec.get("rank_reasons")), published),
        [(str(a.get("key") or ""), str(a.get("eric_strategy") or "")) for a in also],
    )
    if proofs:
        for host in (rec, *also):
            for trace in host.get("explanation") or ():
                rows.proof_rows += [(key, trace.get("rule_id"), *leaf) for leaf in _leaves(trace.get("condition"))]


def result_tables(result: Result, fields: dict[str, Any], proofs: bool = True) -> CaseTables:
    """The rows of a fresh result from its objects (a worker's: no JSON is parsed back); the same rows as
    `case_tables` gives from the result's line (tests/test_tables.py checks it on every example case)."""
    rows = _Rows(proofs)
    places = result.plan.items if result.plan is not None else (None,) * len(result.recommendations)
    for n, (rec, place) in enumerate(zip(result.recommendations, places, strict=True), 1):
        key = rec.key or rec.rule_id
        rank, horizon, also = (place.rank, place.horizon, place.also) if place is not None else (n, None, ())
        published = any(s.kind != "authors_judgement" for s in rec.sources)
        rows.item(
            key,
            rank,
            horizon,
            rec.category,
            rec.priority,
            list(rec.rule_ids),
            rec.title,
            [str(a) for a in rec.actions],
            rec.rationale or "",
            rec.tags,
            list(rec.addresses),
            *_level(rec.score, _place_level(place), published),
            [(a.key, a.eric_strategy) for a in also],
        )
        if proofs:
            for proof in (*rec.explanation, *(p for a in also for p in a.explanation)):
                rows.proof_rows += [(key, proof.rule_id, *leaf) for leaf in _trace_leaves(proof.condition)]
    counts = _counts(result)
    return rows.done(result.case_id, result.assessed_on or None, fields, counts)


def _counts(result: Result) -> tuple[int, int, int, int, int, int]:
    """The case row's counts: items, then Start here, Next and Later, held back, set aside."""
    plan = result.plan
    if plan is None:
        return (len(result.recommendations), 0, 0, 0, 0, 0)
    horizons = Counter(p.horizon for p in plan.items)
    return (
        len(result.recommendations),
        horizons["now"],
        horizons["next"],
        horizons["later"],
        len(plan.held_back),
        len(plan.working.set_aside),
    )


def _leaves(node: Any) -> Iterator[ProofLeaf]:
    """(fact, operator, tested, seen, held, source) of each test in a condition tree, depth first."""
    if not isinstance(node, dict):
        return
    if "children" in node:
        for child in node["children"]:
            yield from _leaves(child)
        return
    if "fact" in node:
        yield (
            node["fact"],
            node.get("operator"),
            value_text(node, "expected"),
            value_text(node, "actual"),
            node.get("held"),
            node.get("source"),
        )


def _trace_leaves(trace: Trace) -> Iterator[ProofLeaf]:
    """`_leaves` of a condition's trace objects (the values as its JSON writes them)."""
    if trace.op != "test":
        for child in trace.children:
            yield from _trace_leaves(child)
        return
    tested = None if trace.ref else _text(trace.expected)
    seen = None if trace.actual is MISSING else _text(trace.actual)
    yield (trace.fact, trace.operator, tested, seen, trace.held, trace.source)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return compact(list(value) if isinstance(value, tuple) else value)


def value_text(node: dict[str, Any], name: str) -> str | None:
    """A tested or seen value as text: a string as it is, anything else as compact JSON; absent: None."""
    return _text(node.get(name))


__all__ = [
    "CASE_COLUMNS",
    "CFIR_COLUMNS",
    "ITEM_COLUMNS",
    "PROOF_COLUMNS",
    "TEXT_COLUMNS",
    "CaseTables",
    "case_fields",
    "case_tables",
    "result_tables",
    "text_id",
    "value_text",
]
