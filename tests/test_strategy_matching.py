"""The generated CFIR-ERIC strategy-matching pack: stage fit, evidence kinds, the CFIR 1.0 -> 2.0 crosswalk,
implementation-outcome tags, and that rules/strategy_matching.yaml is what its script generates."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engine import case_from_data, load_engine
from engine.model import vocabulary as v

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "build_strategy_matching.py"
PACK = ROOT / "rules" / "strategy_matching.yaml"

# strategies that need the innovation in use: training-like support, recipients' uptake, feedback on data
NOT_IN_EXPLORATION = {
    "audit_and_provide_feedback",
    "intervene_with_patients_consumers_to_enhance_uptake_and_adherence",
    "provide_ongoing_consultation",
    "provide_clinical_supervision",
    "conduct_educational_outreach_visits",
    "facilitate_relay_of_clinical_data_to_providers",
}
# barriers whose rows include the strategies above
BARRIERS = {
    "process.reflecting_evaluating": -2,  # audit and feedback (56%), relay of data (36%)
    "process.assessing_needs.recipients": -2,  # intervene with recipients (24%)
    "individuals.capability": -1,  # ongoing consultation (tool read in reverse)
    "individuals.innovation_deliverers": -1,  # outreach visits, supervision (authors' judgement)
    "inner_setting.tension_for_change": -1,  # audit and feedback (authors' judgement)
}


@pytest.fixture(scope="module")
def eng():  # type: ignore[no-untyped-def]
    return load_engine()


def sm_rules(eng: Any) -> list[Any]:
    return [r for r in eng.rules if r.pack == "strategy_matching"]


def fired_strategies(eng: Any, data: dict[str, Any]) -> dict[str, set[str]]:
    """ERIC strategy -> the strategy-matching rules that fired for it (before the plan folds anything)."""
    result = eng.evaluate(case_from_data(data))
    out: dict[str, set[str]] = {}
    for rid in result.fired:
        rule = eng.by_id[rid]
        if rule.pack == "strategy_matching":
            for s in rule.tags.get("eric_strategy", ()):
                out.setdefault(s, set()).add(rid)
    return out


def test_exploration_gets_no_strategy_that_needs_the_innovation_in_use(eng: Any) -> None:
    fired = fired_strategies(eng, {"case_id": "sm-explore", "stage": "exploration", "cfir": BARRIERS})
    assert not NOT_IN_EXPLORATION & set(fired), sorted(NOT_IN_EXPLORATION & set(fired))
    # what suits exploration still fires
    assert "involve_patients_consumers_and_family_members" in fired
    assert "develop_and_implement_tools_for_quality_monitoring" not in fired  # built once adoption is decided


def test_installation_gets_no_audit_and_feedback(eng: Any) -> None:
    fired = fired_strategies(eng, {"case_id": "sm-install", "stage": "installation", "cfir": BARRIERS})
    assert "audit_and_provide_feedback" not in fired
    assert "develop_and_implement_tools_for_quality_monitoring" in fired


def test_no_stage_keeps_every_row(eng: Any) -> None:
    fired = fired_strategies(eng, {"case_id": "sm-nostage", "cfir": BARRIERS})
    assert NOT_IN_EXPLORATION <= set(fired), sorted(NOT_IN_EXPLORATION - set(fired))
    launched = fired_strategies(eng, {"case_id": "sm-launch", "stage": "initial_implementation", "cfir": BARRIERS})
    assert NOT_IN_EXPLORATION <= set(launched)


def test_every_eric_row_is_gated_by_stage_and_declares_its_stages(eng: Any) -> None:
    rows = [r for r in sm_rules(eng) if r.tags.get("eric_strategy")]
    assert len(rows) > 300
    for r in rows:
        text = repr(r.when)
        assert "stage" in text, r.id
        assert r.stages and set(r.stages) <= set(v.STAGES), r.id


def test_every_generated_row_carries_an_implementation_outcome(eng: Any) -> None:
    for r in sm_rules(eng):
        outs = r.tags.get("implementation_outcome", ())
        assert outs and set(outs) <= set(v.TAG_VOCABULARIES["implementation_outcome"]), r.id


def test_community_engagement_strategies_carry_a_spectrum_level(eng: Any) -> None:
    engaging = {"involve_patients_consumers_and_family_members",
                "obtain_and_use_patients_consumers_and_family_feedback",
                "use_advisory_boards_and_workgroups", "build_a_coalition"}
    seen = set()
    for r in sm_rules(eng):
        strategies = set(r.tags.get("eric_strategy", ()))
        if strategies & engaging:
            seen |= strategies & engaging
            assert r.tags.get("spectrum_level"), r.id
    assert seen == engaging


def test_level_only_rows_never_show_a_number(eng: Any) -> None:
    rows = [r for r in sm_rules(eng) if r.table.startswith("cfir-eric-level-only")]
    assert len(rows) >= 80
    for r in rows:
        assert r.score == 0, r.id
        assert "at least 20% of experts (Level 1 or 2)" in r.rationale, r.id
        assert re.findall(r"\d+\s*%", r.rationale) == ["20%"], r.id
        assert "pmc11446052" in r.sources, r.id
        assert r.evidence_level == 2, r.id
    for r in sm_rules(eng):
        if r.table.startswith("cfir-eric-tool-reverse"):
            assert r.score == 0 and "%" not in r.rationale, r.id


def test_severity_follows_rating_and_level(eng: Any) -> None:
    expected = {
        ("published", True, 1): "high", ("published", True, 2): "medium",
        ("published", False, 1): "medium", ("published", False, 2): "low",
    }
    for r in sm_rules(eng):
        if not r.tags.get("eric_strategy"):
            continue
        strong = "-strong-" in r.table
        if r.table.startswith("cfir-eric-published"):
            assert r.priority == expected[("published", strong, 1 if r.score >= 50 else 2)], r.id
        else:  # no figure: at most Level 2
            assert r.priority == ("medium" if strong else "low"), r.id


def _rows_citing(eng: Any, barrier: str) -> list[Any]:
    return [r for r in sm_rules(eng) if f"CFIR 1.0 barrier '{barrier}'" in r.rationale]


def test_patient_needs_go_to_recipients_needs_not_the_recipients_role(eng: Any) -> None:
    targets = {r.tags["cfir"][0] for r in _rows_citing(eng, "Patient Needs & Resources")}
    assert targets == {"process.assessing_needs.recipients", "inner_setting.culture.recipient_centeredness"}
    fired = fired_strategies(eng, {"case_id": "sm-needs", "cfir": {"process.assessing_needs.recipients": -2}})
    assert "SM-process.assessing_needs.recipients-involve_patients_consumers-2" in fired[
        "involve_patients_consumers_and_family_members"]
    role = fired_strategies(eng, {"case_id": "sm-role", "cfir": {"individuals.innovation_recipients": -2}})
    for ids in role.values():
        for rid in ids:
            rule = eng.by_id[rid]
            assert rule.table.startswith("cfir-eric-judgement") and rule.score == 0, rid


def test_appointed_leaders_go_to_implementation_leads_only(eng: Any) -> None:
    targets = {r.tags["cfir"][0] for r in _rows_citing(eng, "Formally Appointed Internal Implementation Leaders")}
    assert targets == {"individuals.implementation_leads"}
    leads = fired_strategies(eng, {"case_id": "sm-leads", "cfir": {"individuals.implementation_leads": -2}})
    rule = eng.by_id["SM-individuals.implementation_leads-identify_and_prepare-2"]
    assert rule.id in leads["identify_and_prepare_champions"] and rule.score == 64 and rule.priority == "high"
    team = fired_strategies(eng, {"case_id": "sm-team", "cfir": {"individuals.implementation_team_members": -2}})
    assert all(eng.by_id[rid].score == 0 for ids in team.values() for rid in ids)


def test_self_efficacy_goes_to_capability_and_motivation(eng: Any) -> None:
    targets = {r.tags["cfir"][0] for r in _rows_citing(eng, "Self-efficacy")}
    assert targets == {"individuals.capability", "individuals.motivation"}
    for construct in ("individuals.capability", "individuals.motivation"):
        fired = fired_strategies(eng, {"case_id": "sm-se", "cfir": {construct: -1}})
        rid = f"SM-{construct}-model_and_simulate"
        assert rid in fired["model_and_simulate_change"], construct
        assert eng.by_id[rid].score == 33 and eng.by_id[rid].priority == "low"


def test_asset_text_is_written_for_the_construct(eng: Any) -> None:
    assets = [r for r in sm_rules(eng) if r.table == "cfir-assets"]
    assert len(assets) == len(v.CFIR_IDS)
    actions = [r.actions[0] for r in assets]
    assert len(set(actions)) == len(actions)  # no template
    assert not any("use it deliberately" in a for a in actions)


def _generate(tmp_path: Path, name: str) -> bytes:
    out = tmp_path / name
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], check=True, capture_output=True, cwd=ROOT)
    return out.read_bytes()


def test_generator_is_deterministic_and_the_pack_is_up_to_date(tmp_path: Path) -> None:
    first = _generate(tmp_path, "a.yaml")
    assert first == _generate(tmp_path, "b.yaml")
    assert first == PACK.read_bytes(), "rules/strategy_matching.yaml is stale: run scripts/build_strategy_matching.py"


# ---------------------------------------------------------------- review item 6: capture and share before use

def _capture_actions(eng: Any, data: dict[str, Any]) -> list[str]:
    result = eng.evaluate(case_from_data(data))
    return [a for rec in result.recommendations for rid in rec.rule_ids
            if "capture_and_share_local_knowledge" in eng.by_id[rid].tags.get("eric_strategy", ())
            for a in rec.actions]


@pytest.mark.parametrize("stage", ["exploration", "installation"])
def test_capture_and_share_before_use_asks_comparable_sites(eng: Any, stage: str) -> None:
    data = {"case_id": "t", "stage": stage, "innovation": "Family literacy evenings",
            "cfir": {"innovation.adaptability": -2}}
    actions = _capture_actions(eng, data)
    assert actions, "capture and share should fire for an adaptability barrier"
    joined = " ".join(actions)
    assert "for whom the innovation is working" not in joined
    assert "comparable sites or communities that already use Family literacy evenings" in joined


def test_capture_and_share_in_use_interviews_local_users(eng: Any) -> None:
    for stage in ("initial_implementation", None):
        data = {"case_id": "t", "cfir": {"innovation.adaptability": -2}, **({"stage": stage} if stage else {})}
        assert any("for whom the innovation is working" in a for a in _capture_actions(eng, data)), stage


def test_tribal_knowledge_holds_back_capture_and_share(eng: Any) -> None:
    result = eng.evaluate(case_from_data({"case_id": "t", "stage": "exploration", "setting": "tribal_community",
                                          "cfir": {"innovation.adaptability": -2}}))
    held = {h.rule_id: h.by for h in result.plan.held_back}
    assert held.get("SM-innovation.adaptability-capture_and_share-early-2") == "EQ-TRIBAL-KNOWLEDGE"
