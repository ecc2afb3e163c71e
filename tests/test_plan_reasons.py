"""Typed plan reasons (issue 24): one class per Factor, rendered exhaustively, serialised as before."""

from __future__ import annotations

import json
import typing
from typing import Any, ClassVar

import pytest

from engine import load_case
from engine.errors import EngineError
from engine.model.jsontext import compact
from engine.model.placement import (
    REASON_TYPES,
    AfterReason,
    BarrierSeverityReason,
    BreadthReason,
    CapacityReason,
    DueReason,
    EricPerBarrierReason,
    EvidenceReason,
    Factor,
    FirstStepReason,
    NotBeforeReason,
    PacingReason,
    Placement,
    PlanReason,
    PriorityReason,
    RelationshipReason,
    SafetyReason,
    StageFitReason,
    StatedProblemReason,
    UrgentReason,
    _Reason,
    reason_from_dict,
)
from engine.render.plantext import plan_refs, reason_text, reasons_line
from tests.conftest import CASES, ROOT

RIVERSIDE = CASES / "riverside-fqhc.yaml"

# one reason of each factor, with the words it renders to (no refs; `refs` is tested apart)
SAMPLES: dict[Factor, tuple[PlanReason, str]] = {
    Factor.SAFETY: (SafetyReason(), "people's safety and wellbeing first"),
    Factor.RELATIONSHIP: (RelationshipReason(), "relationships first"),
    Factor.URGENT: (UrgentReason("before the grant ends"), "time-bound (before the grant ends)"),
    Factor.STATED_PROBLEM: (
        StatedProblemReason(("workflow_not_fitted", "roles_unclear")),
        "works on the stated problem (workflow not fitted, roles unclear)",
    ),
    Factor.PRIORITY: (PriorityReason("high"), "high priority"),
    Factor.BARRIER_SEVERITY: (BarrierSeverityReason(-2, "innovation.complexity"), "barrier -2 (Innovation Complexity)"),
    Factor.EVIDENCE: (
        EvidenceReason(1, 73, "innovation.adaptability"),
        "endorsed by 73% of experts for Innovation Adaptability (CFIR-ERIC Level 1)",
    ),
    Factor.BREADTH: (BreadthReason(3), "addresses 3 barriers"),
    Factor.STAGE_FIT: (StageFitReason("initial_implementation"), "suits initial implementation"),
    Factor.NOT_BEFORE: (NotBeforeReason("next"), "not before next"),
    Factor.PACING: (
        PacingReason("shared_leadership", None),
        "paced: works at shared leadership, engagement is not stated",
    ),
    Factor.AFTER: (AfterReason("TRUST", "now"), "after TRUST"),
    Factor.ERIC_PER_BARRIER: (
        EricPerBarrierReason("innovation.complexity", 2),
        "2 ERIC items already address Innovation Complexity",
    ),
    Factor.DUE: (DueReason("next"), "due by next (kept there though it is full)"),
    Factor.CAPACITY: (CapacityReason("now", 5), "Start here is full (5 items)"),
    Factor.FIRST_STEP: (FirstStepReason(), "the first step"),
}


def test_every_factor_has_a_class_and_the_union_names_them_all() -> None:
    assert set(REASON_TYPES) == set(Factor)
    assert all(cls.factor is f for f, cls in REASON_TYPES.items())
    assert set(typing.get_args(PlanReason)) == set(REASON_TYPES.values())


def test_every_factor_has_a_formatter() -> None:
    assert set(SAMPLES) == set(Factor)
    for factor, (reason, _) in SAMPLES.items():
        assert reason.factor is factor
        assert reason_text(reason)  # a word for every factor: none is dropped


@pytest.mark.parametrize("factor", list(Factor))
def test_each_factor_renders_its_words(factor: Factor) -> None:
    reason, words = SAMPLES[factor]
    assert reason_text(reason) == words


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        (UrgentReason("time-bound"), "time-bound"),
        (EvidenceReason(2, None), "CFIR-ERIC Level 2"),
        (EvidenceReason(1, 55), "endorsed by 55% of experts (CFIR-ERIC Level 1)"),
        (EvidenceReason(1, 55, ""), "endorsed by 55% of experts (CFIR-ERIC Level 1)"),
        (PacingReason("involve", "inform"), "paced: works at involve, engagement is inform"),
        (CapacityReason("next", 10), "Next is full (10 items)"),
        (BarrierSeverityReason("mixed", "outer_setting.financing"), "barrier mixed (Financing)"),
    ],
)
def test_the_variants_of_a_factor_render_as_before(reason: PlanReason, words: str) -> None:
    assert reason_text(reason) == words


def test_after_names_the_item_by_its_place_when_given_refs() -> None:
    assert reason_text(AfterReason("TRUST", "now"), {"TRUST": "item 2"}) == "after item 2"
    assert reason_text(AfterReason("GONE", "now"), {}) == "after an earlier item"


