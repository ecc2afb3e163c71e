"""The JSON output of a result, encoded by msgspec from plain data.

Each function here gives what its object's `to_dict()` gives, with one difference: a part that is
shared across cases (a proof, a test's trace, a rule's tags and sources) is a `Raw` fragment
encoded once and kept in the engine's `Shared` tables (engine/model/sharing.py), keyed by the
object. With `NOTHING_SHARED` every fragment is encoded afresh; the bytes are the same
(tests/test_sharing.py). The data objects keep nothing of their own JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.model.jsontext import Raw, encode, number
from engine.model.sharing import Shared
from engine.model.vocabulary import TAG_KEYS

if TYPE_CHECKING:
    from engine.model.placement import Also, Placement
    from engine.model.results import Recommendation, Result
    from engine.model.traces import Proof, Trace


def kept(shared: Shared, obj: object, build: Callable[[], bytes]) -> Raw:
    """`obj`'s JSON as a Raw fragment, built once while `shared` keeps it (keyed by the object)."""
    table = shared.json
    entry = table.get(id(obj))
    if entry is not None and entry[0] is obj:
        return Raw(entry[1])
    data = build()
    table.put(id(obj), (obj, data))
    return Raw(data)


def trace(t: Trace, shared: Shared) -> Any:
    """A trace's JSON data: a branch as a dict, a test (shared across proofs) as a kept fragment."""
    if t.op != "test":
        return {"op": t.op, "held": t.held, "children": [trace(c, shared) for c in t.children]}
    return kept(shared, t, lambda: encode(_test(t, shared)))


def _test(t: Trace, shared: Shared) -> dict[str, Any]:
    out = t.test_fields()
    if t.derived_from is not None:
        out["derived_from"] = proof(t.derived_from, shared)
    return out


def proof(p: Proof, shared: Shared) -> Raw:
    """A proof's JSON, kept: proofs are shared across the cases whose facts they read agree."""
    return kept(shared, p, lambda: encode({**p.head(), "condition": trace(p.condition, shared)}))


def recommendation(rec: Recommendation, shared: Shared, place: Placement | None = None) -> dict[str, Any]:
    """A recommendation's JSON data, with its placement's fields after its own when it has one."""
    out: dict[str, Any] = {
        "rule_id": rec.rule_ids[0],
        "key": rec.key,
        "rule_ids": rec.rule_ids,
        "category": rec.category,
        "title": rec.title,
        "priority": rec.priority,
        "score": number(rec.score),
        "actions": rec.actions,
        "tags": kept(shared, rec.tags, lambda: encode({k: rec.tags.get(k, ()) for k in TAG_KEYS})),
        "rationale": rec.rationale,
        "addresses": rec.addresses,
        "sources": kept(shared, rec.sources, lambda: encode([s.to_dict() for s in rec.sources])),
        "explanation": [proof(p, shared) for p in rec.explanation],
    }
    if place is not None:
        out.update(placement(place, shared))
    return out


def placement(place: Placement, shared: Shared) -> dict[str, Any]:
    out: dict[str, Any] = {"horizon": place.horizon, "rank": place.rank, "rank_reasons": place.reasons}
    if place.figures:
        out["figures"] = figures(place.figures)
    out["also"] = [also(a, shared) for a in place.also]
    if place.decision is not None:
        out.update(place.decision.to_dict())
    return out


def also(a: Also, shared: Shared) -> dict[str, Any]:
    out = a.head()
    out["explanation"] = [proof(p, shared) for p in a.explanation]
    return out


def figures(pairs: tuple[tuple[str, float], ...]) -> list[dict[str, Any]]:
    """Each merged member rule's (CFIR construct, endorsement figure)."""
    return [{"cfir": c, "score": number(f)} for c, f in pairs]


def result(r: Result, shared: Shared) -> dict[str, Any]:
    """A result's JSON data (the output contract of `recommend --format json`, one JSON Lines row)."""
    if r.plan is None:
        recs = [recommendation(rec, shared) for rec in r.recommendations]
    else:
        recs = [recommendation(rec, shared, place) for rec, place in zip(r.recommendations, r.plan.items, strict=True)]
    out: dict[str, Any] = {
        "case_id": r.case_id,
        "engine": r.engine,
        "recommendations": recs,
        "derived_facts": {
            k: {"value": d.value, "rule_id": d.rule_id, "explanation": proof(d.proof, shared)}
            for k, d in sorted(r.derived_facts.items())
        },
        "missing_information": r.missing_information,
        "warnings": r.warnings,
    }
    if r.plan is not None:
        out["plan"] = r.plan.to_dict(r.recommendations)
    out.update(r.context())
    return out
