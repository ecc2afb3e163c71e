"""The plan layer: ranking factors, after, supersedes, pacing, folding, limits, placeholders, variants, lint."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import main
from engine import load_case
from engine.authoring.lint import lint
from engine.errors import RuleError
from engine.model.placement import PlanOptions
from tests.conftest import CASES
from tests.helpers import engine_for, rec

STAGE = {"fact": "stage", "exists": True}


def plan_of(
    tmp_path: Path, rules: list[dict[str, Any]], facts: dict[str, Any], options: PlanOptions | None = None
) -> dict[str, Any]:
    result = engine_for(tmp_path, rules).evaluate_facts({"stage": "installation", **facts}, "t", options)
    return result.to_dict()


def order(data: dict[str, Any]) -> list[str]:
    return [r["rule_id"] for r in data["recommendations"]]


def horizon(data: dict[str, Any], rule_id: str) -> str:
    return next(r["horizon"] for r in data["recommendations"] if r["rule_id"] == rule_id)


def reasons(data: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    return next(r["rank_reasons"] for r in data["recommendations"] if r["rule_id"] == rule_id)


# ---------------------------------------------------------------- ranking factors, one at a time

CFIR_A = "cfir.innovation.complexity"
CFIR_B = "cfir.innovation.adaptability"


@pytest.mark.parametrize(
    ("first", "second", "facts", "factor"),
    [
        # the precedence (docs/plan.md): safety, then relationship work, then time-bound work, then the stated problem
        (
            rec("Z-SAFE", STAGE, priority="low", safety=True),
            rec("A-REL", STAGE, priority="high", precedence="relationship", urgent="soon"),
            {},
            "safety",
        ),
        (
            rec("Z-REL", STAGE, priority="low", precedence="relationship"),
            rec("A-URGENT", STAGE, priority="high", urgent="the champion leaves soon"),
            {},
            "relationship",
        ),
        (
            rec("Z-STATED", STAGE, priority="low", addresses=["roles_unclear"]),
            rec("A-SEVERE", {"fact": CFIR_A, "lte": -1}, priority="high", score=90),
            {CFIR_A: -2, "problem.roles_unclear": True},
            "stated_problem",
        ),
        # urgency beats priority
        (
            rec("Z-URGENT", STAGE, priority="medium", urgent="the champion leaves soon"),
            rec("A-HIGH", STAGE, priority="high"),
            {},
            "urgent",
        ),
        # priority
        (rec("Z-HIGH", STAGE, priority="high"), rec("A-MED", STAGE, priority="medium"), {}, "priority"),
        # barrier severity: -2 before -1 whatever the figure
        (
            rec("Z-SEVERE", {"fact": CFIR_A, "lte": -1}, score=25),
            rec("A-MILD", {"fact": CFIR_B, "lte": -1}, score=80),
            {CFIR_A: -2, CFIR_B: -1},
            "barrier_severity",
        ),
        # evidence: a Level 1 figure before a Level 2 one
        (rec("Z-L1", STAGE, score=60), rec("A-L2", STAGE, score=30), {}, "evidence"),
        # breadth: two barriers before one
        (
            rec("Z-BROAD", {"all": [{"fact": CFIR_A, "lte": -1}, {"fact": CFIR_B, "lte": -1}]}),
            rec("A-NARROW", {"fact": CFIR_A, "lte": -1}),
            {CFIR_A: -1, CFIR_B: -1},
            "breadth",
        ),
        # stage fit
        (rec("Z-FIT", STAGE, stages=["installation"]), rec("A-ANY", STAGE), {}, "stage_fit"),
    ],
)
def test_each_factor_outranks_the_rule_id(
    tmp_path: Path, first: dict[str, Any], second: dict[str, Any], facts: dict[str, Any], factor: str
) -> None:
    data = plan_of(tmp_path, [second, first], facts)
    assert order(data)[:2] == [first["id"], second["id"]]
    assert factor in [r["factor"] for r in reasons(data, first["id"])]
    assert [r["rank"] for r in data["recommendations"]] == list(range(1, len(data["recommendations"]) + 1))


def _renamed(rid: str) -> str:
    """The same id spelled backwards through the alphabet (A<->Z, a<->z): every id comparison flips."""
    return "".join(chr(155 - ord(c)) if "A" <= c <= "Z" else chr(219 - ord(c)) if "a" <= c <= "z" else c for c in rid)


def test_order_does_not_depend_on_rule_id_spelling(shipped_engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Renaming every rule so that id order flips moves no item to another horizon."""
    from msgspec.structs import replace

    import engine.evaluation.runner as runner_mod
    from engine.plan.planner import build_plan

    captured: list[Any] = []
    monkeypatch.setattr(
        runner_mod, "build_plan", lambda recs, *a: captured.append((list(recs), a)) or build_plan(recs, *a)
    )
    rules = {
        _renamed(k): replace(
            r,
            id=_renamed(k),
            after=tuple(a if ":" in a else _renamed(a) for a in r.after),
            supersedes=tuple(_renamed(x) for x in r.supersedes),
            conflicts_with=tuple(_renamed(x) for x in r.conflicts_with),
        )
        for k, r in shipped_engine.by_id.items()
    }
    for path in sorted(CASES.glob("*.yaml")):
        captured.clear()
        result = shipped_engine.evaluate(load_case(path))
        before = {r.rule_id: (p.horizon, p.tie) for r, p in result.placed()}
        recs = [replace(r, rule_ids=tuple(_renamed(i) for i in r.rule_ids)) for r in captured[0][0]]
        _, facts, *rest = captured[0][1]  # the facts (and plan options, cues) the engine planned with
        ordered, plan = build_plan(recs, rules, facts, *rest)
        after = {_renamed(r.rule_id): (p.horizon, p.tie) for r, p in zip(ordered, plan.items, strict=True)}
        moved = {k for k in before if before[k] != after.get(k)}
        # only exact ties (the same key but for the id) may trade places
        assert sorted(map(repr, (before[k] for k in moved))) == sorted(map(repr, (after[k] for k in moved))), (
            f"{path.name}: horizons moved with rule-id spelling: {sorted(moved)}"
        )


