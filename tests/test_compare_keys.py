"""`compare` matches items by key and says truly what became of each one: kept or moved when a rule
variant of the same key fires instead, folded into another item, held back, kept going (relationship
work while trust falls) or retired; the stage and relationships come first; the debrief counts only the
items truly retired.

Each test writes a small pair of assessments (YAML case files of one site) to a tmp dir and runs
`isp-advisor compare` on them, after checking that the shipped rules do what the scenario needs (so a
rule edit that removes the scenario fails loudly here rather than passing quietly).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CASES

from cli import main
from engine import load_case
from engine.assessments.compare import RELATIONSHIP_WORK, compare, relationship_changes, worsened_reasons
from engine.render.comparison import render_compare

OVER_TIME = CASES / "over-time"
FEB, JUN, OCT = (str(OVER_TIME / f"millbrook-2026-{d}.yaml") for d in ("02-10", "06-09", "10-13"))

PARTS = ("kept", "moved", "folded", "held_back", "continued", "retired")
"""What can become of an item of the earlier plan: exactly one of these."""


def write(tmp: Path, name: str, **case: Any) -> str:
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"case_id": "pair-site", **case}, sort_keys=False), encoding="utf-8")
    return str(path)


def run(runner: Any, *args: str, fmt: str = "json") -> Any:
    res = runner.invoke(main, ["compare", *args, "--format", fmt], env={"COLUMNS": "100"})
    assert res.exit_code == 0, res.output
    return json.loads(res.output) if fmt == "json" else res.output


def plan(runner: Any, path: str, previous: str | None = None) -> dict[str, Any]:
    res = runner.invoke(main, ["recommend", path, "--format", "json", *(["--previous", previous] if previous else [])])
    assert res.exit_code == 0, res.output
    data: dict[str, Any] = json.loads(res.output)
    return data


def by_key(recs: dict[str, Any]) -> dict[str, str]:
    """Item key -> the list it is in (each old and each new item is in exactly one)."""
    out: dict[str, str] = {}
    for part, rows in recs.items():
        for r in rows:
            assert r["key"] not in out or part in ("new", "unfolded"), (r["key"], part, out.get(r["key"]))
            out[r["key"]] = part
    return out


def accounted(runner: Any, old: str, new: str, data: dict[str, Any]) -> None:
    """Every placed item of the earlier plan is in exactly one of PARTS; every later one is kept, moved or new."""
    recs = data["recommendations"]
    old_keys = [r["key"] for r in plan(runner, old)["recommendations"]]
    olds = [r["key"] for part in PARTS for r in recs[part]]
    assert sorted(olds) == sorted(old_keys)
    new_keys = [r["key"] for r in plan(runner, new, old)["recommendations"]]
    news = [r["key"] for part in ("kept", "moved", "new", "unfolded") for r in recs[part]]
    assert sorted(news) == sorted(new_keys)


# ---------------------------------------------------------------- (a) a rule variant of the same key


@pytest.fixture
def stage_pair(tmp_path: Path) -> tuple[str, str]:
    old = write(
        tmp_path, "old", assessed_on="2026-01-12", stage="installation", capacity={"intervention_specific": "low"}
    )
    new = write(
        tmp_path,
        "new",
        assessed_on="2026-05-04",
        stage="initial_implementation",
        capacity={"intervention_specific": "low"},
    )
    return old, new


def test_a_rule_change_under_one_key_is_kept_not_retired_and_new(runner: Any, stage_pair: tuple[str, str]) -> None:
    old, new = stage_pair
    before = {r["rule_id"]: r["key"] for r in plan(runner, old)["recommendations"]}
    after = {r["rule_id"]: r["key"] for r in plan(runner, new, old)["recommendations"]}
    assert before["TS-INTENSIVE-EARLY"] == after["TS-INTENSIVE-LAUNCH"] == "tailored_support:support-level"
    assert "TS-INTENSIVE-LAUNCH" not in before and "TS-INTENSIVE-EARLY" not in after

    data = run(runner, old, new)
    recs = data["recommendations"]
    ids = {part: {r["rule_id"] for r in recs[part]} for part in recs}
    assert not {"TS-INTENSIVE-EARLY", "TS-INTENSIVE-LAUNCH"} & (ids["retired"] | ids["new"])
    [carried] = [r for r in recs["kept"] + recs["moved"] if r["key"] == "tailored_support:support-level"]
    assert (carried["old_rule_id"], carried["rule_id"]) == ("TS-INTENSIVE-EARLY", "TS-INTENSIVE-LAUNCH")
    assert by_key(recs)["tailored_support:support-level"] in ("kept", "moved")
    accounted(runner, old, new, data)


# ---------------------------------------------------------------- (b) a stand-alone ERIC item folded


@pytest.fixture
def engagement_pair(tmp_path: Path) -> tuple[str, str]:
    """Consult -> involve: the next engagement step carries the advisory boards strategy, folding it."""
    common = {"stage": "installation", "cfir": {"process.engaging.recipients": -1}}
    old = write(
        tmp_path,
        "consult",
        assessed_on="2026-01-12",
        **common,
        engagement={"level": "consult", "target": "collaborate"},
    )
    new = write(
        tmp_path,
        "involve",
        assessed_on="2026-05-04",
        **common,
        engagement={"level": "involve", "target": "collaborate"},
    )
    return old, new


ADVISORY = "implementation_strategy:eric:use_advisory_boards_and_workgroups"


def test_a_standalone_eric_item_now_folded_is_reported_folded_not_retired(
    runner: Any, engagement_pair: tuple[str, str]
) -> None:
    old, new = engagement_pair
    assert ADVISORY in {r["key"] for r in plan(runner, old)["recommendations"]}
    later = plan(runner, new, old)["recommendations"]
    [host] = [r for r in later if ADVISORY in {a["key"] for a in r["also"]}]
    assert ADVISORY not in {r["key"] for r in later}

    data = run(runner, old, new)
    recs = data["recommendations"]
    assert ADVISORY not in {r["key"] for r in recs["retired"] + recs["new"]}
    [folded] = [r for r in recs["folded"] if r["key"] == ADVISORY]
    assert (folded["into_rule_id"], folded["into_key"]) == (host["rule_id"], host["key"])
    accounted(runner, old, new, data)
    text = run(runner, old, new, fmt="table")
    assert f"now done within {host['rule_id']}" in text
    assert not [line for line in text.splitlines() if "retired" in line and "advisory boards" in line]


def test_folded_the_other_way_is_back_on_its_own_and_held_back_is_not_retired(tmp_path: Path, runner: Any) -> None:
    """Involve -> consult (undated, in argument order): advisory boards leaves its host, and the baseline
    facilitation item waits behind full participation."""
    common = {"stage": "installation", "cfir": {"process.engaging.recipients": -1}}
    a = write(tmp_path, "a", **common, engagement={"level": "involve", "target": "collaborate"})
    b = write(tmp_path, "b", **common, engagement={"level": "consult", "target": "collaborate"})
    held = {h["rule_id"]: h for h in plan(runner, b, a)["plan"]["held_back"]}
    assert "FA-PARTICIPATORY-BASELINE" in held
    assert "FA-PARTICIPATORY-BASELINE" in {r["rule_id"] for r in plan(runner, a)["recommendations"]}

    recs = run(runner, a, b)["recommendations"]
    [waits] = [r for r in recs["held_back"] if r["rule_id"] == "FA-PARTICIPATORY-BASELINE"]
    assert waits["by"] == held["FA-PARTICIPATORY-BASELINE"]["by"] and waits["reason"].startswith("held back while")
    assert "FA-PARTICIPATORY-BASELINE" not in {r["rule_id"] for r in recs["retired"]}
    [own] = [r for r in recs["unfolded"] if r["key"] == ADVISORY]
    assert own["was_in_key"] == "equity:engagement-next-step"
    assert ADVISORY not in {r["key"] for r in recs["new"]}


# ---------------------------------------------------------------- (c) relationship work while trust falls


CONFLICT = "facilitation:conflict-between-groups"


def conflict_pair(tmp: Path, trust_after: str) -> tuple[str, str]:
    old = write(
        tmp,
        "old",
        assessed_on="2026-01-12",
        relationships={"trust": "moderate"},
        problem={"tags": ["conflict_between_groups"]},
    )
    new = write(tmp, f"new-{trust_after}", assessed_on="2026-05-04", relationships={"trust": trust_after})
    return old, new


def test_conflict_work_is_never_retired_while_trust_falls(runner: Any, tmp_path: Path) -> None:
    old, new = conflict_pair(tmp_path, "low")
    assert CONFLICT in {r["key"] for r in plan(runner, old)["recommendations"]}
    assert CONFLICT not in {r["key"] for r in plan(runner, new, old)["recommendations"]}  # it no longer fires
    assert CONFLICT in RELATIONSHIP_WORK

    data = run(runner, old, new)
    recs = data["recommendations"]
    assert CONFLICT not in {r["key"] for r in recs["retired"]}
    [going] = [r for r in recs["continued"] if r["key"] == CONFLICT]
    assert going["reason"] == "trust fell from moderate to low"
    assert not recs["retired"]
    assert not [q for q in data["debrief"] if "no longer recommended" in q]
    keep = [q for q in data["debrief"] if "keep doing" in q]
    assert keep and keep[0].startswith("Trust fell from moderate to low") and going["title"] in keep[0]
    accounted(runner, old, new, data)

    # every rendering tells the team to keep doing it, and none calls it retired
    nothing_retired = {"table": "0 retired", "markdown": "**Retired:** none", "html": "<h3>Retired</h3><p>None.</p>"}
    for fmt, none in nothing_retired.items():
        out = run(runner, old, new, fmt=fmt)
        assert "Keep going: trust fell from moderate to low" in out, fmt
        assert "do not stop it" in out and none in out, fmt
    table = run(runner, old, new, fmt="table")
    line = next(ln for ln in table.splitlines() if going["rule_id"] in ln)
    assert line.lstrip().startswith("= keep going")
    assert not [ln for ln in table.splitlines() if ln.lstrip().startswith("- retired")]


def test_the_same_conflict_work_is_retired_when_trust_holds(runner: Any, tmp_path: Path) -> None:
    old, new = conflict_pair(tmp_path, "moderate")
    recs = run(runner, old, new)["recommendations"]
    assert not recs["continued"]
    [gone] = [r for r in recs["retired"] if r["key"] == CONFLICT]
    assert {
        "path": "problem.conflict_between_groups",
        "label": "Problem stated: conflict between groups",
        "from": True,
        "to": None,
    } in gone["because"]


def test_relationships_worsen_by_conflict_incident_and_power_too(tmp_path: Path) -> None:
    old = load_case(
        write(
            tmp_path,
            "o",
            assessed_on="2026-01-12",
            power={"differential": "moderate"},
            events=[{"kind": "critical_incident", "on": "2025-11-02"}],
        )
    )
    new = load_case(
        write(
            tmp_path,
            "n",
            assessed_on="2026-05-04",
            power={"differential": "high"},
            problem={"tags": ["distrust_of_institutions"]},
            events=[
                {"kind": "critical_incident", "on": "2025-11-02"},
                {"kind": "critical_incident", "on": "2026-03-20"},
            ],
        )
    )
    rels = relationship_changes(old, new, old.facts(), new.facts())
    assert [(r.path, r.direction) for r in rels] == [
        ("power.differential", "worsened"),
        ("problem.distrust_of_institutions", "worsened"),
        ("events.critical_incident", "worsened"),
    ]
    assert worsened_reasons(rels) == [
        "the power differential rose from moderate to high",
        "distrust of institutions is now stated",
        "a critical incident was recorded (2026-03-20)",
    ]


# ---------------------------------------------------------------- (d) the stage and relationships first


def test_stage_change_comes_first_in_every_rendering(runner: Any, stage_pair: tuple[str, str]) -> None:
    old, new = stage_pair
    data = run(runner, old, new)
    assert data["stage"] == {"from": "installation", "to": "initial_implementation", "direction": "forward"}
    assert data["steps"][0]["stage"] == data["stage"]
    assert data["debrief"][0].startswith("The stage moved on from installation to initial implementation")

    lines = run(runner, old, new, fmt="table").splitlines()
    assert lines[2] == "Stage: installation -> initial implementation (moved on)"
    order = [
        next(i for i, ln in enumerate(lines) if ln.startswith(head))
        for head in ("Stage:", "Relationships", "Other changes", "Recommendations:", "Ask in the debrief")
    ]
    assert order == sorted(order)
    md = run(runner, old, new, fmt="markdown")
    assert md.index("## Stage and relationships") < md.index("## Other changes") < md.index("## Recommendations")
    assert "**Stage: installation → initial implementation (moved on)**" in md
    page = run(runner, old, new, fmt="html")
    assert (
        page.index("Stage and relationships")
        < page.index("Each rating over the assessments")
        < page.index("Other changes")
        < page.index("<h2>Recommendations")
    )


def test_unchanged_and_unstated_stage_are_still_said(runner: Any, tmp_path: Path) -> None:
    same = run(
        runner,
        write(tmp_path, "a", assessed_on="2026-01-12", stage="installation"),
        write(tmp_path, "b", assessed_on="2026-05-04", stage="installation"),
        fmt="table",
    )
    assert "Stage: installation (unchanged)" in same
    neither = run(
        runner,
        write(tmp_path, "c", assessed_on="2026-01-12"),
        write(tmp_path, "d", assessed_on="2026-05-04"),
        fmt="table",
    )
    assert "Stage: not stated in either assessment" in neither


def test_relationship_changes_come_before_the_cfir_ratings_on_millbrook(runner: Any) -> None:
    data = run(runner, FEB, JUN)
    assert [r["path"] for r in data["relationships"]][0] == "relationships.trust"
    assert data["relationships"][0]["direction"] == "worsened"
    text = run(runner, FEB, JUN, fmt="table")
    assert text.index("Trust (relationships.trust): moderate -> low") < text.index("Available Resources")
    debrief = data["debrief"]
    trust = next(i for i, q in enumerate(debrief) if q.startswith("Trust worsened"))
    cfir = next(i for i, q in enumerate(debrief) if q.startswith("Available Resources"))
    assert debrief[0].startswith("The stage moved on") and trust < cfir


# ---------------------------------------------------------------- (e) the debrief counts only the retired


def retired_said(debrief: list[str]) -> int:
    found = [int(m.group(1)) for q in debrief if (m := re.match(r"(\d+) items? (?:is|are) no longer recommended", q))]
    assert len(found) <= 1
    return found[0] if found else 0


@pytest.mark.parametrize("pair", [(FEB, JUN), (JUN, OCT), (FEB, OCT), (FEB, JUN, OCT)])
def test_the_debrief_counts_only_the_truly_retired(runner: Any, pair: tuple[str, ...]) -> None:
    data = run(runner, *pair)
    recs = data["recommendations"]
    assert retired_said(data["debrief"]) == len(recs["retired"])
    assert not [q for q in data["debrief"] if "no longer apply" in q or "tell the people doing them" in q]
    text = run(runner, *pair, fmt="table")
    assert f"{len(recs['retired'])} retired" in text


def test_millbrook_folded_item_is_not_counted_as_retired(runner: Any) -> None:
    data = run(runner, FEB, OCT)
    recs = data["recommendations"]
    assert ADVISORY in {r["key"] for r in recs["folded"]}
    assert ADVISORY not in {r["key"] for r in recs["retired"]}
    assert retired_said(data["debrief"]) == len(recs["retired"])
    why = next(q for q in data["debrief"] if "no longer recommended" in q)
    assert "because what they rested on has changed (" in why and "whether to finish the work or stop" in why
    accounted(runner, FEB, OCT, data)


def test_the_debrief_names_what_changed_for_the_retired(shipped_engine: Any, tmp_path: Path) -> None:
    old, new = conflict_pair(tmp_path, "moderate")
    result = compare(shipped_engine, [(old, load_case(old)), (new, load_case(new))])
    [line] = [q for q in result.debrief if "no longer recommended" in q]
    assert line.startswith(
        "1 item is no longer recommended because what it rested on has changed "
        "(conflict between groups no longer stated as a problem)"
    )
    page = render_compare(result.report(), "html")
    assert "conflict between groups no longer stated as a problem" in page


def test_the_new_lists_match_the_schema(runner: Any, tmp_path: Path, engagement_pair: tuple[str, str]) -> None:
    import jsonschema

    from engine.authoring.schema import json_schema

    validator = jsonschema.Draft202012Validator(json_schema("compare"))
    old, new = conflict_pair(tmp_path, "low")
    for args in ((old, new), engagement_pair, (FEB, JUN, OCT)):
        validator.validate(run(runner, *args))
