"""The field registry (engine/model/fields.py) against everything made from it: a field missing anywhere fails."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from engine.model.case import Case
from engine.model.facts import FACTS, SITE_SECTIONS
from engine.model.fields import BY_PATH, FIELDS, OWN_DECLARATIONS, SECTIONS


def _model_paths() -> set[str]:
    """Every leaf path of the case model, sections joined by '.', bar those with their own declarations."""
    out: set[str] = set()
    for name, info in Case.model_fields.items():
        if name in OWN_DECLARATIONS:
            continue
        sub = None
        for arg in getattr(info.annotation, "__args__", (info.annotation,)):
            if isinstance(arg, type) and hasattr(arg, "model_fields") and name not in ("people", "events", "assets"):
                sub = arg
        if sub is None:
            out.add(name)
        else:
            out |= {f"{name}.{key}" for key in sub.model_fields}
    return out


def test_every_case_field_is_in_the_registry_and_nothing_else() -> None:
    assert _model_paths() == set(BY_PATH)
    assert len(FIELDS) == len(BY_PATH)  # no path declared twice


def test_every_case_fact_is_declared() -> None:
    case_facts = {p for p in FACTS if not p.startswith("cfir.") and p.split(".", 1)[0] not in SITE_SECTIONS}
    assert case_facts <= set(BY_PATH)


def test_the_interview_asks_every_field_and_only_registry_fields() -> None:
    from engine.practitioner.questions import CASE_ID, QUICK_PATHS, quick_sections, sections

    asked = [q.path for s in sections() for q in s.questions if not q.path.startswith("cfir.")]
    assert asked == [f.path for f in FIELDS if f.prompt]  # the registry's order
    assert set(asked) | {CASE_ID.path} == set(BY_PATH)  # every field (case_id is asked apart)
    assert QUICK_PATHS == tuple(f.path for f in FIELDS if f.quick)
    quick = [q.path for s in quick_sections() for q in s.questions if not q.path.startswith("quick.")]
    assert quick == list(QUICK_PATHS)
    section_keys = {s.key for s in SECTIONS}
    assert all(f.section in section_keys for f in FIELDS)


def test_every_field_has_its_help_in_the_glossary_and_the_interview() -> None:
    from engine.practitioner import glossary
    from engine.practitioner.questions import sections

    for f in FIELDS:
        assert glossary.QUESTION_HELP[f.path] == f.help and len(f.help) > 20, f.path
    for s in sections():
        for q in s.questions:
            if not q.path.startswith("cfir."):
                assert q.explain().startswith(BY_PATH[q.path].help)


def test_csv_columns_are_the_registry_fields_and_each_is_read() -> None:
    from engine.io.inputs import CSV_COLUMNS, row_data

    csv_fields = [f.path for f in FIELDS if f.csv]
    assert [c for c in CSV_COLUMNS if not c.startswith("cfir.")] == csv_fields
    sample = {
        "case_id": "c1",
        "site": "A clinic",
        "innovation": "X",
        "setting": "health_care",
        "stage": "installation",
        "assessed_on": "2026-03-02",
        "assessed_by": "ISP; manager",
        "challenge.type": "adaptive",
        "challenge.summary": "Roles are unclear.",
        "problem.tags": "roles_unclear; workload",
        "engagement.level": "consult",
        "engagement.target": "involve",
        "power.differential": "high",
        "power.decision_making": "solo_leader",
        "relationships.trust": "low",
        "leadership.transition": "true",
        "leadership.emerging_leaders": "false",
        "equity.priority_populations": "older adults; rural youth",
        "equity.disparities_identified": "true",
        "equity.structural_racism_acknowledged": "false",
        "equity.community_defined_evidence": "false",
        "equity.cultural_adaptation": "none",
        "equity.tribal_sovereignty": "false",
        "scope.sites": "3",
        "notes": "A note.",
    }
    for f in FIELDS:
        if f.csv:
            sample.setdefault(f.path, "low" if f.path.startswith("capacity") else sample.get(f.path, ""))
    assert set(sample) == set(csv_fields)
    data = row_data(list(sample), list(sample.values()))
    case = Case.model_validate(data)
    assert case.problem is not None and case.problem.tags == ["roles_unclear", "workload"]
    assert case.assessed_by == ["ISP", "manager"] and case.scope is not None and case.scope.sites == 3


@pytest.mark.parametrize("column", ["people", "events", "assets"])
def test_a_record_column_in_a_csv_is_refused_with_a_hint(tmp_path: Path, column: str) -> None:
    from engine.errors import CaseError
    from engine.io.inputs import check_header

    path = tmp_path / "p.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerow(["case_id", column])
    with pytest.raises(CaseError) as info:
        check_header(path)
    assert "YAML or JSON" in info.value.problems[0].hint


def test_the_report_shows_every_field_by_its_label() -> None:
    from engine import load_case
    from engine.render.casesummary import NOT_STATED, case_rows

    case = load_case(ROOT / "cases" / "riverside-fqhc.yaml")
    rows = dict(case_rows(case))
    assert list(rows) == [f.label for f in FIELDS]
    assert rows["Under a Tribal Nation's authority"] == NOT_STATED  # shown, and shown as not stated
    assert "medical director (leadership, supportive, leaving 2026-05-01)" in rows["People"]
    assert rows["Problem"].startswith("roles unclear; workflow not fitted")


def test_the_case_schema_takes_labels_and_help_from_the_registry() -> None:
    from engine.authoring.schema import json_schema

    schema = json_schema("case")
    defs = schema["$defs"]
    for f in FIELDS:
        section, _, key = f.path.partition(".")
        prop = schema["properties"][section]
        if key:
            ref = next(o["$ref"] for o in prop["anyOf"] if "$ref" in o)
            prop = defs[ref.rsplit("/", 1)[1]]["properties"][key]
        assert prop["title"] == f.label and prop["description"] == f.help, f.path
    committed = json.loads((ROOT / "docs" / "schemas" / "case.schema.json").read_text(encoding="utf-8"))
    assert committed == schema


def test_the_docs_field_table_is_current() -> None:
    from engine.render.casefields import docs_table

    text = (ROOT / "docs" / "case-fields.md").read_text(encoding="utf-8")
    assert text == docs_table(), "run: python scripts/case_fields_doc.py"
    for f in FIELDS:
        assert f"| `{f.path}` |" in text


def test_the_interview_reads_people_tags_events_and_assets() -> None:
    from engine.practitioner.questions import InvalidAnswer, field_question

    people = field_question(BY_PATH["people"])
    assert people.convert("Dr. Ortiz, medical director: leadership; care managers: frontline staff") == [
        {"name": "Dr. Ortiz", "role": "medical director", "group": "leadership"},
        {"role": "care managers", "group": "frontline_staff"},
    ]
    with pytest.raises(InvalidAnswer, match="did you mean 'frontline_staff'"):
        people.convert("nurses: frontlin_staff")
    tags = field_question(BY_PATH["problem.tags"])
    assert tags.convert("roles unclear; workload") == ["roles_unclear", "workload"]
    events = field_question(BY_PATH["events"])
    assert events.convert("launch 2026-04-01") == [{"kind": "launch", "on": "2026-04-01"}]
    with pytest.raises(InvalidAnswer, match="not a date"):
        events.convert("launch 2026-13-01")
    assets = field_question(BY_PATH["assets"])
    assert assets.convert("existing meeting: Monday huddle") == [
        {"kind": "existing_meeting", "summary": "Monday huddle"}
    ]
    shown: Any = people.show([{"name": "Dr. Ortiz", "role": "medical director", "group": "leadership"}])
    assert shown == "Dr. Ortiz, medical director: leadership"


def test_an_interview_from_a_case_asks_the_questions_its_words_raise_first(tmp_path: Path) -> None:
    import yaml

    from engine.practitioner.interview import run_interview
    from tests.helpers import Scripted

    src = tmp_path / "tribal.yaml"
    data = yaml.safe_load((ROOT / "cases" / "red-cedar-tribal-youth.yaml").read_text(encoding="utf-8"))
    data.setdefault("equity", {}).pop("tribal_sovereignty", None)
    src.write_text(yaml.safe_dump(data), encoding="utf-8")

    class Recording(Scripted):
        prompts: list[str] = []

        def ask(self, question: Any, default: str) -> Any:
            self.prompts.append(question.prompt)
            return super().ask(question, default)

    from engine import load_case
    from engine.practitioner.interview import InterviewStopped

    con = Recording(["y"])  # the first question asked, then the input ends
    with pytest.raises(InterviewStopped):
        run_interview(con, start=load_case(src), output=tmp_path / "out.yaml", from_path=src)
    assert "Tribal Nation's authority" in con.prompts[0]
    assert load_case(tmp_path / "out.yaml").equity.tribal_sovereignty is True  # type: ignore[union-attr]


def test_csv_io_helper_is_not_confused_by_list_cells() -> None:
    from engine.io.inputs import row_data

    data = row_data(["case_id", "problem.tags"], ["x", "workload;;  skills_gap "])
    assert data == {"case_id": "x", "problem": {"tags": ["workload", "skills_gap"]}}


def test_enter_on_a_list_of_records_keeps_what_the_prompt_does_not_show(tmp_path: Path) -> None:
    import yaml

    from engine import load_case
    from engine.practitioner.interview import InterviewStopped, run_interview
    from tests.helpers import Scripted

    src = tmp_path / "r.yaml"
    src.write_text(
        yaml.safe_dump(
            {
                "case_id": "r",
                "assessed_on": "2026-03-02",
                "people": [
                    {
                        "role": "medical director",
                        "group": "leadership",
                        "stance": "supportive",
                        "status": "leaving",
                        "until": "2026-05-01",
                    }
                ],
                "events": [{"kind": "critical_incident", "on": "2026-02-20", "summary": "A nurse was assaulted."}],
            }
        )
    )
    con = Scripted([""] * 60)  # Enter on every question, then the input ends
    with pytest.raises(InterviewStopped):
        run_interview(con, start=load_case(src), output=tmp_path / "out.yaml", from_path=src)
    case = load_case(tmp_path / "out.yaml")
    assert case.people is not None and case.people[0].until == "2026-05-01" and case.people[0].stance == "supportive"
    assert case.events is not None and case.events[0].summary == "A nurse was assaulted."


def test_every_people_group_belongs_to_a_perspective_group() -> None:
    from engine.model.facts import GROUPS
    from engine.model.sitevocab import GROUP_PERSPECTIVE, PEOPLE_GROUPS

    assert set(GROUP_PERSPECTIVE) == set(PEOPLE_GROUPS)
    assert set(GROUP_PERSPECTIVE.values()) <= set(GROUPS)
    assert GROUP_PERSPECTIVE["frontline_staff"] == GROUP_PERSPECTIVE["supervisors"] == "staff"
    assert GROUP_PERSPECTIVE["funder"] == "funders" and GROUP_PERSPECTIVE["community_organization"] == "partners"
