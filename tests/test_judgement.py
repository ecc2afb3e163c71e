"""The knowledge base's judgement (docs/plan.md, "Precedence", "One rhythm per plan", "Contradictions"):
the first move in crises and conflicts, no two items of a plan contradicting each other, and texts
true of the case that fires them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from engine import load_case
from engine.authoring.contradictions import (
    clash,
    lexicon,
    parse_lexicon,
    plan_contradictions,
    rule_clashes,
)
from engine.authoring.lint import lint
from engine.authoring.planlint import unsupported_texts
from tests.conftest import CASES
from tests.helpers import engine_for, rec, write_pack

STAGE = {"fact": "stage", "exists": True}
SHIPPED = sorted(CASES.glob("*.yaml"))


def _plan(engine: Any, path: Path) -> Any:
    return engine.evaluate(load_case(path))


# ---------------------------------------------------------------- contradictions


def test_the_lexicon_is_well_formed_and_each_entry_catches_its_example() -> None:
    entries = {e.id: e for e in lexicon()}
    assert {"consensus", "support_cadence", "needs_assessment", "design_sequence"} <= entries.keys()
    assert clash(
        entries["consensus"], ["Seek a collective view rather than a pressed consensus."], ["Use a fist-to-five check."]
    )
    assert clash(
        entries["support_cadence"],
        ["Agree weekly working sessions for eight weeks."],
        ["Meet every two to four weeks around the team's data review."],
    )
    # the same rhythm said twice is not a contradiction
    assert not clash(entries["support_cadence"], ["Agree weekly working sessions."], ["Hold working sessions weekly."])
    with pytest.raises(ValueError, match="group named 'value'"):
        parse_lexicon([{"id": "x", "why": "y", "differs": "weekly"}])
    with pytest.raises(ValueError, match="'says' and 'against'"):
        parse_lexicon([{"id": "x", "why": "y", "says": "a"}])


def test_lint_finds_two_rules_that_can_fire_together_with_contrary_texts(tmp_path: Path) -> None:
    rules = [
        rec("FA-NO-PRESS", STAGE, actions=["Do not press for consensus; seek a collective view."]),
        rec("FA-VOTE", STAGE, actions=["Close with a fist-to-five check."]),
        # never together with FA-NO-PRESS: no warning
        rec("FA-VOTE-LATER", {"fact": "stage", "equals": "sustainment"}, actions=["Close with a fist-to-five check."]),
        rec("FA-NO-PRESS-2", {"fact": "stage", "equals": "exploration"}, actions=["Do not press for consensus."]),
    ]
    findings = [f for f in lint([write_pack(tmp_path / "r", rules)], shipped=False) if f.code == "contradiction"]
    pairs = {frozenset((f.rule_id, re.search(r"and (\S+) says", f.message).group(1))) for f in findings}  # type: ignore[union-attr]
    assert pairs == {
        frozenset(("FA-NO-PRESS", "FA-VOTE")),
        frozenset(("FA-NO-PRESS", "FA-VOTE-LATER")),
        frozenset(("FA-NO-PRESS-2", "FA-VOTE")),
    }
    assert all(f.severity == "warning" and "conflicts_with" in f.hint for f in findings)
    # a declared decision settles the pair
    rules[1]["conflicts_with"] = ["FA-NO-PRESS"]
    findings = [f for f in lint([write_pack(tmp_path / "s", rules)], shipped=False) if f.code == "contradiction"]
    assert not any(
        {f.rule_id, re.search(r"and (\S+) says", f.message).group(1)} == {"FA-NO-PRESS", "FA-VOTE"}  # type: ignore[union-attr]
        for f in findings
    )
    assert len(findings) == 2


def test_no_two_rules_of_the_shipped_packs_contradict_each_other(shipped_engine: Any) -> None:
    from engine.evaluation.satisfiable import derived_values

    rules = list(shipped_engine.by_id.values())
    clashes = rule_clashes(rules, derived_values(rules))
    assert not clashes, "\n".join(f"{c.first} '{c.first_phrase}' vs {c.second} '{c.second_phrase}'" for c in clashes)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_no_shipped_plan_contradicts_itself(shipped_engine: Any, path: Path) -> None:
    """Over the plan as filled in for the site: one support cadence, no consensus clash, one needs study."""
    result = _plan(shipped_engine, path)
    placed = [rec for rec, _ in result.placed()]
    found = plan_contradictions(placed)
    assert not found, [(c.entry, c.first, c.first_phrase, c.second, c.second_phrase) for c in found]


# ---------------------------------------------------------------- texts true of the case


def test_race_is_never_treated_as_language(tmp_path: Path) -> None:
    rules = [
        rec("EQ-LANG", STAGE, actions=["Translate the leaflet into the languages {priority_populations} use."]),
        rec(
            "EQ-LANG-OK",
            STAGE,
            texts=[
                {
                    "when": {"fact": "problem.language_access", "equals": True},
                    "actions": ["Translate it into the languages {priority_populations} read."],
                }
            ],
            actions=["Ask {priority_populations} which languages they read."],
        ),
    ]
    from engine.rulepacks.loader import load_rulebase

    base = load_rulebase([write_pack(tmp_path / "r", rules)], shipped=False)
    found = [(f.rule_id, f.code) for f in unsupported_texts(list(base.rules))]
    assert found == [("EQ-LANG", "race_as_language")]


def test_no_shipped_text_treats_race_as_language_or_states_an_untested_value() -> None:
    found = [f.render() for f in lint() if f.code in ("race_as_language", "text_unsupported", "rationale_unsupported")]
    assert not found, "\n".join(found)


def test_a_text_stating_a_value_its_conditions_do_not_test_is_flagged(tmp_path: Path) -> None:
    rules = [rec("TS-X", STAGE, actions=["Because trust is low, meet weekly."])]
    found = [f for f in lint([write_pack(tmp_path / "r", rules)], shipped=False) if f.code == "text_unsupported"]
    assert [(f.rule_id, f.field) for f in found] == [("TS-X", "actions[0]")]
    engine_for(tmp_path / "ok", rules)  # a warning, not a load error


# ---------------------------------------------------------------- hardening (issue 26, items 6, 7, 11 and the dates)


def test_supersedes_in_a_circle_fails_to_load(tmp_path: Path) -> None:
    from engine.errors import RuleError

    with pytest.raises(RuleError) as info:
        engine_for(tmp_path, [rec("A", STAGE, supersedes=["B"]), rec("B", STAGE, supersedes=["A"])])
    assert {p.code for p in info.value.problems} == {"supersedes_cycle"}
    assert "A -> B -> A" in info.value.problems[0].message


def test_time_bound_but_not_before_later_is_a_lint_error(tmp_path: Path) -> None:
    rules = [
        rec("A", STAGE, urgent=True, not_before="later"),
        rec("B", STAGE, due="now", not_before="next"),
        rec("C", STAGE, due="next", not_before="next"),
    ]
    found = [
        (f.rule_id, f.severity)
        for f in lint([write_pack(tmp_path / "r", rules)], shipped=False)
        if f.code == "plan_fields_clash"
    ]
    assert found == [("A", "error"), ("B", "error")]


@pytest.mark.parametrize("bad", ["R1\n", "R1\n\n"])
def test_an_id_ending_in_a_newline_is_refused(tmp_path: Path, bad: str) -> None:
    from engine.errors import RuleError

    with pytest.raises(RuleError) as info:
        engine_for(tmp_path, [rec(bad, STAGE)])
    assert info.value.problems[0].field.endswith("id") and info.value.problems[0].code != "internal"


@pytest.mark.parametrize("digits", ["٢", "２", "𝟐"])
def test_non_ascii_digits_are_not_ratings(digits: str) -> None:
    from engine.model.facts import parse_value

    assert parse_value("cfir.innovation.complexity", "-" + digits) == "-" + digits  # left for the model to refuse


@pytest.mark.parametrize("text", ["2020-W01-1", "2020-001", "2026-13-01", "٢٠٢٦-٠٤-٠١"])
def test_only_calendar_dates_are_dates(text: str, tmp_path: Path) -> None:
    from engine.errors import CaseError
    from engine.io.caseload import case_from_text

    with pytest.raises(CaseError) as info:
        case_from_text(f"case_id: x\nassessed_on: '{text}'\n", "x.yaml")
    assert info.value.problems[0].field == "assessed_on"


# ---------------------------------------------------------------- one rhythm, the precedence on the shipped packs


def test_one_support_cadence_is_derived_and_every_support_text_reads_it(shipped_engine: Any) -> None:
    from engine.io.caseload import case_from_data

    case = case_from_data(
        {
            "case_id": "steady",
            "stage": "full_implementation",
            "capacity": {
                "general": "moderate",
                "intervention_specific": "high",
                "analytic": "moderate",
                "adaptive": "moderate",
            },
            "relationships": {"trust": "moderate"},
            "leadership": {"transition": False},
        }
    )
    result = shipped_engine.evaluate(case)
    assert result.derived_facts["support_cadence"].value == "every two to four weeks"
    assert result.derived_facts["support_cadence"].rule_id == "D-SUPPORT-CADENCE-TWO-TO-FOUR-WEEKS"
    support = [r for r in result.recommendations if r.category == "tailored_support" and r.rule_id.startswith("TS-")]
    assert support and all("every two to four weeks" in " ".join(r.actions) for r in support[:1])
    assert not plan_contradictions(list(result.recommendations))


@pytest.mark.parametrize(
    ("case", "first", "factor"),
    [
        ("eastside-violence-interruption", "AS-CRITICAL-INCIDENT", "safety"),  # care after a critical incident
        ("harbor-city-coordinated-entry", "FA-CONFLICT-AT-CORE", "relationship"),  # hear each side of a conflict
        ("northfield-child-welfare", "SI-CONFLICT-BETWEEN-GROUPS", "relationship"),
        ("sparse-westside-clinic", "AS-DISCOVERY-CONVERSATION", "relationship"),  # a referred site: discovery first
        ("riverside-fqhc", "SI-COMMUNITY-NOT-CONSULTED", "relationship"),
    ],
)
def test_the_first_move_follows_the_precedence(shipped_engine: Any, case: str, first: str, factor: str) -> None:
    result = _plan(shipped_engine, CASES / f"{case}.yaml")
    rec, place = result.placed()[0]
    assert rec.rule_id == first and place.horizon == "now"
    assert place.reasons[0]["factor"] == factor


def test_at_exploration_with_a_community_never_asked_listening_comes_first(shipped_engine: Any) -> None:
    from engine.io.caseload import case_from_data

    case = case_from_data(
        {
            "case_id": "hill-county",
            "site": "Hill County Family Services",
            "setting": "child_welfare",
            "innovation": "Parent-child interaction therapy",
            "stage": "exploration",
            "relationships": {"trust": "low"},
            "engagement": {"level": "inform", "target": "involve"},
            "equity": {"priority_populations": ["families in the east valley"]},
            "capacity": {"general": "moderate", "intervention_specific": "low", "analytic": "moderate"},
            "people": [{"role": "county program manager", "group": "implementation_team"}],
        }
    )
    placed = shipped_engine.evaluate(case).placed()
    ranks = {r.rule_id: p.rank for r, p in placed}
    listen = next(p.rank for r, p in placed if "EQ-LISTEN-FIRST" in r.rule_ids)
    support = min(p.rank for r, p in placed if r.category == "tailored_support")
    assert listen < support  # the families are heard before the county team gets intensive support
    assert placed[0][1].reasons[0]["factor"] == "relationship"
    assert "families in the east valley" in " ".join(
        next(r for r, _ in placed if "EQ-LISTEN-FIRST" in r.rule_ids).actions
    )
    assert ranks


def test_a_folded_figure_is_shown_against_its_own_barrier(shipped_engine: Any) -> None:
    """The host never shows a folded strategy's percentage as its own evidence."""
    for path in SHIPPED:
        for item, place in _plan(shipped_engine, path).placed():
            own = [r for r in place.reasons if r["factor"] == "evidence"]
            for r in own:
                assert r.get("value") in (None, item.score or None) or r.get("value") == item.score, (
                    path.stem,
                    item.rule_id,
                )


def test_each_merged_figure_is_shown_against_its_own_barrier(shipped_engine: Any) -> None:
    """Promote adaptability is endorsed by 73% of experts for Adaptability and 40% for Complexity: never
    73% for Complexity (the issue's example)."""
    from engine.render.plantext import also_line, evidence

    result = _plan(shipped_engine, CASES / "riverside-fqhc.yaml")
    host, place = next(
        (r, p) for r, p in result.placed() if any(a.eric_strategy == "promote_adaptability" for a in p.also)
    )
    line = next(x for x in also_line(place) if "Promote adaptability" in x)
    assert "73% of experts (Level 1) for Innovation Adaptability" in line
    assert "40% of experts (Level 2) for Innovation Complexity" in line
    figures = {(e.percent, e.barriers) for e in evidence(host, place) if e.strategy == "Promote adaptability"}
    assert figures == {(73, ("innovation.adaptability",)), (40, ("innovation.complexity",))}
    merged = [(r, p) for r, p in result.placed() if p.figures]
    assert merged
    for _, p in merged:
        ev = next(x for x in p.reasons if x["factor"] == "evidence")
        assert (ev["cfir"], ev["value"]) in [(c, f) for c, f in p.figures]
