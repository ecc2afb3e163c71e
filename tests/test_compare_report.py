"""The typed data of `compare` (engine/model/comparereport.py): it reads back from its own JSON unchanged,
refuses a row with a key the contract does not have, leaves out the optional keys it does not set, and
names the same keys as the published schema (docs/schemas/compare.schema.json)."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from conftest import CASES
from pydantic import BaseModel

from engine import load_case
from engine.assessments.compare import compare
from engine.authoring import schema
from engine.model import comparereport as cr
from engine.model.changes import FactChange
from engine.model.decisions import Decision, Decisions
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


PUBLISHED: list[tuple[type[msgspec.Struct], type[BaseModel]]] = [
    (cr.StageChange, schema.StageOut),
    (cr.RelationshipChange, schema.RelationshipOut),
    (FactChange, schema.ChangeOut),
    (cr.BasisChange, schema.BecauseOut),
    (cr.TeamDecision, schema.TeamOut),
    (cr.NewRow, schema.ComparedRecOut),
    (cr.KeptRow, schema.KeptRecOut),
    (cr.MovedRow, schema.MovedRecOut),
    (cr.FoldedRow, schema.FoldedRecOut),
    (cr.HeldBackRow, schema.HeldBackRecOut),
    (cr.ContinuedRow, schema.ContinuedRecOut),
    (cr.RetiredRow, schema.RetiredRecOut),
    (cr.UnfoldedRow, schema.UnfoldedRecOut),
    (cr.RecommendationChanges, schema.CompareRecsOut),
    (cr.DecisionEntry, schema.ProgressItemOut),
    (cr.SetAsideEntry, schema.ProgressSetAsideOut),
    (cr.AcceptedFate, schema.FateOut),
    (cr.DecisionCounts, schema.ProgressCountsOut),
    (cr.DecisionProgress, schema.ProgressOut),
    (cr.StepReport, schema.StepOut),
    (cr.ComparisonReport, schema.CompareModel),
]


@pytest.mark.parametrize(("struct", "model"), PUBLISHED, ids=[s.__name__ for s, _ in PUBLISHED])
def test_each_struct_writes_only_keys_its_published_schema_allows_and_all_it_requires(
    struct: type[msgspec.Struct], model: type[BaseModel]
) -> None:
    """The schema refuses other keys (additionalProperties: false); a key whose field defaults to UNSET may
    be left out, every other key is always written."""
    fields = msgspec.structs.fields(struct)
    allowed = {f.alias or n for n, f in model.model_fields.items()}
    required = {f.alias or n for n, f in model.model_fields.items() if f.is_required()}
    assert {f.encode_name for f in fields} <= allowed
    assert required <= {f.encode_name for f in fields if f.default is not msgspec.UNSET}
