"""Several groups' views in one case: validation, combination, divergence on both matchers, the
perspectives rules, the output object, group attribution in proofs, reports and `interview --group`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CASES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main
from engine import case_from_data, load_case
from engine.errors import CaseError
from engine.model.facts import spec_for
from engine.model.perspectives import compare_views, effective_facts
from engine.practitioner.groupinterview import run_group_interview
from engine.render import render
from tests.helpers import Scripted
from tests.strategies import case_data

EASTBROOK = CASES / "perspectives" / "eastbrook-school-health.yaml"


def case(*views: dict[str, Any], **top: Any) -> Any:
    return case_from_data({"case_id": "p", **top, "perspectives": list(views)})


def problems(data: dict[str, Any]) -> list[Any]:
    with pytest.raises(CaseError) as exc:
        case_from_data(data, "c.yaml")
    return exc.value.problems


# ---------------------------------------------------------------- validation


def test_an_unknown_group_is_refused_with_a_did_you_mean() -> None:
    [p] = problems({"case_id": "p", "perspectives": [{"group": "comunity_members", "cfir": {"innovation.design": 1}}]})
    assert p.field == "perspectives[0].group"
    assert "did you mean 'community_members'?" in p.hint and "funders" in p.hint


@pytest.mark.parametrize(
    ("view", "field", "fragment"),
    [
        (
            {"group": "staff", "cfir": {"innovation.design": 5}},
            "perspectives[0].cfir.innovation.design",
            "out of range",
        ),
        ({"group": "staff", "cfir": {"innovation.desing": 1}}, "perspectives[0].cfir", "unknown CFIR 2.0"),
        ({"group": "staff", "relationships": {"trust": "hihg"}}, "perspectives[0].relationships.trust", "not allowed"),
        ({"group": "staff", "equity": {"disparities_identified": True}}, "perspectives[0].equity", "unknown key"),
    ],
)
def test_bad_values_in_a_perspective_are_refused(view: dict[str, Any], field: str, fragment: str) -> None:
    [p] = problems({"case_id": "p", "perspectives": [view]})
    assert p.field.startswith(field) and fragment in p.message


def test_a_group_stating_nothing_is_refused() -> None:
    for view in ({"group": "staff"}, {"group": "staff", "label": "Nurses", "cfir": {}, "relationships": {}}):
        [p] = problems({"case_id": "p", "perspectives": [view]})
        assert p.field == "perspectives[0]" and "states nothing" in p.message and "cfir" in p.hint


def test_the_same_group_twice_needs_labels() -> None:
    twice = [{"group": "staff", "cfir": {"innovation.design": 1}}, {"group": "staff", "cfir": {"innovation.cost": 1}}]
    [p] = problems({"case_id": "p", "perspectives": twice})
    assert "given twice" in p.message and "label" in p.hint
    twice[1]["label"] = "Night shift"
    assert case_from_data({"case_id": "p", "perspectives": twice}).perspectives is not None


def test_assessed_on_and_capacity_levels_are_validated() -> None:
    [p] = problems({"case_id": "p", "assessed_on": "12 March"})
    assert p.field == "assessed_on" and "YYYY-MM-DD" in p.hint
    [p] = problems({"case_id": "p", "capacity_levels": {"network": "weak"}})
    assert p.field == "capacity_levels.network"
    c = case_from_data(
        {"case_id": "p", "assessed_on": "2026-03-01", "assessed_by": ["ISP"], "capacity_levels": {"system": "low"}}
    )
    assert c.facts() == {"case_id": "p", "capacity_levels.system": "low"}  # the date is not a fact


def test_a_bad_perspective_in_a_file_exits_2_naming_file_line_and_field(runner: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("case_id: p\nperspectives:\n  - group: leaders\n    cfir: {innovation.design: 1}\n")
    res = runner.invoke(main, ["recommend", str(bad)])
    assert res.exit_code == 2
    assert "bad.yaml:3: perspectives[0].group: 'leaders' is not allowed (did you mean 'leadership'?" in res.output
    assert "Traceback" not in res.output


# ---------------------------------------------------------------- combination


def test_the_top_level_value_stays_what_the_case_states() -> None:
    c = case({"group": "community_members", "cfir": {"innovation.design": -2}}, cfir={"innovation.design": 1})
    facts, origins = effective_facts(c)
    assert facts["cfir.innovation.design"] == 1 and "cfir.innovation.design" not in origins


@pytest.mark.parametrize(
    ("path", "values", "expected", "group"),
    [
        ("cfir.innovation.design", [2, -2, 0], -2, "community_members"),  # a barrier seen by one group stays
        ("cfir.innovation.design", [2, "mixed", 0], "mixed", "community_members"),  # mixed is below 0
        ("cfir.innovation.design", [-1, "mixed", 2], -1, "leadership"),  # ... and above -1
        ("relationships.trust", ["high", "low", "moderate"], "low", "community_members"),
        ("power.differential", ["low", "high", "moderate"], "high", "community_members"),  # high is critical
        ("power.decision_making", ["shared", "solo_leader", "community_led"], "solo_leader", "community_members"),
        ("engagement.target", ["consult", "defer_to", "involve"], "defer_to", "community_members"),  # an aim
        ("capacity.analytic", ["low", "low", "high"], "low", "leadership"),  # ties: the first in the case
    ],
)
def test_unstated_facts_take_the_most_critical_view(path: str, values: list[Any], expected: Any, group: str) -> None:
    section, key = path.split(".", 1)
    groups = ("leadership", "community_members", "staff")
    views = [{"group": g, section: {key: val}} for g, val in zip(groups, values, strict=True)]
    facts, origins = effective_facts(case(*views))
    assert facts[path] == expected
    assert origins[path][0] == "case" and origins[path][1].startswith(f"the view of {group}")


# ---------------------------------------------------------------- divergence thresholds, both matchers


@pytest.mark.parametrize(
    ("path", "a", "b", "divergent"),
    [
        ("cfir.innovation.design", 2, 0, True),
        ("cfir.innovation.design", 1, 0, False),
        ("cfir.innovation.design", -1, 1, True),
        ("cfir.innovation.design", 2, "mixed", None),
        ("cfir.innovation.design", -2, -2, False),
        ("relationships.trust", "high", "moderate", True),
        ("relationships.trust", "low", "low", False),
        ("engagement.level", "consult", "involve", True),
        ("capacity.general", "moderate", "moderate", False),
    ],
)
def test_divergence_thresholds_agree_on_both_matchers(
    shipped_engine: Any, path: str, a: Any, b: Any, divergent: bool | None
) -> None:
    """None: a mixed view is not a number of points from anything, so the fact is not compared."""
    section, key = path.split(".", 1)
    c = case({"group": "leadership", section: {key: a}}, {"group": "staff", section: {key: b}})
    cv = compare_views(c)
    assert cv.facts.get(f"derived.divergent.{path}") is divergent
    assert cv.facts.get("derived.divergent.any") is divergent
    facts, _ = shipped_engine.case_facts(c)
    durable, python = shipped_engine.fire(facts), shipped_engine.fire_python(facts)
    assert durable.fired == python.fired
    assert ("PX-DIVERGENT-COLEARN" in durable.fired) is bool(divergent)


def test_rules_on_per_fact_computed_facts_agree_on_both_matchers(tmp_path: Path) -> None:
    """A local rule reading derived.divergent.<path> and derived.lowest_group.<path> (dotted names)."""
    from engine import load_engine

    (tmp_path / "local.yaml").write_text(
        yaml.safe_dump(
            {
                "ruleset": "local",
                "version": "1.0.0",
                "rules": [
                    {
                        "id": "LX-DESIGN-SPLIT",
                        "title": "Design seen apart",
                        "category": "facilitation",
                        "priority": "low",
                        "when": {
                            "all": [
                                {"fact": "derived.divergent.cfir.innovation.design", "equals": True},
                                {"fact": "derived.lowest_group.cfir.innovation.design", "equals": "recipients"},
                                {"fact": "derived.missing_group.funders", "equals": True},
                            ]
                        },
                        "recommend": {"actions": ["Talk about the design."]},
                        "rationale": "Because.",
                        "sources": ["isp-advisor-authors-judgement"],
                    }
                ],
            }
        )
    )
    engine = load_engine([tmp_path])
    for low, expected in ((-2, True), (1, False)):
        c = case(
            {"group": "leadership", "cfir": {"innovation.design": 2}},
            {"group": "recipients", "cfir": {"innovation.design": low}},
        )
        facts, _ = engine.case_facts(c)
        durable, python = engine.fire(facts), engine.fire_python(facts)
        assert durable.fired == python.fired
        assert ("LX-DESIGN-SPLIT" in durable.fired) is expected


def test_a_misspelt_computed_fact_is_an_unknown_fact(tmp_path: Path) -> None:
    assert spec_for("derived.divergent.cfir.innovation.desing") is None
    assert spec_for("derived.missing_group.parents") is None
    assert spec_for("change.relationships.trust") is not None


def test_the_shipped_packs_lint_clean_with_computed_facts(runner: Any) -> None:
    res = runner.invoke(main, ["rules", "lint", "--format", "json"])
    findings = json.loads(res.output)
    mine = [
        f for f in (findings if isinstance(findings, list) else findings.get("findings", [])) if "PX-" in json.dumps(f)
    ]
    assert mine == []


# ---------------------------------------------------------------- the rules


def fired(engine: Any, c: Any) -> dict[str, str]:
    result = engine.evaluate(c)
    return {r.rule_id: p.horizon for r, p in result.placed()}


def test_missing_and_much_lower_community_views(shipped_engine: Any) -> None:
    leaders_only = case(
        {"group": "leadership", "relationships": {"trust": "high"}},
        {"group": "staff", "relationships": {"trust": "high"}},
    )
    got = fired(shipped_engine, leaders_only)
    assert "PX-COMMUNITY-VIEW-MISSING" in got and "PX-DIVERGENT-COLEARN" not in got
    lower = case(
        {"group": "leadership", "relationships": {"trust": "high"}},
        {"group": "recipients", "relationships": {"trust": "moderate"}},
    )
    got = fired(shipped_engine, lower)
    assert "PX-COMMUNITY-VIEW-LOWER" in got and "PX-COMMUNITY-VIEW-MISSING" not in got
    no_views = case_from_data({"case_id": "p", "relationships": {"trust": "low"}})
    assert not {"PX-COMMUNITY-VIEW-MISSING", "PX-DIVERGENT-COLEARN"} & set(fired(shipped_engine, no_views))


@pytest.mark.parametrize(
    ("levels", "present", "absent"),
    [
        ({"network": "low"}, "PX-CAPACITY-SYSTEM-LOW", "PX-CAPACITY-INDIVIDUAL-ONLY"),
        ({"system": "low", "individual": "low"}, "PX-CAPACITY-SYSTEM-LOW", "PX-CAPACITY-INDIVIDUAL-ONLY"),
        ({"individual": "low", "network": "high"}, "PX-CAPACITY-INDIVIDUAL-ONLY", "PX-CAPACITY-SYSTEM-LOW"),
        ({"organization": "low"}, "PX-CAPACITY-ORGANIZATION-LOW", "PX-CAPACITY-INDIVIDUAL-ONLY"),
    ],
)
def test_capacity_by_level(shipped_engine: Any, levels: dict[str, str], present: str, absent: str) -> None:
    got = fired(shipped_engine, case_from_data({"case_id": "p", "capacity_levels": levels}))
    assert present in got and absent not in got


def test_every_perspectives_rule_has_outcome_tags_and_engagement_rules_a_spectrum_level(shipped_engine: Any) -> None:
    rules = [r for r in shipped_engine.rules if r.pack == "perspectives"]
    assert len(rules) >= 9
    for r in rules:
        assert r.tags.get("implementation_outcome"), r.id
        if r.category in ("equity", "facilitation"):
            assert r.tags.get("spectrum_level"), r.id


def test_capacity_levels_unstated_is_not_missing_information(shipped_engine: Any) -> None:
    result = shipped_engine.evaluate(case_from_data({"case_id": "p", "stage": "installation"}))
    assert not [m for m in result.missing_information if m.startswith("capacity_levels.")]


# ---------------------------------------------------------------- output and proofs


def test_the_output_perspectives_object(shipped_engine: Any) -> None:
    result = shipped_engine.evaluate(load_case(EASTBROOK))
    data = result.to_dict()
    views = data["perspectives"]
    assert [g["group"] for g in views["groups"]] == ["leadership", "staff", "community_members", "recipients"]
    assert views["groups"][2]["label"] == "Parent advisory group"
    assert views["groups"][2]["facts"] == {
        "relationships.trust": "low",
        "cfir.innovation.design": -2,
        "cfir.inner_setting.culture.recipient_centeredness": -1,
    }
    assert "cfir.innovation.design" in views["divergent"] and "relationships.trust" in views["divergent"]
    assert views["missing_groups"] == ["partners", "funders", "other"]
    assert json.loads(result.to_json()) == data
    plain = shipped_engine.evaluate(load_case(CASES / "riverside-fqhc.yaml")).to_dict()
    assert "perspectives" not in plain and "changes" not in plain


def test_the_proof_names_the_group_whose_rating_made_the_condition_hold(shipped_engine: Any) -> None:
    c = load_case(EASTBROOK)
    proof = shipped_engine.explain(c, "EQ-TRUST-LOW")
    assert proof.fired
    [test] = [t for t in proof.condition.children or (proof.condition,) if t.fact == "relationships.trust"]
    assert test.actual == "low" and test.source == "case"
    assert test.note.startswith("the view of community_members (Parent advisory group), the most critical")
    assert "leadership (Principal and district lead) high" in test.note
    text = render(shipped_engine.evaluate(c), "table", explain=True)
    assert "(case: low; the view of community_members (Parent advisory group)" in " ".join(text.split())
    d = proof.to_dict()
    assert "community_members" in json.dumps(d)
    div = shipped_engine.explain(c, "PX-DIVERGENT-COLEARN").to_dict()
    assert div["condition"]["source"] == "perspectives" and "divergent: relationships.trust" in div["condition"]["note"]


def test_reports_show_the_groups_side_by_side(shipped_engine: Any) -> None:
    from engine.render.plantext import View

    c = load_case(EASTBROOK)
    result = shipped_engine.evaluate(c)
    table = render(result, "table", view=View(width=100))
    grid = table[table.index("== Perspectives") :].splitlines()
    assert "community_members" in grid[1] and "recipients" in grid[1]
    assert any(line.strip().startswith("! Innovation Design") and "+2" in line and "-2" in line for line in grid)
    assert max(len(line) for line in table.splitlines()) <= 100
    md = render(result, "markdown", case=c)
    assert "## Perspectives" in md and "| **Innovation Design** (`cfir.innovation.design`) | +2 | 0 | -2 | -1 |" in md
    html = render(result, "html", case=c)
    divergent = result.perspectives["divergent"]  # CFIR ones per group inside the chart, the rest in their section
    assert html.count('class="domain perspective divergent"') == sum(not p.startswith("cfir.") for p in divergent)
    assert html.count('class="crow divergent"') == sum(p.startswith("cfir.") for p in divergent)


def test_a_group_label_is_escaped_in_every_report(shipped_engine: Any) -> None:
    c = case(
        {"group": "leadership", "label": "<script>x</script>", "cfir": {"innovation.design": 2}},
        {"group": "staff", "cfir": {"innovation.design": -1}},
    )
    result = shipped_engine.evaluate(c)
    assert "<script>x" not in render(result, "html", case=c)
    assert "<script>x" not in render(result, "markdown", case=c)


# ---------------------------------------------------------------- interview --group


# quick mode, as community members see it: engagement now/wanted, power, decisions, trust, 4 capacities,
# then the barriers and facilitators named and rated
GROUP_ANSWERS = ["inform", "collaborate", "high", "", "low", "", "", "", "", "design", "-2", ""]


def test_interview_group_adds_one_perspective_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "case_id": "site",
                "site": "Clinic",
                "relationships": {"trust": "high"},
                "perspectives": [{"group": "leadership", "cfir": {"innovation.design": 2}}],
            }
        )
    )
    start = load_case(path)
    console = Scripted(GROUP_ANSWERS)
    got, written = run_group_interview(console, start, path, "community_members", "Parent group", quick=True)
    assert written == path
    again = load_case(path)
    assert again.site == "Clinic" and again.relationships is not None and again.relationships.trust == "high"
    assert again.perspectives is not None and [p.group for p in again.perspectives] == [
        "leadership",
        "community_members",
    ]
    mine = again.perspectives[1]
    assert mine.label == "Parent group" and mine.cfir == {"innovation.design": -2}
    assert mine.engagement is not None and mine.engagement.level == "inform"
    assert mine.relationships is not None and mine.relationships.trust == "low"
    assert not any(s.startswith("[Case") for s in console.said)
    assert not (tmp_path / ".site.yaml.community_members.interview").exists()
    # editing it again: Enter keeps every value, one answer changes
    edit = ["", "", "", "", "moderate", "", "", "", "", "", "", ""]
    run_group_interview(Scripted(edit), again, path, "community_members", "Parent group", quick=True)
    edited = load_case(path).perspectives
    assert edited is not None and len(edited) == 2
    assert edited[1].relationships is not None and edited[1].relationships.trust == "moderate"
    assert edited[1].cfir == {"innovation.design": -2}


def test_interview_group_needs_a_case_and_a_known_group(runner: Any, tmp_path: Path) -> None:
    res = runner.invoke(main, ["interview", "--group", "community_members"])
    assert res.exit_code == 2 and "--from CASE" in res.output
    path = tmp_path / "s.yaml"
    path.write_text("case_id: s\n")
    res = runner.invoke(main, ["interview", "--from", str(path), "--group", "parents"])
    assert res.exit_code == 2 and "groups: leadership" in res.output


def test_interview_group_through_the_cli(runner: Any, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("case_id: s\nrelationships: {trust: high}\n")
    res = runner.invoke(
        main,
        ["interview", "--from", str(path), "--group", "staff", "--quick"],
        input="\n".join(["", "", "", "", "moderate", "", "", "", "", "", ""]) + "\n",
    )
    assert res.exit_code == 0, res.output
    c = load_case(path)
    assert c.perspectives is not None and c.perspectives[0].group == "staff"
    assert c.perspectives[0].relationships is not None and c.perspectives[0].relationships.trust == "moderate"


# ---------------------------------------------------------------- the example


def test_the_eastbrook_example_meets_its_expectations(shipped_engine: Any) -> None:
    got = fired(shipped_engine, load_case(EASTBROOK))
    assert got["PX-DIVERGENT-COLEARN"] == "now" and got["PX-COMMUNITY-VIEW-LOWER"] == "now"
    assert "PX-CAPACITY-INDIVIDUAL-ONLY" in got and "PX-COMMUNITY-VIEW-MISSING" not in got
    assert "EQ-TRUST-LOW" in got  # trust from the most critical view


# ---------------------------------------------------------------- generated cases, both matchers

_VIEW_PATHS = [
    "cfir.innovation.design",
    "cfir.process.engaging.recipients",
    "cfir.inner_setting.available_resources",
    "relationships.trust",
    "engagement.level",
    "power.differential",
    "capacity.general",
]


@st.composite
def with_views(draw: st.DrawFn) -> dict[str, Any]:
    data = draw(case_data())
    data.pop("perspectives", None)
    groups = draw(
        st.lists(
            st.sampled_from(["leadership", "staff", "community_members", "recipients", "funders"]),
            unique=True,
            min_size=1,
            max_size=4,
        )
    )
    views = []
    for g in groups:
        view: dict[str, Any] = {"group": g}
        for path in draw(st.lists(st.sampled_from(_VIEW_PATHS), unique=True, min_size=1, max_size=4)):
            spec = spec_for(path)
            assert spec is not None
            value = draw(st.sampled_from([-2, -1, 0, 1, 2, "mixed"] if spec.kind == "rating" else list(spec.values)))
            section, key = path.split(".", 1)
            view.setdefault(section, {})[key] = value
        views.append(view)
    data["perspectives"] = views
    return data


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=with_views(), before=case_data())
def test_generated_perspectives_and_changes_fire_the_same_rules(
    shipped_engine: Any, data: dict[str, Any], before: dict[str, Any]
) -> None:
    now = case_from_data(data)
    previous = case_from_data({**before, "case_id": now.case_id})
    for prev in (None, previous):
        facts, _ = shipped_engine.case_facts(now, prev)
        durable, python = shipped_engine.fire(facts), shipped_engine.fire_python(facts)
        assert durable.fired == python.fired
        assert durable.derivations == python.derivations


def test_a_stopped_group_interview_resumes_where_it_stopped(tmp_path: Path) -> None:
    from engine.practitioner.interview import InterviewStopped

    path = tmp_path / "s.yaml"
    path.write_text("case_id: s\n")
    with pytest.raises(InterviewStopped) as stop:
        run_group_interview(Scripted(["consult", "involve"]), load_case(path), path, "recipients", quick=True)
    assert "--group recipients --quick" in str(stop.value)
    assert (tmp_path / ".s.yaml.recipients.interview").exists()
    saved = load_case(path).perspectives
    assert saved is not None and saved[0].engagement is not None and saved[0].engagement.target == "involve"
    console = Scripted(["high", "", "low"])  # resumes at the power differential
    with pytest.raises(InterviewStopped):
        run_group_interview(console, load_case(path), path, "recipients")
    again = load_case(path).perspectives
    assert again is not None and again[0].power is not None and again[0].power.differential == "high"
    assert again[0].relationships is not None and again[0].relationships.trust == "low"