# ---------------------------------------------------------------- horizons


def test_now_holds_at_most_n_and_later_keeps_everything(tmp_path: Path) -> None:
    rules = [rec(f"R{i:02d}", STAGE, priority="high") for i in range(20)]
    data = plan_of(tmp_path, rules, {}, PlanOptions(now=3, next=4))
    assert [len(data["plan"][h]) for h in ("now", "next", "later")] == [3, 4, 13]
    assert {"factor": "capacity", "horizon": "next", "limit": 4} in reasons(data, "R19")
    assert len(data["recommendations"]) == 20


def test_after_places_the_item_in_a_later_horizon(tmp_path: Path) -> None:
    rules = [rec("SHARE", STAGE, priority="high", after=["TRUST"]), rec("TRUST", STAGE, priority="medium")]
    data = plan_of(tmp_path, rules, {})
    assert (horizon(data, "TRUST"), horizon(data, "SHARE")) == ("now", "next")
    assert {"factor": "after", "rule": "TRUST", "horizon": "now"} in reasons(data, "SHARE")
    assert order(data) == ["TRUST", "SHARE"]


def test_after_a_tag(tmp_path: Path) -> None:
    rules = [
        rec("DATA", STAGE, priority="high", after=[{"tag": "equity_element:dismantle_power_structures"}]),
        rec("SOV", STAGE, priority="low", tags={"equity_element": ["dismantle_power_structures"]}),
    ]
    data = plan_of(tmp_path, rules, {})
    assert (horizon(data, "SOV"), horizon(data, "DATA")) == ("now", "next")


