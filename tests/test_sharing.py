"""Work shared across cases lives in one explicit object (engine/model/sharing.Shared), never on the data.

The output is the same byte for byte with sharing on, off, or with every table so small that it evicts on
each case; the data objects carry no attribute but their fields; the tables stay within their bounds; an
entry kept under an object's id is never used for another object.
"""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from engine import load_case
from engine.evaluation.runner import Engine, load_engine
from engine.model import resultjson
from engine.model.config import EngineConfig
from engine.model.placement import Also, Placement
from engine.model.results import Recommendation, Result
from engine.model.sharing import NOTHING_SHARED, Shared, Table
from engine.model.traces import Proof, Trace
from engine.render import csvrows
from tests.conftest import ROOT

CASES = sorted((ROOT / "cases").glob("*.yaml"))


def outputs(engine: Engine, paths: list[Path]) -> list[tuple[str, str]]:
    """Each case's JSON line and CSV rows, as a batch writes them."""
    out = []
    for path in paths:
        result = engine.evaluate(load_case(path))
        placed = result.placed() if result.plan is not None else [(r, None) for r in result.recommendations]
        csv = csvrows.result_text(result.case_id, "site", placed, result.assessed_on, engine.shared)
        out.append((result.to_json(engine.shared), csv))
    return out


@pytest.fixture(scope="module")
def shared_outputs() -> list[tuple[str, str]]:
    engine = load_engine()
    outputs(engine, CASES)  # every case once, so the second round is served from the tables
    assert len(engine.shared.proofs) and len(engine.shared.json) and len(engine.shared.ranks)
    return outputs(engine, CASES)


def test_the_output_is_the_same_with_nothing_shared(shared_outputs: list[tuple[str, str]]) -> None:
    engine = load_engine(EngineConfig(share=False))
    assert not engine.shared.enabled
    fresh = outputs(engine, CASES)
    assert all(len(t) == 0 for t in engine.shared.tables())  # it kept nothing
    assert fresh == shared_outputs


def test_the_output_is_the_same_when_every_table_evicts_on_every_case(
    shared_outputs: list[tuple[str, str]],
) -> None:
    engine = load_engine()
    for table in engine.shared.tables():
        table.size = 2
    assert outputs(engine, CASES) == shared_outputs
    assert all(len(t) <= 2 for t in engine.shared.tables())


def test_to_dict_is_the_json_as_data(shared_outputs: list[tuple[str, str]]) -> None:
    engine = load_engine()
    for path, (line, _) in zip(CASES, shared_outputs, strict=True):
        result = engine.evaluate(load_case(path))
        assert json.loads(line) == result.to_dict(), path.name


def test_the_data_objects_carry_only_their_fields() -> None:
    """No memo attribute is forced onto a frozen object by any layer (evaluation, planner, JSON, CSV)."""
    engine = load_engine()
    results: list[Result] = []
    for path in CASES:
        result = engine.evaluate(load_case(path))
        placed = result.placed()
        csvrows.result_text(result.case_id, "site", placed, result.assessed_on, engine.shared)
        result.to_json(engine.shared)
        result.to_dict()
        results.append(result)

    seen = 0

    def check(obj: object) -> None:
        """A frozen msgspec struct: no `__dict__`, so nothing but its declared fields can ever be set on it."""
        nonlocal seen
        assert isinstance(obj, msgspec.Struct) and obj.__struct_config__.frozen, type(obj).__name__
        assert not hasattr(obj, "__dict__"), type(obj).__name__
        with pytest.raises((AttributeError, TypeError)):
            obj._memo = 1  # type: ignore[attr-defined]
        seen += 1

    def walk_trace(t: Trace) -> None:
        check(t)
        for c in t.children:
            walk_trace(c)
        if t.derived_from is not None:
            walk_proof(t.derived_from)

    def walk_proof(p: Proof) -> None:
        check(p)
        walk_trace(p.condition)

    for result in results:
        check(result)
        for rec in result.recommendations:
            check(rec)
            for p in rec.explanation:
                walk_proof(p)
        for place in result.plan.items if result.plan else ():
            check(place)
            for a in place.also:
                check(a)
            for r in place.reasons:
                check(r)
    for rule in engine.rules:  # the rule base too: rules, their conditions, variants and sources
        check(rule)
        for node in (rule.when, *(v.when for v in rule.variants), *(t.when for t in rule.texts)):
            check(node)
        for v in (*rule.variants, *rule.texts):
            check(v)
    for source in engine.base.sources.values():
        check(source)
    check(engine.base)
    assert seen > 5_000


