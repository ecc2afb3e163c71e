"""The site in its own words: people, the stated problem, events and assets as facts, placeholders and items."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CASES
from helpers import engine_for, rec

from cli import main
from engine import load_case
from engine.model.case import Case
from engine.model.sitefacts import AsOf, as_of, site_facts


def _case(**extra: Any) -> Case:
    return Case.model_validate({"case_id": "t", "site": "Oak Clinic", "innovation": "Group prenatal care", **extra})


RIVERSIDE_PEOPLE = [
    {
        "name": "Dr. Elena Ortiz",
        "role": "medical director",
        "group": "leadership",
        "stance": "supportive",
        "status": "leaving",
        "until": "2026-05-01",
    },
    {"role": "care managers", "group": "frontline_staff"},
    {"role": "psychiatric consultants", "group": "frontline_staff", "stance": "skeptical"},
]


# ---------------------------------------------------------------- facts


def test_people_problem_events_assets_become_facts() -> None:
    case = _case(
        assessed_on="2026-03-02",
        people=RIVERSIDE_PEOPLE,
        problem={"tags": ["roles_unclear"]},
        events=[
            {"kind": "critical_incident", "on": "2026-02-20"},
            {"kind": "critical_incident", "on": "2025-12-01"},
            {"kind": "launch", "on": "2026-04-01"},
        ],
        assets=[{"kind": "existing_meeting", "summary": "Monthly all-staff huddle"}],
    )
    facts = site_facts(case, as_of(case))
    assert "people.leadership.count" not in facts  # the one leader is leaving: counted apart
    assert facts["people.frontline_staff.count"] == 2
    assert facts["people.frontline_staff.stance.skeptical"] == 1
    assert facts["people.leadership.stance.supportive"] == 1
    assert facts["people.leadership.leaving"] == 1
    assert facts["people.leadership.leaving_days_until"] == 60
    assert facts["problem.roles_unclear"] is True
    assert "problem.workload" not in facts  # not stated is not false
    assert facts["events.critical_incident.days_since"] == 10  # the latest one on or before the date
    assert facts["events.launch.days_until"] == 30
    assert "events.launch.days_since" not in facts
    assert facts["assets.existing_meeting"] is True
    gone = _case(people=[{"role": "former director", "group": "leadership", "status": "left"}])
    assert "people.leadership.count" not in site_facts(gone, None)  # someone who has left is not counted


def test_day_counts_need_a_reference_date_never_today() -> None:
    case = _case(people=RIVERSIDE_PEOPLE, events=[{"kind": "launch", "on": "2026-04-01"}])
    assert as_of(case) is None
    facts = site_facts(case, None)
    assert "people.leadership.leaving_days_until" not in facts
    assert not any(k.startswith("events.") for k in facts)
    assert facts["people.leadership.leaving"] == 1
    dated = site_facts(case, as_of(case, "2026-03-31"))
    assert dated["events.launch.days_until"] == 1
    assert as_of(case, "2026-03-31") == AsOf("2026-03-31", "--date")


def test_as_of_in_json_says_where_the_date_came_from(runner: Any, tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"case_id": "c", "stage": "installation"}))
    out = json.loads(runner.invoke(main, ["recommend", str(path), "-f", "json"]).output)
    assert out["as_of"] is None
    out = json.loads(runner.invoke(main, ["recommend", str(path), "-f", "json", "--date", "2026-01-05"]).output)
    assert out["as_of"] == {"date": "2026-01-05", "from": "--date"}
    path.write_text(yaml.safe_dump({"case_id": "c", "assessed_on": "2026-02-01"}))
    out = json.loads(runner.invoke(main, ["recommend", str(path), "-f", "json", "--date", "2026-01-05"]).output)
    assert out["as_of"] == {"date": "2026-02-01", "from": "assessed_on"}


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        (
            {"people": [{"role": "nurse", "group": "frontline_staf"}]},
            ["people[0].group", "unknown people group 'frontline_staf'", "did you mean 'frontline_staff'"],
        ),
        ({"problem": {"tags": ["role_unclear"]}}, ["problem.tags[0]", "did you mean 'roles_unclear'"]),
        ({"events": [{"kind": "critical_incidnt", "on": "2026-01-01"}]}, ["events[0].kind", "critical_incident"]),
        ({"events": [{"kind": "launch", "on": "next spring"}]}, ["events[0].on", "is not a date", "YYYY-MM-DD"]),
        ({"assets": [{"kind": "meeting"}]}, ["assets[0].kind", "existing_meeting"]),
        (
            {"people": [{"role": "nurse", "group": "frontline_staff", "until": "2026-01-01"}]},
            ["people[0]", "'until' is given", "status: leaving"],
        ),
        (
            {"people": [{"role": f"youth worker {i}", "group": "youth"} for i in range(10_000)]},
            ["people", "at most 500"],
        ),
    ],
)
def test_bad_site_fields_exit_2_with_location(
    runner: Any, tmp_path: Path, extra: dict[str, Any], fragments: list[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"case_id": "bad", **extra}))
    result = runner.invoke(main, ["recommend", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "bad.yaml:" in result.output
    for fragment in fragments:
        assert fragment in result.output


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("case_id: 'a|b'\n", "case_id 'a|b' is not allowed"),
        ("case_id: x\ncfir: {innovation.complexity: 'x|y'}\n", "rating 'x|y' is out of range"),
    ],
)
def test_a_bar_in_a_value_prints_a_clean_message(runner: Any, tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "bar.yaml"
    path.write_text(content)
    result = runner.invoke(main, ["recommend", str(path)])
    assert result.exit_code == 2
    assert fragment in result.output  # the message is whole, not cut at the bar
    assert "(" in result.output.split(fragment, 1)[1]  # and its hint follows it


# ---------------------------------------------------------------- the plan reads them


@pytest.fixture(scope="module")
def engine() -> Any:
    from engine import load_engine

    return load_engine()


def _riverside(**changes: Any) -> Case:
    data = load_case(CASES / "riverside-fqhc.yaml").model_dump(exclude_none=True)
    data.update(changes)
    return Case.model_validate({k: v for k, v in data.items() if v is not None})


def _item(result: Any, key: str) -> Any:
    return next(((r, p) for r, p in result.placed() if r.key == key), (None, None))


def test_a_departing_leader_is_named_with_the_date(engine: Any) -> None:
    result = engine.evaluate(
        _riverside(leadership={"emerging_leaders": False}, people=RIVERSIDE_PEOPLE, assessed_on="2026-03-02")
    )
    item, place = _item(result, "capacity_building:leadership-transition")
    assert item is not None and place.horizon == "now"
    assert "Dr. Elena Ortiz (medical director)" in item.title and "1 May 2026" in item.title
    assert all("incoming leader" not in a for a in item.actions)


def test_a_departure_without_a_date_names_the_person_but_no_date(engine: Any) -> None:
    people = [{**RIVERSIDE_PEOPLE[0], "until": None}] + RIVERSIDE_PEOPLE[1:]
    result = engine.evaluate(
        _riverside(
            leadership={"emerging_leaders": False},
            people=[{k: v for k, v in p.items() if v is not None} for p in people],
        )
    )
    item, _ = _item(result, "capacity_building:leadership-transition")
    assert item.title == "Hand over the work before Dr. Elena Ortiz (medical director) leaves"
    assert "last day" in item.actions[1]


def test_the_transition_flag_alone_names_no_one(engine: Any) -> None:
    result = engine.evaluate(_riverside(people=None))
    item, _ = _item(result, "capacity_building:leadership-transition")
    assert item.title == "Carry the work through the leadership transition"
    assert not any("incoming leader" in a for a in item.actions)


def test_stated_problem_is_addressed_in_start_here_and_names_the_people(engine: Any) -> None:
    result = engine.evaluate(
        _riverside(people=RIVERSIDE_PEOPLE, problem={"tags": ["roles_unclear", "workflow_not_fitted"]})
    )
    now = [r for r, p in result.placed() if p.horizon == "now"]
    assert any(r.addresses for r in now)
    roles, _ = _item(result, "tailored_support:roles-unclear")
    assert roles.addresses == ("roles_unclear",)
    assert "the care managers and psychiatric consultants" in roles.actions[0]
    data = json.loads(result.to_json())
    by_key = {r["key"]: r for r in data["recommendations"]}
    assert by_key["tailored_support:roles-unclear"]["addresses"] == ["roles_unclear"]
    assert by_key["equity:build-trust"]["addresses"] == []


def test_every_item_has_a_unique_key_of_the_contract(engine: Any) -> None:
    import re

    for path in sorted(CASES.glob("*.yaml")):
        result = engine.evaluate(load_case(path))
        keys = [r.key for r in result.recommendations]
        assert len(keys) == len(set(keys)), path
        for r in result.recommendations:
            assert r.key.startswith(r.category + ":")
            assert re.fullmatch(r"[a-z0-9_.:-]+", r.key) and len(r.key) <= 64


def test_a_recent_critical_incident_puts_care_first(engine: Any) -> None:
    case = Case.model_validate(
        {
            "case_id": "inc",
            "site": "Eastside",
            "stage": "initial_implementation",
            "assessed_on": "2026-02-20",
            "cfir": {"outer_setting.financing": -2},
            "leadership": {"transition": True},
            "events": [{"kind": "critical_incident", "on": "2026-02-14", "summary": "A participant was shot."}],
        }
    )
    result = engine.evaluate(case)
    first, place = result.placed()[0]
    assert first.rule_id == "AS-CRITICAL-INCIDENT"
    assert place.reasons[0] == {"factor": "safety"}
    assert "14 February 2026" in first.actions[0]
    old = case.model_copy(update={"assessed_on": "2026-06-20"})  # four months on: no longer recent
    assert "AS-CRITICAL-INCIDENT" not in engine.evaluate(old).fired


def test_matchers_agree_on_the_site_facts(engine: Any) -> None:
    case = _riverside(
        people=RIVERSIDE_PEOPLE,
        assessed_on="2026-03-02",
        problem={"tags": ["workload"]},
        events=[{"kind": "critical_incident", "on": "2026-02-25"}],
        assets=[{"kind": "trusted_messenger", "summary": "Ms. Reyes, the promotora"}],
    )
    facts, _ = engine.case_facts(case)
    assert engine.fire(facts).fired == engine.fire_python(facts).fired
    assert "SI-WORKLOAD" in engine.fire_python(facts).fired


# ---------------------------------------------------------------- placeholders the case must fill


def test_a_placeholder_the_case_may_not_fill_is_refused_at_load(tmp_path: Path) -> None:
    from engine.errors import RuleError

    with pytest.raises(RuleError) as info:
        engine_for(
            tmp_path,
            [rec("R1", {"fact": "stage", "equals": "installation"}, actions=["Ask {person:champion} to lead."])],
        )
    problem = info.value.problems[0]
    assert problem.code == "unfillable_placeholder" and "people.champion.count" in problem.message


def test_a_text_variant_chosen_by_what_the_case_states(tmp_path: Path) -> None:
    eng = engine_for(
        tmp_path,
        [
            rec(
                "R1",
                {"fact": "stage", "equals": "installation"},
                actions=["Find a champion."],
                texts=[
                    {"when": {"fact": "people.champion.count", "gte": 1}, "actions": ["Ask {person:champion} to lead."]}
                ],
            )
        ],
    )
    named = Case.model_validate(
        {
            "case_id": "a",
            "stage": "installation",
            "people": [{"name": "Ana Ruiz", "role": "nurse", "group": "champion"}],
        }
    )
    unnamed = Case.model_validate({"case_id": "b", "stage": "installation"})
    assert eng.evaluate(named).recommendations[0].actions == ("Ask Ana Ruiz (nurse) to lead.",)
    assert eng.evaluate(unnamed).recommendations[0].actions == ("Find a champion.",)
    role_only = Case.model_validate(
        {"case_id": "c", "stage": "installation", "people": [{"role": "charge nurse", "group": "champion"}]}
    )
    assert eng.evaluate(role_only).recommendations[0].actions == ("Ask the charge nurse to lead.",)


# ---------------------------------------------------------------- --date on the commands that evaluate


def _incident_case(tmp_path: Path) -> Path:
    path = tmp_path / "inc.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "case_id": "inc",
                "site": "Eastside",
                "stage": "initial_implementation",
                "events": [{"kind": "critical_incident", "on": "2026-02-14"}],
            }
        )
    )
    return path


def test_batch_counts_days_from_date_and_resume_keeps_dates_apart(runner: Any, tmp_path: Path) -> None:
    case = _incident_case(tmp_path)
    out = tmp_path / "o"
    assert runner.invoke(main, ["batch", str(case), "--out", str(out), "--date", "2026-02-20", "-q"]).exit_code == 0
    line = json.loads((out / "results.jsonl").read_text().splitlines()[0])
    assert line["as_of"] == {"date": "2026-02-20", "from": "--date"}
    assert line["recommendations"][0]["rule_id"] == "AS-CRITICAL-INCIDENT"
    res = runner.invoke(main, ["batch", str(case), "--out", str(out), "--date", "2026-09-01", "--resume"])
    assert res.exit_code == 0 and "reused" not in res.output  # another date: evaluated again
    line = json.loads((out / "results.jsonl").read_text().splitlines()[0])
    assert line["as_of"]["date"] == "2026-09-01"
    assert "AS-CRITICAL-INCIDENT" not in [r["rule_id"] for r in line["recommendations"]]


def test_sweep_plan_and_whatif_take_date(runner: Any, tmp_path: Path) -> None:
    case = str(_incident_case(tmp_path))
    out = json.loads(
        runner.invoke(
            main, ["sweep", case, "--vary", "stage=installation", "-f", "json", "--date", "2026-02-20"]
        ).output
    )
    assert "AS-CRITICAL-INCIDENT" in json.dumps(out)
    plan = runner.invoke(main, ["plan", case, "-f", "json", "--date", "2026-02-20"])
    assert plan.exit_code == 0 and "AS-CRITICAL-INCIDENT" in plan.output
    diff = runner.invoke(main, ["whatif", case, "--set", "stage=installation", "-f", "json", "--date", "2026-02-20"])
    assert diff.exit_code == 0


# ---------------------------------------------------------------- cues: asked, never set; protective holds


@pytest.mark.parametrize("stem", ["salmon-river-nation-diabetes", "red-cedar-tribal-youth"])
def test_a_tribal_program_left_blank_is_asked_and_data_gathering_waits(engine: Any, stem: str) -> None:
    data = yaml.safe_load((CASES / f"{stem}.yaml").read_text(encoding="utf-8"))
    data.setdefault("equity", {}).pop("tribal_sovereignty", None)
    case = Case.model_validate(data)
    result = engine.evaluate(case)
    cue = next(c for c in result.cues if c.path == "equity.tribal_sovereignty")
    assert cue.protective and cue.value is True and "Tribal Nation" in cue.question
    assert case.equity is None or case.equity.tribal_sovereignty is None  # suggested, never set
    waiting = {h.rule_id for h in result.plan.held_back if h.by == "cue:equity.tribal_sovereignty"}
    assert waiting
    for item, _ in result.placed():
        rules = [engine.by_id[i] for i in item.rule_ids]
        assert not any("equity.tribal_sovereignty" in r.waits_for for r in rules), item.rule_id
    data_gathering = {
        "conduct_local_needs_assessment",
        "audit_and_provide_feedback",
        "inform_local_opinion_leaders",
        "obtain_and_use_patients_consumers_and_family_feedback",
        "identify_and_prepare_champions",
    }
    now = [r for r, p in result.placed() if p.horizon == "now"]
    assert not any(set(r.tags.get("eric_strategy", ())) & data_gathering for r in now)
    text = engine.evaluate(case)
    assert json.loads(text.to_json())["cues"][0]["path"] == "equity.tribal_sovereignty"
    answered = Case.model_validate({**data, "equity": {**(data.get("equity") or {}), "tribal_sovereignty": False}})
    assert not [c for c in engine.evaluate(answered).cues if c.path == "equity.tribal_sovereignty"]
    assert not [h for h in engine.evaluate(answered).plan.held_back if h.by.startswith("cue:")]


def test_the_cue_question_comes_first_under_not_stated(runner: Any, tmp_path: Path) -> None:
    data = yaml.safe_load((CASES / "red-cedar-tribal-youth.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "rc.yaml"
    path.write_text(yaml.safe_dump(data))
    table = runner.invoke(main, ["recommend", str(path)]).output
    assert "First answer 1 question(s) the case raises" in table.splitlines()[1]
    tail = table[table.index("Not stated, though the case's own words suggest it") :]
    assert "Tribal Nation" in tail.splitlines()[1]
    md = runner.invoke(main, ["recommend", str(path), "-f", "markdown"]).output
    section = md[md.index("## Not stated") :]
    assert section.index("Tribal Nation") < section.index("Stating these would sharpen the advice")
    html = runner.invoke(main, ["recommend", str(path), "-f", "html"]).output
    assert '<ul class="cues"><li>' in html and "cue:equity.tribal_sovereignty" not in html.split("Held back")[0]


def test_lint_reports_the_durable_property_headroom(runner: Any) -> None:
    from engine.authoring.lint import property_use
    from engine.rulepacks.loader import scan_rulebase

    used, limit = property_use(scan_rulebase(())[0])
    assert used < limit  # the shipped packs stay within durable_rules' 255 properties
    out = runner.invoke(main, ["rules", "lint"]).output
    assert f"durable_rules headroom: a case fills at most {used} of {limit} properties in one fact" in out


def test_bad_text_in_records_and_past_departures(runner: Any, tmp_path: Path, engine: Any) -> None:
    for role, fragment in (("   ", "is empty"), ("director\x1b[31m", "control character")):
        path = tmp_path / "r.yaml"
        path.write_text(yaml.safe_dump({"case_id": "r", "people": [{"role": role, "group": "leadership"}]}))
        res = runner.invoke(main, ["recommend", str(path)])
        assert res.exit_code == 2 and fragment in res.output and "people[0].role" in res.output
    case = _case(
        assessed_on="2026-03-02",
        people=[{"role": "director", "group": "leadership", "status": "leaving", "until": "2026-01-01"}],
    )
    assert any("status: left" in w and "people[0]" in w for w in engine.evaluate(case).warnings)
    res = runner.invoke(main, ["whatif", str(CASES / "riverside-fqhc.yaml"), "--set", "people.leadership.count=0"])
    assert res.exit_code == 2 and "cannot be set or varied" in res.output and "Traceback" not in res.output


def test_folded_items_keep_their_own_key_and_lint_names_unfillable_placeholders(engine: Any, tmp_path: Path) -> None:
    from helpers import write_pack

    from engine.authoring.lint import lint

    found = [
        (r, a)
        for path in sorted(CASES.glob("*.yaml"))
        for r, p in engine.evaluate(load_case(path)).placed()
        for a in p.also
    ]
    assert found and all(a.key.startswith("implementation_strategy:") and len(a.key) > 24 for _, a in found)
    assert all(json.loads(a.to_json())["key"] == a.key for _, a in found[:5])
    folder = write_pack(
        tmp_path / "p",
        [rec("R1", {"fact": "stage", "equals": "installation"}, actions=["Ask {person:champion} to lead."])],
    )
    codes = {f.code for f in lint([folder], shipped=False)}
    assert "unfillable_placeholder" in codes


def test_an_item_key_over_64_characters_is_refused_at_load(tmp_path: Path) -> None:
    from engine.errors import RuleError

    with pytest.raises(RuleError) as info:
        engine_for(
            tmp_path,
            [rec("R1", {"fact": "stage", "equals": "installation"}, category="implementation_strategy", key="a" * 41)],
        )
    problem = info.value.problems[0]
    assert problem.code == "key_too_long"
    assert "shorten `key:` (41 characters) to at most 40" in problem.hint  # the key's own length, not the item's


def test_no_plan_presumes_people_or_dates_the_case_does_not_name(engine: Any) -> None:
    banned = ("groups the case names", "incoming leader", "before launch", "{", "}")
    for path in sorted(CASES.rglob("*.yaml")):
        result = engine.evaluate(load_case(path))
        for r in result.recommendations:
            for text in (r.title, *r.actions):
                assert not any(b in text for b in banned), (path.name, r.rule_id, text)


def test_why_not_says_which_edit_to_the_case_would_state_a_site_fact(runner: Any) -> None:
    out = runner.invoke(main, ["why-not", str(CASES / "riverside-fqhc.yaml"), "SI-WORKLOAD"]).output
    assert "state the problem: add workload to problem.tags" in out
    assert "whatif" not in out.split("Full evaluation:")[0]  # --set cannot set it: no what-if line


def test_an_unknown_addresses_tag_is_refused_with_a_did_you_mean(tmp_path: Path) -> None:
    from engine.errors import RuleError

    with pytest.raises(RuleError) as info:
        engine_for(tmp_path, [rec("R1", {"fact": "stage", "equals": "installation"}, addresses=["role_unclear"])])
    problem = info.value.problems[0]
    assert "unknown problem tag 'role_unclear'" in problem.message and "roles_unclear" in problem.hint