def test_supersedes_holds_back_and_explain_and_why_not_say_so(tmp_path: Path) -> None:
    rules = [rec("INFORM", STAGE, priority="high", supersedes=["SHARE"]), rec("SHARE", STAGE, priority="high")]
    eng = engine_for(tmp_path / "r", rules)
    data = eng.evaluate_facts({"stage": "installation"}, "t").to_dict()
    assert order(data) == ["INFORM"]
    assert data["plan"]["held_back"] == [
        {"rule_id": "SHARE", "by": "INFORM", "reason": "held back while 'Title of INFORM' (INFORM) is in the plan"}
    ]
    case = tmp_path / "c.yaml"
    case.write_text("case_id: c\nstage: installation\n")
    runner = CliRunner()
    packs = ["--rules", str(tmp_path / "r"), "--no-shipped"]
    out = runner.invoke(main, ["explain", str(case), "SHARE", *packs]).stdout
    assert "Fired, held back by INFORM" in out
    out = runner.invoke(main, ["why-not", str(case), "SHARE", *packs]).stdout
    assert out.startswith("SHARE fired, held back by INFORM")
    js = json.loads(runner.invoke(main, ["why-not", str(case), "SHARE", *packs, "-f", "json"]).stdout)
    assert js["plan"] == {
        "state": "held_back",
        "by": "INFORM",
        "reason": "held back while 'Title of INFORM' (INFORM) is in the plan",
    }


@pytest.mark.parametrize(
    ("level", "spectrum", "expected"),
    [
        ("ignore", "inform", "now"),
        ("ignore", "consult", "next"),
        ("ignore", "collaborate", "later"),
        ("consult", "involve", "now"),
        ("consult", "collaborate", "next"),
        (None, "consult", "now"),
        (None, "involve", "next"),
    ],
)
def test_pacing_by_the_engagement_spectrum(tmp_path: Path, level: str | None, spectrum: str, expected: str) -> None:
    rules = [rec("STEP", STAGE, priority="high", tags={"spectrum_level": [spectrum]}), rec("OTHER", STAGE)]
    data = plan_of(tmp_path, rules, {"engagement.level": level} if level else {})
    assert horizon(data, "STEP") == expected
    if expected != "now":
        assert reasons(data, "STEP")[-1]["factor"] == "pacing"


def test_not_before(tmp_path: Path) -> None:
    data = plan_of(tmp_path, [rec("ROAD", STAGE, priority="high", not_before="later"), rec("X", STAGE)], {})
    assert horizon(data, "ROAD") == "later" and horizon(data, "X") == "now"


def test_due_next_is_not_pushed_to_later_by_a_full_next(tmp_path: Path) -> None:
    rules = [rec(f"R{i}", STAGE, priority="high") for i in range(4)] + [rec("SURGE", STAGE, priority="low", due="next")]
    data = plan_of(tmp_path, rules, {}, PlanOptions(now=2, next=2))
    assert horizon(data, "SURGE") == "next" and len(data["plan"]["next"]) == 3
    assert {"factor": "due", "value": "next"} in reasons(data, "SURGE")


def test_something_is_always_in_now(tmp_path: Path) -> None:
    data = plan_of(tmp_path, [rec("ROAD", STAGE, not_before="next")], {})
    assert data["plan"]["now"] == ["ROAD"]
    assert {"factor": "first_step"} in reasons(data, "ROAD")


def eric(rule_id: str, strategy: str, construct: str, score: float, **kw: Any) -> dict[str, Any]:
    return rec(
        rule_id,
        {"fact": f"cfir.{construct}", "lte": -1},
        category="implementation_strategy",
        title=f"ERIC strategy: {strategy}",
        key=f"eric:{strategy[:35]}",
        score=score,
        tags={"eric_strategy": [strategy], "cfir": [construct]},
        **kw,
    )


def test_at_most_two_eric_items_per_barrier_before_later(tmp_path: Path) -> None:
    rules = [
        eric(f"SM-{i}", s, "innovation.complexity", 60 - i)
        for i, s in enumerate(
            ["facilitation", "tailor_strategies", "promote_adaptability", "audit_and_provide_feedback"]
        )
    ]
    data = plan_of(tmp_path, rules, {CFIR_A: -2})
    assert [horizon(data, f"SM-{i}") for i in range(4)] == ["now", "now", "later", "later"]
    assert reasons(data, "SM-2")[-1] == {"factor": "eric_per_barrier", "cfir": "innovation.complexity", "limit": 2}


