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
    engaging = {
        "involve_patients_consumers_and_family_members",
        "obtain_and_use_patients_consumers_and_family_feedback",
        "use_advisory_boards_and_workgroups",
        "build_a_coalition",
    }
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
        ("published", True, 1): "high",
        ("published", True, 2): "medium",
        ("published", False, 1): "medium",
        ("published", False, 2): "low",
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
    assert (
        "SM-process.assessing_needs.recipients-involve_patients_consumers-2"
        in fired["involve_patients_consumers_and_family_members"]
    )
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
    return [
        a
        for rec in result.recommendations
        for rid in rec.rule_ids
        if "capture_and_share_local_knowledge" in eng.by_id[rid].tags.get("eric_strategy", ())
        for a in rec.actions
    ]


@pytest.mark.parametrize("stage", ["exploration", "installation"])
def test_capture_and_share_before_use_asks_comparable_sites(eng: Any, stage: str) -> None:
    data = {
        "case_id": "t",
        "stage": stage,
        "innovation": "Family literacy evenings",
        "cfir": {"innovation.adaptability": -2},
    }
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
    result = eng.evaluate(
        case_from_data(
            {
                "case_id": "t",
                "stage": "exploration",
                "setting": "tribal_community",
                "cfir": {"innovation.adaptability": -2},
            }
        )
    )
    held = {h.rule_id: h.by for h in result.plan.held_back}
    assert held.get("SM-innovation.adaptability-capture_and_share-early-2") == "EQ-TRIBAL-KNOWLEDGE"


# ---------------------------------------------------------------- naming the site's people (text variants)


def _generator() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_strategy_matching", SCRIPT)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _chosen(slots: list[Any], have: set[str]) -> list[str]:
    """The actions a case stating `have` should get: in each slot, the first alternative it can fill."""
    out = []
    for slot in slots:
        alts = slot if isinstance(slot, list) else [((), slot)]
        text = next(t for needs, t in alts if set(needs) <= have)
        if text is not None:
            out.append(text)
    return out


def test_the_first_variant_that_holds_is_the_case_own_choice() -> None:
    """site_variants orders the variants so that first-match gives, for every combination of the people and
    assets a case lists, the alternatives chosen slot by slot."""
    from itertools import combinations

    gen = _generator()
    tables = [
        (gen.SITE_TEXTS, lambda s: gen.S[s][1]),
        (gen.EARLY_SITE_TEXTS, lambda s: gen.EARLY[s][0]),
        (gen.ASSET_SITE_TEXTS, lambda c: [gen.ASSET[c][0]]),
    ]
    for texts, default in tables:
        for name, slots in texts.items():
            variants = gen.site_variants(slots, default(name))
            keys = sorted({k for s in slots if isinstance(s, list) for needs, _ in s for k in needs})
            for n in range(len(keys) + 1):
                for have in map(set, combinations(keys, n)):
                    got = next((acts for needs, acts in variants if set(needs) <= have), list(default(name)))
                    assert got == _chosen(slots, have), (name, sorted(have))


def _sm_actions(eng: Any, data: dict[str, Any], strategy: str) -> list[str]:
    """The actions of the item of one ERIC strategy (or of the item holding one rule id), placeholders filled."""
    result = eng.evaluate(case_from_data(data))
    acts = [
        a
        for rec in result.recommendations
        if any(
            strategy in eng.by_id[rid].tags.get("eric_strategy", ()) or rid.startswith(strategy) for rid in rec.rule_ids
        )
        for a in rec.actions
    ]
    assert acts, (strategy, data["case_id"])
    assert not any("{" in a or "}" in a for a in acts), acts
    return acts


STAFF = {"role": "care managers", "group": "frontline_staff"}
LEADER = {"role": "medical director", "group": "leadership"}


def test_a_listed_champion_is_named_instead_of_asking_for_one(eng: Any) -> None:
    base = {"case_id": "t", "stage": "installation", "cfir": {"innovation.complexity": -2}}
    named = _sm_actions(
        eng,
        {**base, "people": [{"role": "nurse champion", "name": "Ana Ruiz", "group": "champion"}, STAFF]},
        "identify_and_prepare_champions",
    )
    assert any("Ana Ruiz (nurse champion)" in a for a in named)
    assert not any("who is already enthusiastic" in a for a in named)
    staff = " ".join(_sm_actions(eng, {**base, "people": [STAFF]}, "identify_and_prepare_champions"))
    assert "respected among the care managers;" in staff
    nobody = " ".join(_sm_actions(eng, base, "identify_and_prepare_champions"))
    assert "respected among the staff;" in nobody  # the fallback, never an empty name


