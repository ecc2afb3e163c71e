"""The typed data of `compare` (engine/model/comparereport.py): it reads back from its own JSON unchanged,
refuses a row with a key the contract does not have, leaves out the optional keys it does not set, and
names the same keys as the published schema (docs/schemas/compare.schema.json)."""

from __future__ import annotations

import inspect
import json
from typing import Any, get_args

import msgspec
import pytest
from conftest import CASES, ROOT

from engine import load_case
from engine.assessments.compare import compare
from engine.model import comparereport as cr
from engine.model.changes import Direction, FactChange
from engine.model.decisions import STATUSES, Decision, Decisions
from engine.model.vocabulary import Horizon, Stage
from engine.render.comparison import render_compare

OVER_TIME = CASES / "over-time"
FEB, JUN, OCT = (str(OVER_TIME / f"millbrook-2026-{d}.yaml") for d in ("02-10", "06-09", "10-13"))


@pytest.fixture(scope="module")
def decided(shipped_engine: Any) -> cr.ComparisonReport:
    """Millbrook's three assessments, with the team's decisions at the first one: two items of its plan
    accepted (one under way and overdue by June) and one set aside, so every part of the data is filled."""
    cases = [(p, load_case(p)) for p in (FEB, JUN, OCT)]
    first = compare(shipped_engine, cases).report().steps[0].recommendations
    keys = [r.key for r in (*first.kept, *first.moved) if r.key][:3]
    assert len(keys) == 3, "the shipped rules no longer keep three keyed items from February to June"
    feb = Decisions(
        "millbrook-frc",
        (
            Decision(keys[0], "accepted", owner="Maria Lopez", due="2026-04-01", status="under_way"),
            Decision(keys[1], "accepted"),
            Decision(keys[2], "set_aside", reason="the board decides in May"),
        ),
    )
    return compare(shipped_engine, cases, decisions=[feb, None, None]).report()


def test_the_report_reads_back_from_its_json_unchanged(decided: cr.ComparisonReport) -> None:
    assert decided.progress is not None and decided.progress.counts.overdue == 1
    assert decided.progress.set_aside and decided.progress.accepted_fate
    text = render_compare(decided, "json")
    again = cr.ComparisonReport.from_json(text)
    assert again == decided
    assert render_compare(again, "json") == text


def test_a_row_with_an_unknown_key_is_refused(decided: cr.ComparisonReport) -> None:
    data = decided.to_dict()
    data["recommendations"]["kept"][0]["score"] = 70
    with pytest.raises(msgspec.ValidationError, match=r"unknown field `score` - at `\$.recommendations.kept\[0\]`"):
        cr.ComparisonReport.from_json(json.dumps(data))


def test_a_row_missing_a_key_is_refused(decided: cr.ComparisonReport) -> None:
    data = decided.to_dict()
    del data["steps"][0]["relationships"][0]["direction"]
    with pytest.raises(msgspec.ValidationError, match=r"missing required field `direction`"):
        cr.ComparisonReport.from_json(json.dumps(data))


def test_optional_keys_left_unset_are_absent_from_the_json() -> None:
    row = cr.NewRow(rule_id="R-1", key="equity:x", title="X", horizon="now")
    assert msgspec.to_builtins(row) == {"rule_id": "R-1", "key": "equity:x", "title": "X", "horizon": "now"}
    rel = cr.RelationshipChange(path="events.critical_incident", label="L", old=1, new=1, direction="unchanged")
    assert "note" not in msgspec.to_builtins(rel)
    team = cr.TeamDecision.of(Decision("equity:x", "accepted", owner="Sam"))
    assert msgspec.to_builtins(msgspec.structs.replace(row, team=team))["team"] == {
        "decision": "accepted",
        "owner": "Sam",
    }
    assert cr.TeamDecision.of(Decision("equity:x")) is msgspec.UNSET
    fate = cr.AcceptedFate(key="k", title="T", decided_at="2026-02-10", status="done", fate="still_recommended")
    still = msgspec.structs.replace(fate, rule_id="R-1", horizon="now", carried_from=None)
    assert msgspec.to_builtins(still) == {
        "key": "k",
        "title": "T",
        "decided_at": "2026-02-10",
        "status": "done",
        "fate": "still_recommended",
        "rule_id": "R-1",
        "horizon": "now",
        "carried_from": None,
    }