def test_a_standalone_eric_item_is_folded_into_the_item_that_carries_its_strategy(tmp_path: Path) -> None:
    rules = [
        eric(
            "SM-INVOLVE", "involve_patients_consumers_and_family_members", "innovation.complexity", 71, priority="high"
        ),
        rec(
            "EQ-VOICE",
            STAGE,
            priority="medium",
            tags={"eric_strategy": ["involve_patients_consumers_and_family_members"]},
        ),
    ]
    data = plan_of(tmp_path, rules, {CFIR_A: -2})
    assert order(data) == ["EQ-VOICE"]
    also = data["recommendations"][0]["also"]
    assert [(a["rule_ids"], a["score"], a["cfir"]) for a in also] == [(["SM-INVOLVE"], 71, ["innovation.complexity"])]
    assert also[0]["explanation"][0]["rule_id"] == "SM-INVOLVE"
    # a folded strategy lends its actions, never its priority, figure or barriers: the host ranks on its own
    assert also[0]["actions"] == ["Do SM-INVOLVE"] or also[0]["actions"]
    assert {"factor": "priority", "value": "medium"} in reasons(data, "EQ-VOICE")
    assert not [r for r in reasons(data, "EQ-VOICE") if r["factor"] in ("evidence", "barrier_severity")]


def test_a_folded_strategy_lends_its_actions_but_not_its_rank(tmp_path: Path) -> None:
    """A host with a weak own case does not jump the plan on a folded item's 71%: the better-evidenced
    item ranks first, and the host's detail carries the folded item's action."""
    rules = [
        eric(
            "SM-INVOLVE",
            "involve_patients_consumers_and_family_members",
            "innovation.complexity",
            71,
            priority="high",
            actions=["Write the involvement plan with two family members."],
        ),
        rec(
            "EQ-VOICE",
            STAGE,
            priority="medium",
            tags={"eric_strategy": ["involve_patients_consumers_and_family_members"]},
        ),
        rec("EQ-OTHER", {"fact": CFIR_A, "lte": -1}, priority="medium", score=40),
    ]
    data = plan_of(tmp_path, rules, {CFIR_A: -2})
    assert order(data) == ["EQ-OTHER", "EQ-VOICE"]
    host = data["recommendations"][1]
    assert host["also"][0]["actions"] == ["Write the involvement plan with two family members."]