def test_an_advisory_group_is_used_rather_than_a_new_board(eng: Any) -> None:
    base = {"case_id": "t", "cfir": {"process.assessing_needs.recipients": -2}}
    council = {"role": "patient advisory council", "group": "advisory_group"}
    both = " ".join(_sm_actions(eng, {**base, "people": [council, STAFF]}, "use_advisory_boards_and_workgroups"))
    assert "Rather than forming a new board" in both and "the patient advisory council" in both
    assert "the care managers" in both
    staff = " ".join(_sm_actions(eng, {**base, "people": [STAFF]}, "use_advisory_boards_and_workgroups"))
    assert "new board" not in staff and "advisory council" not in staff and "the care managers" in staff


def test_frontline_staff_and_leaders_are_named_where_they_act(eng: Any) -> None:
    data = {
        "case_id": "t",
        "stage": "installation",
        "people": [STAFF, LEADER],
        "cfir": {"innovation.complexity": -2, "inner_setting.available_resources": -1},
    }
    capture = " ".join(_sm_actions(eng, data, "capture_and_share_local_knowledge"))
    assert "Ask the care managers: what do you already know" in capture and "with the medical director" in capture
    meetings = " ".join(_sm_actions(eng, data, "organize_clinician_implementation_team_meetings"))
    assert "staff who deliver the innovation: the care managers." in meetings
    funding = " ".join(_sm_actions(eng, data, "access_new_funding"))
    assert "best two, within three months, with the medical director." in funding
    alone = {**data, "people": []}
    assert "with the site's leaders." in " ".join(_sm_actions(eng, alone, "access_new_funding"))


def test_a_listed_funder_is_asked_first(eng: Any) -> None:
    data = {
        "case_id": "t",
        "cfir": {"inner_setting.available_resources": -1},
        "people": [{"role": "state health department", "group": "funder"}],
    }
    acts = _sm_actions(eng, data, "access_new_funding")
    assert acts[0].startswith("Ask those who fund the work now") and acts[0].endswith("the state health department.")


def test_a_nation_sets_the_terms_of_consensus_and_coalition(eng: Any) -> None:
    data = {
        "case_id": "t",
        "stage": "exploration",
        "equity": {"tribal_sovereignty": True},
        "cfir": {"inner_setting.compatibility": -1, "outer_setting.policies_laws": -1},
        "people": [{"role": "the Nation's council", "group": "tribal_government"}],
    }
    consensus = " ".join(_sm_actions(eng, data, "conduct_local_consensus_discussions"))
    assert "on terms agreed beforehand with the Nation's council;" in consensus
    coalition = " ".join(_sm_actions(eng, data, "build_a_coalition"))
    assert "let the Nation decide" in coalition


def test_an_asset_row_names_who_holds_the_strength(eng: Any) -> None:
    data = {"case_id": "t", "cfir": {"innovation.evidence_base": 2}, "people": [STAFF]}
    acts = _sm_actions(eng, data, "SM-ASSET-innovation.evidence_base")
    assert acts == [
        "Put the evidence people already accept, in one plain paragraph, into the briefings and job aids "
        "for the care managers."
    ]
    assert _sm_actions(eng, {**data, "people": []}, "SM-ASSET-innovation.evidence_base") == [
        "Put the evidence people already accept into the briefings and job aids for the innovation, in one plain paragraph."
    ]


def test_every_row_of_a_strategy_says_the_same_for_the_same_people(eng: Any) -> None:
    """Rows of one strategy merge into one item: their variants must agree, or the item would say it twice."""
    seen: dict[tuple[str, bool], Any] = {}
    for r in sm_rules(eng):
        strategies = r.tags.get("eric_strategy", ())
        if not strategies:
            continue
        key = (strategies[0], "-early" in r.id)
        texts = tuple((repr(t.when), t.actions) for t in r.texts)
        assert seen.setdefault(key, (r.actions, texts)) == (r.actions, texts), r.id
    assert sum(1 for _, texts in seen.values() if texts) >= 30  # the strategies whose rows name people