def test_riverside_says_relationships_first_and_the_stated_problem(shipped_engine: Any) -> None:
    result = shipped_engine.evaluate(load_case(RIVERSIDE))
    refs = plan_refs(result)
    lines = [reasons_line(place, refs) for _, place in result.placed()]
    assert lines[0].startswith("first because: relationships first")
    assert any("works on the stated problem (" in line for line in lines)
    for rec, place in result.placed():
        assert all(type(r) in REASON_TYPES.values() for r in place.reasons)
        for r in place.reasons:  # every reason of the plan is said, in order
            assert reason_text(r, refs) in reasons_line(place, refs)
        if any(isinstance(r, StatedProblemReason) for r in place.reasons):
            said = ", ".join(t.replace("_", " ") for t in rec.addresses)
            assert f"works on the stated problem ({said})" in reasons_line(place, refs)


# ---------------------------------------------------------------- unknown factors fail loudly


def test_an_unknown_factor_is_refused_when_read_back() -> None:
    with pytest.raises(EngineError, match="unknown factor"):
        reason_from_dict({"factor": "charisma"})
    with pytest.raises(EngineError):
        reason_from_dict({"value": 1})  # no factor at all
    with pytest.raises(EngineError):
        reason_from_dict({"factor": "priority", "value": "high", "from": "x"})  # a key the factor has not
    with pytest.raises(ValueError):
        Factor("charisma")
    with pytest.raises(EngineError, match="value"):
        reason_from_dict({"factor": "breadth", "value": "three"})  # a value of the wrong type


def test_reasons_are_a_tagged_union_msgspec_reads_and_writes() -> None:
    """The reasons are msgspec structs tagged by `factor`: encoded directly (no dict in between) to the
    documented JSON, decoded back to the same typed reasons, an unknown factor refused by the decoder."""
    import msgspec

    samples = [SAMPLES[f][0] for f in Factor]
    data = msgspec.json.encode(samples)
    assert json.loads(data) == [r.to_dict() for r in samples]
    back = msgspec.json.decode(data, type=list[PlanReason])  # type: ignore[valid-type]
    assert [type(r) for r in back] == [type(r) for r in samples] and back == samples
    assert all(REASON_TYPES[f].__struct_config__.tag == f.value for f in Factor)
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'[{"factor":"charisma"}]', type=list[PlanReason])  # type: ignore[valid-type]
    with pytest.raises(AttributeError):
        samples[2].value = "changed"  # type: ignore[misc]  # frozen


def test_an_unknown_reason_is_not_silently_dropped_from_the_line() -> None:
    class Charisma(_Reason, frozen=True, tag="charisma"):  # a reason class outside the union
        factor: ClassVar[Factor] = Factor.PRIORITY

    with pytest.raises(AssertionError):
        reason_text(Charisma())  # type: ignore[arg-type]
    with pytest.raises(AssertionError):
        reason_text({"factor": "priority", "value": "high"})  # type: ignore[arg-type]
    place = Placement("now", 1, (PriorityReason("high"), Charisma()))  # type: ignore[arg-type]
    with pytest.raises(AssertionError):
        reasons_line(place)


# ---------------------------------------------------------------- the JSON form is unchanged


def test_each_reason_serialises_to_the_documented_dict() -> None:
    assert [compact(SAMPLES[f][0].to_dict()) for f in Factor] == [
        '{"factor":"safety"}',
        '{"factor":"relationship"}',
        '{"factor":"urgent","value":"before the grant ends"}',
        '{"factor":"stated_problem","value":["workflow_not_fitted","roles_unclear"]}',
        '{"factor":"priority","value":"high"}',
        '{"factor":"barrier_severity","value":-2,"cfir":"innovation.complexity"}',
        '{"factor":"evidence","level":1,"value":73,"cfir":"innovation.adaptability"}',
        '{"factor":"breadth","value":3}',
        '{"factor":"stage_fit","value":"initial_implementation"}',
        '{"factor":"not_before","value":"next"}',
        '{"factor":"pacing","spectrum_level":"shared_leadership","engagement_level":null}',
        '{"factor":"after","rule":"TRUST","horizon":"now"}',
        '{"factor":"eric_per_barrier","cfir":"innovation.complexity","limit":2}',
        '{"factor":"due","value":"next"}',
        '{"factor":"capacity","horizon":"now","limit":5}',
        '{"factor":"first_step"}',
    ]
    assert compact(EvidenceReason(2, None).to_dict()) == '{"factor":"evidence","level":2,"value":null}'


def test_every_golden_reason_reads_back_and_serialises_byte_for_byte() -> None:
    seen: set[str] = set()
    for path in sorted((ROOT / "tests" / "golden").glob("*.json")):
        for rec in json.loads(path.read_text(encoding="utf-8"))["recommendations"]:
            for data in rec["rank_reasons"]:
                reason = reason_from_dict(data)
                assert compact(reason.to_dict()) == compact(data), path.name
                assert reason == data and dict(reason) == data  # the read-only JSON view
                seen.add(data["factor"])
    assert len(seen) >= 10  # the goldens exercise most factors


def test_a_placement_serialises_its_reasons_as_dicts(shipped_engine: Any) -> None:
    result = shipped_engine.evaluate(load_case(RIVERSIDE))
    for _, place in result.placed():
        data = place.to_dict()
        assert data["rank_reasons"] == [r.to_dict() for r in place.reasons]
        assert all(type(r) is dict for r in data["rank_reasons"])
        assert json.loads(place.to_json()) == json.loads(json.dumps(data))
        assert place.to_json() == compact(data)