def test_the_lent_action_is_shown_in_every_view(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    engine_for(
        folder,
        [
            eric(
                "SM-PLAN",
                "develop_a_formal_implementation_blueprint",
                "innovation.complexity",
                60,
                actions=["Write the plan on one page and agree it with the team."],
            ),
            rec(
                "TS-HOST",
                STAGE,
                category="tailored_support",
                tags={"eric_strategy": ["develop_a_formal_implementation_blueprint"]},
            ),
        ],
    )
    case = tmp_path / "c.yaml"
    case.write_text("case_id: c\nstage: installation\ncfir:\n  innovation.complexity: -2\n")
    for fmt in ("table", "markdown", "html"):
        out = CliRunner().invoke(
            main, ["recommend", str(case), "-f", fmt, "--rules", str(folder), "--no-shipped"], env={"COLUMNS": "200"}
        )
        assert out.exit_code == 0, out.output
        assert "Write the plan on one page and agree it with the team." in out.stdout, fmt


def test_conflicts_with_keeps_the_better_ranked_item_and_says_why(tmp_path: Path) -> None:
    rules = [
        rec(
            "FA-NO-VOTE",
            STAGE,
            priority="high",
            title="Seek a collective view, not a pressed consensus",
            conflicts_with=["FA-VOTE"],
        ),
        rec("FA-VOTE", STAGE, priority="medium", title="Run a fist-to-five check"),
    ]
    data = plan_of(tmp_path, rules, {})
    assert order(data) == ["FA-NO-VOTE"]
    held_back = {h["rule_id"]: h for h in data["plan"]["held_back"]}
    assert held_back["FA-VOTE"]["by"] == "FA-NO-VOTE" and "contrary advice" in held_back["FA-VOTE"]["reason"]
    # declared on either side, the same outcome
    rules = [
        rec("FA-NO-VOTE", STAGE, priority="high"),
        rec("FA-VOTE", STAGE, priority="medium", conflicts_with=["FA-NO-VOTE"]),
    ]
    assert order(plan_of(tmp_path / "2", rules, {})) == ["FA-NO-VOTE"]


def test_conflicts_with_an_unknown_rule_fails_to_load(tmp_path: Path) -> None:
    with pytest.raises(RuleError) as info:
        engine_for(tmp_path, [rec("A", STAGE, conflicts_with=["NOPE"])])
    assert info.value.problems[0].code == "unknown_rule" and info.value.problems[0].field == "conflicts_with"


def test_one_support_cadence_is_read_by_every_text(tmp_path: Path) -> None:
    """`{derived.<name>}` fills a text with the word a derive block set: one rhythm, stated once."""
    rules = [
        {
            "id": "RH-LOW",
            "when": {"fact": "capacity.general", "equals": "low"},
            "derive": {"support_cadence": "weekly"},
        },
        {
            "id": "RH-OTHER",
            "when": {"fact": "capacity.general", "in": ["moderate", "high"]},
            "derive": {"support_cadence": "every two weeks"},
        },
        rec(
            "TS-A",
            {"fact": "derived.support_cadence", "exists": True},
            actions=["Meet the team {derived.support_cadence} for eight weeks."],
        ),
        rec(
            "TS-B",
            STAGE,
            actions=["Add contact beyond the {derived.support_cadence} sessions."],
            fallbacks={"derived.support_cadence": "agreed"},
        ),
    ]
    low = plan_of(tmp_path / "a", rules, {"capacity.general": "low"})
    acts = {r["rule_id"]: r["actions"][0] for r in low["recommendations"]}
    assert acts == {"TS-A": "Meet the team weekly for eight weeks.", "TS-B": "Add contact beyond the weekly sessions."}
    unstated = plan_of(tmp_path / "b", rules, {})
    assert [r["actions"][0] for r in unstated["recommendations"]] == ["Add contact beyond the agreed sessions."]


def test_a_derived_placeholder_needs_a_rule_that_derives_a_word(tmp_path: Path) -> None:
    with pytest.raises(RuleError) as info:
        engine_for(
            tmp_path / "a", [rec("A", {"fact": "derived.cadence", "exists": True}, actions=["Meet {derived.cadence}."])]
        )
    assert [p.code for p in info.value.problems] == ["unknown_placeholder"]
    with pytest.raises(RuleError) as info:  # used where nothing makes sure it is derived
        engine_for(
            tmp_path / "b",
            [
                {"id": "D", "when": STAGE, "derive": {"cadence": "weekly"}},
                rec("A", STAGE, actions=["Meet {derived.cadence}."]),
            ],
        )
    assert [p.code for p in info.value.problems] == ["unfillable_placeholder"]


# ---------------------------------------------------------------- actions written for the site


def test_placeholders_fill_from_the_case_with_fallbacks(tmp_path: Path) -> None:
    rules = [
        rec(
            "P",
            {"fact": CFIR_A, "lte": -1},
            title="Adapt {innovation} at {site}",
            actions=["Ask {priority_populations} about {barriers}; then go to {engagement.next} ({{not}})"],
            fallbacks={"innovation": "the new program"},
        )
    ]
    data = plan_of(
        tmp_path,
        rules,
        {
            CFIR_A: -2,
            "site": "Riverside",
            "engagement.level": "consult",
            "equity.priority_populations": ["Spanish-speaking patients", "uninsured adults"],
        },
    )
    r = data["recommendations"][0]
    assert r["title"] == "Adapt the new program at Riverside"
    assert r["actions"] == [
        "Ask Spanish-speaking patients and uninsured adults about Innovation Complexity; then go to involve ({not})"
    ]


def test_an_unknown_placeholder_fails_to_load_with_a_did_you_mean(tmp_path: Path) -> None:
    with pytest.raises(RuleError) as info:
        engine_for(tmp_path, [rec("P", STAGE, title="Work with {sitee}")])
    problem = info.value.problems[0]
    assert problem.code == "unknown_placeholder" and "site" in problem.hint and problem.field.endswith("title")


@pytest.mark.parametrize("fmt", ["markdown", "html", "table"])
def test_a_script_site_name_is_escaped(tmp_path: Path, fmt: str) -> None:
    engine_for(tmp_path / "r", [rec("P", STAGE, title="Plan for {site}", actions=["Meet {site} staff"])])
    case = tmp_path / "c.yaml"
    case.write_text('case_id: c\nstage: installation\nsite: "<script>alert(1)</script>"\n')
    out = (
        CliRunner()
        .invoke(main, ["recommend", str(case), "-f", fmt, "--rules", str(tmp_path / "r"), "--no-shipped"])
        .stdout
    )
    if fmt == "table":
        assert "Plan for <script>alert(1)</script>" in out  # plain text on a terminal
    else:
        assert "<script>" not in out and "&lt;script&gt;" in out


def test_rationale_variants_state_the_branch_that_held(tmp_path: Path) -> None:
    rules = [
        rec(
            "V",
            STAGE,
            rationale=[
                {"when": {"fact": "capacity.general", "gte": "moderate"}, "text": "Capacity is at least moderate."},
                {"text": "Capacity is not stated."},
            ],
        )
    ]
    eng = engine_for(tmp_path, rules)
    stated = eng.evaluate_facts({"stage": "installation", "capacity.general": "high"}, "a").recommendations[0]
    unstated = eng.evaluate_facts({"stage": "installation"}, "b").recommendations[0]
    assert (stated.rationale, unstated.rationale) == ("Capacity is at least moderate.", "Capacity is not stated.")


def test_a_rationale_list_must_end_with_a_default(tmp_path: Path) -> None:
    with pytest.raises(RuleError) as info:
        engine_for(tmp_path, [rec("V", STAGE, rationale=[{"when": STAGE, "text": "x"}])])
    assert "last rationale variant" in info.value.problems[0].message


# ---------------------------------------------------------------- lint


@pytest.mark.parametrize(
    ("rules", "code"),
    [
        ([rec("A", STAGE, after=["B"]), rec("B", STAGE, after=["A"])], "after_cycle"),
        (
            [
                rec("A", STAGE, after=[{"tag": "equity_element:cultural_adaptation"}]),
                rec("B", STAGE, after=["A"], tags={"equity_element": ["cultural_adaptation"]}),
            ],
            "after_cycle",
        ),
        ([rec("A", STAGE, after=["B"], supersedes=["B"]), rec("B", STAGE)], "after_and_supersedes"),
        ([rec("A", STAGE, category="capacity_building", tags={"spectrum_level": ["involve"]})], "spectrum_category"),
        ([rec("A", STAGE, rationale="The site is installing with adequate capacity.")], "rationale_unsupported"),
        ([rec("A", STAGE, supersedes=["A"])], "self_reference"),
        ([rec("A", STAGE, after=["NOPE"])], "unknown_rule"),
        ([rec("A", STAGE, after=[{"tag": "equity_element:nope"}])], "unknown_tag"),
    ],
)
def test_plan_lint(tmp_path: Path, rules: list[dict[str, Any]], code: str) -> None:
    from tests.helpers import write_pack

    findings = lint([write_pack(tmp_path, rules)], shipped=False)
    assert code in [f.code for f in findings], [f.render() for f in findings]


def test_the_capacity_rationale_that_tests_capacity_is_not_flagged(tmp_path: Path) -> None:
    from tests.helpers import write_pack

    rules = [
        rec(
            "A",
            {"all": [{"fact": "stage", "equals": "installation"}, {"fact": "capacity.general", "gte": "moderate"}]},
            rationale="The site is installing with adequate capacity.",
        )
    ]
    assert [f.code for f in lint([write_pack(tmp_path, rules)], shipped=False)] == []


# ---------------------------------------------------------------- the shipped cases


@pytest.fixture(scope="module")
def shipped_results(shipped_engine: Any) -> list[Any]:
    return [shipped_engine.evaluate(load_case(p)) for p in sorted(CASES.glob("*.yaml"))]


def test_every_shipped_case_has_one_to_five_now_items_and_no_folded_duplicates(shipped_results: list[Any]) -> None:
    for result in shipped_results:
        placed = result.placed()
        now = [r for r, p in placed if p.horizon == "now"]
        assert 1 <= len(now) <= 5, result.case_id
        standalone = [
            r
            for r, _ in placed
            if r.category == "implementation_strategy" and len(r.tags.get("eric_strategy", ())) == 1
        ]
        carried = {s for r, _ in placed if r not in standalone for s in r.tags.get("eric_strategy", ())}
        dupes = [r.rule_id for r in standalone if r.tags["eric_strategy"][0] in carried]
        assert not dupes, (result.case_id, dupes)


def test_no_shipped_now_item_is_beyond_pacing(shipped_results: list[Any]) -> None:
    from engine.model.vocabulary import ENGAGEMENT_LEVELS

    levels = list(ENGAGEMENT_LEVELS)
    for path, result in zip(sorted(CASES.glob("*.yaml")), shipped_results, strict=True):
        level = load_case(path).facts().get("engagement.level", "inform")
        for r, p in result.placed():
            tagged = [levels.index(x) for x in r.tags.get("spectrum_level", ())]
            if p.horizon == "now" and tagged:
                assert min(tagged) - levels.index(level) <= 1, (result.case_id, r.rule_id)


@pytest.mark.parametrize("columns", [80, 100, 140])
def test_no_line_is_wider_than_the_terminal(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    runner = CliRunner()
    riverside = str(CASES / "riverside-fqhc.yaml")
    for args in (
        ["recommend", riverside],
        ["recommend", riverside, "--explain"],
        ["rules", "list"],
        ["why-not", riverside, "EQ-TRUST-LOW"],
    ):
        out = runner.invoke(main, args).stdout
        wide = [line for line in out.splitlines() if len(line.encode()) > columns]
        assert not wide, (args, wide[:3])


def test_start_here_is_on_the_first_screen() -> None:
    out = CliRunner().invoke(main, ["recommend", str(CASES / "riverside-fqhc.yaml")], env={"COLUMNS": "100"}).stdout
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("== Start here"))
    nxt = next(i for i, line in enumerate(lines) if line.startswith("== Next"))
    assert start < 5 and nxt <= 44  # a 45-line terminal shows all of Start here
    assert len(re.findall(r"^\s+\d+\. ", "\n".join(lines[start:nxt]), re.M)) <= 5


def test_filters_top_horizon_priority_and_category_layout() -> None:
    runner = CliRunner()
    riverside = str(CASES / "riverside-fqhc.yaml")
    data = json.loads(runner.invoke(main, ["recommend", riverside, "-f", "json", "--top", "3"]).stdout)
    assert [r["rank"] for r in data["recommendations"]] == [1, 2, 3]
    data = json.loads(runner.invoke(main, ["recommend", riverside, "-f", "json", "--horizon", "later"]).stdout)
    assert data["recommendations"] and {r["horizon"] for r in data["recommendations"]} == {"later"}
    data = json.loads(runner.invoke(main, ["recommend", riverside, "-f", "json", "--priority", "low"]).stdout)
    assert {r["priority"] for r in data["recommendations"]} == {"low"}
    out = runner.invoke(main, ["recommend", riverside, "--by", "category"]).stdout
    assert "Start here" not in out and "== Equity" in out
    data = json.loads(runner.invoke(main, ["recommend", riverside, "-f", "json", "--now", "2"]).stdout)
    assert len(data["plan"]["now"]) == 2


def test_batch_csv_has_horizon_rank_and_priority_rank(tmp_path: Path) -> None:
    import csv

    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["batch", str(CASES / "riverside-fqhc.yaml"), "--out", str(out), "--jobs", "1"])
    assert res.exit_code == 0, res.output
    with (out / "recommendations.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {"horizon", "rank", "priority_rank"} <= set(rows[0])
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
    assert {r["priority_rank"] for r in rows} <= {"1", "2", "3"}
    assert rows[0]["horizon"] == "now"
    summary = (out / "summary.md").read_text()
    assert re.search(r"\|\s*sites\s*\|\s*now\s*\|\s*next\s*\|\s*later\s*\|", summary)
    assert "items are in Start here (now)" in summary