STRUCTS: list[type[msgspec.Struct]] = [
    cr.StageChange,
    cr.RelationshipChange,
    FactChange,
    cr.BasisChange,
    cr.TeamDecision,
    cr.NewRow,
    cr.KeptRow,
    cr.MovedRow,
    cr.FoldedRow,
    cr.HeldBackRow,
    cr.ContinuedRow,
    cr.RetiredRow,
    cr.UnfoldedRow,
    cr.RecommendationChanges,
    cr.DecisionEntry,
    cr.SetAsideEntry,
    cr.AcceptedFate,
    cr.DecisionCounts,
    cr.DecisionProgress,
    cr.StepReport,
    cr.ComparisonReport,
]


def _published() -> dict[str, Any]:
    with open(ROOT / "docs" / "schemas" / "compare.schema.json", encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


@pytest.mark.parametrize("struct", STRUCTS, ids=[s.__name__ for s in STRUCTS])
def test_the_published_schema_is_the_structs_own_keys_in_their_order(struct: type[msgspec.Struct]) -> None:
    """One declaration: each struct's definition in docs/schemas/compare.schema.json lists exactly its keys,
    in the order msgspec writes them, requires every key it always writes (all but those left UNSET) and
    refuses any other."""
    published = _published()
    shape = published if struct is cr.ComparisonReport else published["$defs"][struct.__name__]
    fields = msgspec.structs.fields(struct)
    assert list(shape["properties"]) == [f.encode_name for f in fields]
    assert set(shape.get("required", [])) == {f.encode_name for f in fields if f.required}
    assert all(f.required or f.default is msgspec.UNSET for f in fields), "a key with a default is still written"
    assert shape["additionalProperties"] is False
    assert shape["description"] == inspect.cleandoc(struct.__doc__ or "")


def test_the_schemas_enumerations_are_the_vocabularies() -> None:
    published = _published()
    defs = published["$defs"]
    assert defs["NewRow"]["properties"]["horizon"]["enum"] == sorted(get_args(Horizon))
    assert defs["AcceptedFate"]["properties"]["fate"]["enum"] == sorted(get_args(cr.Fate))
    assert defs["DecisionEntry"]["properties"]["status"]["enum"] == sorted(STATUSES)
    assert defs["StageChange"]["properties"]["direction"]["enum"] == sorted(get_args(cr.StageDirection))
    assert defs["FactChange"]["properties"]["direction"]["enum"] == sorted(get_args(Direction))
    stage = defs["StageChange"]["properties"]["from"]["anyOf"]
    assert {"enum": sorted(get_args(Stage))} in stage
    assert defs["NewRow"]["properties"]["key"]["description"].startswith("the item's identity")


def test_a_row_with_a_value_outside_its_vocabulary_is_refused(decided: cr.ComparisonReport) -> None:
    data = decided.to_dict()
    data["steps"][0]["recommendations"]["kept"][0]["horizon"] = "soon"
    with pytest.raises(
        msgspec.ValidationError,
        match=r"Invalid enum value 'soon' - at `\$.steps\[0\].recommendations.kept\[0\].horizon`",
    ):
        cr.ComparisonReport.from_json(json.dumps(data))
    data = decided.to_dict()
    data["stage"]["direction"] = "sideways"
    with pytest.raises(msgspec.ValidationError, match=r"Invalid enum value 'sideways'"):
        cr.ComparisonReport.from_json(json.dumps(data))