def test_the_records_a_command_starts_with_carry_only_their_fields() -> None:
    """The vocabularies' records, the engine's settings and the plan's views are frozen structs too, and the
    cue lexicon's compiled patterns live in one bounded per-process cache, not on its entries."""
    from engine.model import fields, operators
    from engine.model.cues import LEXICON
    from engine.model.facts import FACTS
    from engine.render.plantext import View

    records: list[object] = [EngineConfig(), View(), *FACTS.values(), *fields.FIELDS, *operators.REGISTRY]
    records += LEXICON
    for obj in records:
        assert isinstance(obj, msgspec.Struct) and obj.__struct_config__.frozen, type(obj).__name__
        assert not hasattr(obj, "__dict__"), type(obj).__name__
    entry = LEXICON[0]
    assert entry.pattern is entry.pattern  # compiled once, kept by the cache
    assert entry.pattern.search(" ".join(entry.phrases[0].split())) is not None


def test_a_table_keeps_at_most_its_size_dropping_the_oldest() -> None:
    table: Table[int] = Table("t", 3, "test")
    for n in range(5):
        table.put(n, n * 10)
    assert len(table) == 3
    assert [table.get(n) for n in range(5)] == [None, None, 20, 30, 40]
    table.put(2, 99)  # replacing an entry drops nothing
    assert len(table) == 3 and table.get(2) == 99 and table.get(3) == 30
    table.put(7, 70)
    assert table.get(7) == 70 and table.get(2) is None  # first in, first out


def test_a_disabled_table_keeps_nothing() -> None:
    shared = Shared(enabled=False)
    assert shared.proofs.put("k", "v") == "v"  # type: ignore[arg-type]
    assert shared.proofs.get("k") is None
    assert all(t.size == 0 for t in shared.tables()) and all(t.size == 0 for t in NOTHING_SHARED.tables())


def test_every_table_documents_its_key() -> None:
    shared = Shared()
    names = [t.name for t in shared.tables()]
    assert names == [
        "proofs",
        "recommendations",
        "merged",
        "traces",
        "json",
        "support",
        "barriers",
        "ranks",
        "rule_ranks",
        "csv",
    ]
    for table in shared.tables():
        assert "key" in table.doc.lower() and table.size > 0, table.name


def test_an_entry_kept_under_an_id_is_never_used_for_another_object() -> None:
    """A JSON fragment is kept under id(object) with the object itself: a lookup for another object that
    happens to have that id (the first one gone) builds its own."""
    engine = load_engine()
    result = engine.evaluate(load_case(ROOT / "cases" / "riverside-fqhc.yaml"))
    proof = result.recommendations[0].explanation[0]
    shared = Shared()
    impostor = object()
    shared.json.put(id(proof), (impostor, b'"not this proof"'))
    assert json.loads(bytes(resultjson.proof(proof, shared))) == proof.to_dict()
    assert shared.json.get(id(proof))[0] is proof  # type: ignore[index]


def test_the_encoders_are_what_each_object_gives_as_data() -> None:
    engine = load_engine()
    result = engine.evaluate(load_case(ROOT / "cases" / "riverside-fqhc.yaml"))
    assert result.plan is not None
    rec: Recommendation = result.recommendations[0]
    place: Placement = result.plan.items[0]
    assert json.loads(rec.to_json(engine.shared)) == rec.to_dict()
    assert json.loads(place.to_json(engine.shared)) == place.to_dict()
    folded: list[Also] = [a for p in result.plan.items for a in p.also]
    assert folded, "riverside folds ERIC items into its site items"
    assert all(json.loads(a.to_json(engine.shared)) == a.to_dict() for a in folded)
