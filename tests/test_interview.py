"""The interview: answers checked as typed, saved after each one, resumable, never clobbering files."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES

from cli import main
from engine import load_case
from engine.model import vocabulary as v
from engine.practitioner import glossary
from engine.practitioner.interview import (
    CLEAR,
    HELP,
    REST,
    SKIP,
    SUBS,
    InterviewStopped,
    InvalidAnswer,
    cfir_question,
    run_interview,
    sections,
)
from tests.helpers import Scripted as ScriptedBase

RULES = ["--rules", str(FIXTURES / "practitioner")]

# One complete session: every answer in the order asked, with a comment saying which question.
SESSION = [
    "Riverside FQHC",  # case id: invalid (space), asked again
    "riverside",  # case id
    "Riverside CHC",  # site
    "Collaborative care",  # innovation
    "1",  # setting: health_care by number
    "inst",  # stage: unique prefix of installation
    "?",  # challenge type: explain technical vs adaptive
    "adaptve",  # not a choice (did you mean), asked again
    "adaptive",  # challenge type
    "",  # challenge summary: skipped
    "3",  # engagement now: consult
    "collaborate",  # engagement wanted
    "high",  # power differential
    "solo",  # decision making: prefix of solo_leader
    "low",  # trust
    "",  # intervention-specific capacity: skipped
    "moderate",  # general capacity
    "low",  # analytic capacity
    ".",  # adaptive capacity: skip rest of section
    "y",  # leadership transition
    "maybe",  # emerging leaders: not yes/no, asked again
    "n",  # emerging leaders
    "Spanish-speaking patients; uninsured adults",  # priority populations
    "y",
    "",
    "",
    "",
    "",  # disparities, racism, community evidence, cultural adaptation, Tribal authority
    "n",  # CFIR innovation: skip the whole domain
    "n",  # outer setting: skip
    "",  # inner setting: rate (default yes)
    "?",  # structural characteristics: definition
    "s",  # ... rate its subconstructs instead
    "-1",  # physical infrastructure
    ".",  # IT infrastructure: skip the rest of the subconstructs
    "+2",  # relational connections
    "7",  # communications: out of range, asked again
    "mixed",  # communications
    ".",  # culture: skip the rest of the domain
    "n",  # individuals: skip
    "y",  # process: rate
    "",
    "",
    "",
    "",
    "",
    "",
    "",  # teaming .. doing skipped
    "-2",  # reflecting & evaluating
    "",  # adapting
    "care managers: frontline_staff; Dr. Ortiz, medical director: leadership",  # people
    "whose job",  # problem tags: not a tag, asked again
    "roles unclear",  # problem tags
    ".",  # events and strengths: skip the rest of the section
    ".",  # scope and levels: skip
    "2026-03-02",  # assessed on
    "",  # assessed by
    "Met the director on 12 March",  # notes
]


def feed(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def test_a_full_session_writes_the_case_and_shows_recommendations(runner: Any, tmp_path: Path) -> None:
    with contextlib.chdir(tmp_path):
        res = runner.invoke(main, ["interview", *RULES], input=feed(SESSION))
        assert res.exit_code == 0, res.output
        case = load_case("riverside.yaml")
    assert case.case_id == "riverside"
    assert case.setting == "health_care" and case.stage == "installation"
    assert case.challenge is not None and case.challenge.type == "adaptive" and case.challenge.summary is None
    assert case.engagement is not None and (case.engagement.level, case.engagement.target) == ("consult", "collaborate")
    assert case.power is not None and case.power.decision_making == "solo_leader"
    assert case.capacity is not None and case.capacity.model_dump(exclude_none=True) == {
        "general": "moderate",
        "analytic": "low",
    }
    assert case.leadership is not None and (case.leadership.transition, case.leadership.emerging_leaders) == (
        True,
        False,
    )
    assert case.equity is not None and case.equity.priority_populations == [
        "Spanish-speaking patients",
        "uninsured adults",
    ]
    assert case.cfir == {
        "inner_setting.structural_characteristics.physical_infrastructure": -1,
        "inner_setting.relational_connections": 2,
        "inner_setting.communications": "mixed",
        "process.reflecting_evaluating": -2,
    }
    assert case.notes == "Met the director on 12 March"
    out = res.output
    assert "Error: 'Riverside FQHC' is not a valid case id" in out and "riverside-fqhc" in out
    assert "did you mean 'adaptive'?" in out
    assert "'maybe' is not an answer to a yes/no question" in out
    assert "'7' is not a rating" in out
    assert glossary.CHALLENGE_GLOSSES["technical"] in out
    assert glossary.CFIR_GLOSSES["inner_setting.structural_characteristics"] in out
    assert glossary.ENGAGEMENT_GLOSSES["collaborate"] in out
    # the recommendations for what was entered
    assert "Share decision-making with the people most affected" in out
    # the ending: Start here, then the commands that show the rest (issue 26), not the whole plan
    assert "Start here (the first 30 days)" in out and "isp-advisor plan riverside.yaml" in out
    assert "Coach the team on using its own data" not in out  # a Next item: shown by `recommend`
    assert "Wrote riverside.yaml" in out


def test_every_cfir_construct_and_subconstruct_has_a_gloss() -> None:
    assert set(glossary.CFIR_GLOSSES) == set(v.CFIR_IDS)
    assert all(len(text) > 20 for text in glossary.CFIR_GLOSSES.values())
    asked = {q.path for s in sections() for q in s.questions if q.kind == "rating"}
    assert asked == {f"cfir.{c}" for c in v.CFIR_CONSTRUCTS}


@pytest.mark.parametrize(
    "path, typed, expected",
    [
        ("stage", "2", "installation"),
        ("stage", "Full Implementation", "full_implementation"),
        ("engagement.level", "defer-to", "defer_to"),
        ("engagement.level", "col", "collaborate"),
        ("leadership.transition", "Yes", True),
        ("leadership.transition", "no", False),
        ("cfir.innovation.cost", "+1", 1),
        ("cfir.innovation.cost", "-2", -2),
        ("cfir.innovation.cost", "M", "mixed"),
        ("cfir.inner_setting.culture", "s", SUBS),
        ("stage", "", SKIP),
        ("stage", "-", CLEAR),
        ("stage", "?", HELP),
        ("stage", ".", REST),
        ("equity.priority_populations", "a; b ;", ["a", "b"]),
    ],
)
def test_answers_convert_to_case_values(path: str, typed: str, expected: Any) -> None:
    assert _question(path).convert(typed) == expected


@pytest.mark.parametrize(
    "path, typed, fragment",
    [
        ("stage", "in", "'in' is not one of the choices"),  # ambiguous prefix
        ("stage", "9", "allowed: exploration, installation"),
        ("engagement.level", "colaborate", "did you mean 'collaborate'?"),
        ("cfir.innovation.cost", "3", "type -2, -1, 0, +1, +2 or mixed"),
        ("cfir.innovation.cost", "1.5", "is not a rating"),
        ("cfir.innovation.cost", "s", "is not a rating"),  # no subconstructs
        ("leadership.transition", "sometimes", "type y or n"),
        ("case_id", "", "a case id is required"),
        ("case_id", "My Site!", "e.g. my-site"),
    ],
)
def test_wrong_answers_are_refused_with_a_reason(path: str, typed: str, fragment: str) -> None:
    with pytest.raises(InvalidAnswer, match=None) as exc:
        _question(path).convert(typed)
    assert fragment in str(exc.value)


def _question(path: str) -> Any:
    from engine.practitioner.interview import CASE_ID

    if path == "case_id":
        return CASE_ID
    if path.startswith("cfir."):
        return cfir_question(path[5:])
    return next(q for s in sections() for q in s.questions if q.path == path)


def test_an_interrupted_session_keeps_every_answer_and_resumes(runner: Any, tmp_path: Path) -> None:
    with contextlib.chdir(tmp_path):
        # input ends (like Ctrl-C) in the middle of the engagement section
        res = runner.invoke(
            main,
            ["interview", "-o", "draft.yaml", *RULES],
            input=feed(["draft-site", "Draft clinic", "", "", "", "technical", "", "inform"]),
        )
        assert res.exit_code == 130
        assert "saved in draft.yaml" in res.output and "--from draft.yaml" in res.output
        assert "Traceback" not in res.output
        saved = yaml.safe_load(Path("draft.yaml").read_text())
        assert saved == {
            "case_id": "draft-site",
            "site": "Draft clinic",
            "challenge": {"type": "technical"},
            "engagement": {"level": "inform"},
        }
        # resume: it goes on at the first question never asked (engagement wanted), not at the ones
        # skipped with Enter (innovation, setting, stage, summary), and asks nothing already answered
        resume = [
            "involve",  # engagement wanted
            "",
            "",
            "",  # power and trust
            ".",  # capacity
            ".",  # leadership
            ".",  # equity
            "n",
            "n",
            "n",
            "n",
            "n",  # the five CFIR domains
            ".",
            ".",
            ".",  # people and problem, scope, this assessment
            "",
        ]  # notes
        res = runner.invoke(main, ["interview", "--from", "draft.yaml", *RULES], input=feed(resume))
        assert res.exit_code == 0, res.output
        assert "Resuming draft.yaml at Community engagement" in res.output
        assert "Case id" not in res.output and "Site (organisation" not in res.output
        assert "Engagement now" not in res.output
        case = load_case("draft.yaml")
        assert not Path(".draft.yaml.interview").exists()  # the progress file goes when the interview ends
    assert case.engagement is not None and (case.engagement.level, case.engagement.target) == ("inform", "involve")
    assert case.site == "Draft clinic" and case.challenge is not None and case.challenge.type == "technical"
    assert "Move community engagement toward the target" in res.output


def test_clearing_a_value_with_dash_removes_it(runner: Any, tmp_path: Path) -> None:
    start = tmp_path / "c.yaml"
    start.write_text("case_id: c1\nsite: Old name\nstage: exploration\n")
    # it resumes at innovation (the first question without an answer); '<' goes back to the site
    answers = ["<", "-", "", "", "-"] + ["."] * 6 + ["n"] * 5 + ["."] * 3 + [""]
    res = runner.invoke(main, ["interview", "--from", str(start), *RULES], input=feed(answers))
    assert res.exit_code == 0, res.output
    assert load_case(start).model_dump(exclude_none=True) == {"case_id": "c1"}


def test_an_existing_output_file_is_not_replaced_without_force(runner: Any, tmp_path: Path) -> None:
    target = tmp_path / "taken.yaml"
    target.write_text("case_id: precious\n")
    res = runner.invoke(main, ["interview", "-o", str(target), *RULES], input="x\n")
    assert res.exit_code == 2
    assert "already exists" in res.output and "--force" in res.output
    assert "Case id" not in res.output  # refused before any question
    assert target.read_text() == "case_id: precious\n"


def test_the_default_file_name_asks_before_replacing(runner: Any, tmp_path: Path) -> None:
    with contextlib.chdir(tmp_path):
        Path("site-a.yaml").write_text("case_id: keep-me\n")
        res = runner.invoke(main, ["interview", *RULES], input=feed(["site-a", "n"]))
        assert res.exit_code == 2
        assert "site-a.yaml already exists. Replace it?" in res.output
        assert Path("site-a.yaml").read_text() == "case_id: keep-me\n"


def test_force_replaces_and_writes_a_valid_case(runner: Any, tmp_path: Path) -> None:
    target = tmp_path / "taken.yaml"
    target.write_text("case_id: old\n")
    answers = ["new-id"] + ["."] * 7 + ["n"] * 5 + ["."] * 3 + [""]
    res = runner.invoke(main, ["interview", "-o", str(target), "--force", *RULES], input=feed(answers))
    assert res.exit_code == 0, res.output
    assert load_case(target).case_id == "new-id"


def test_a_broken_from_file_is_reported_like_recommend(runner: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("case_id: x\nstage: instalation\n")
    res = runner.invoke(main, ["interview", "--from", str(bad), *RULES])
    assert res.exit_code == 2
    assert "bad.yaml:2: stage: 'instalation' is not allowed (did you mean 'installation'?" in res.output


class Scripted(ScriptedBase):
    """The scripted console; yes/no questions are answered from the list too."""

    def confirm(self, text: str, default: bool) -> bool:
        answer = self.ask(_question("leadership.transition"), "y" if default else "n")
        return bool(answer)


def test_the_file_on_disk_is_a_valid_case_after_every_answer(tmp_path: Path) -> None:
    out = tmp_path / "c.yaml"
    answers = ["c1", "Site", "Innovation", "2", "5"]
    seen = []
    for n in range(1, len(answers) + 1):
        if out.exists():
            out.unlink()
        with pytest.raises(InterviewStopped) as stop:
            run_interview(Scripted(answers[:n]), output=out)
        assert stop.value.path == out
        seen.append(load_case(out).model_dump(exclude_none=True))
    assert seen[-1] == {
        "case_id": "c1",
        "site": "Site",
        "innovation": "Innovation",
        "setting": "behavioral_health",
        "stage": "sustainment",
    }
    assert [len(s) for s in seen] == [1, 2, 3, 4, 5]


def test_stopping_before_the_case_id_saves_nothing(tmp_path: Path) -> None:
    with pytest.raises(InterviewStopped) as stop:
        run_interview(Scripted([]), output=tmp_path / "x.yaml")
    assert stop.value.path is None and "nothing was saved" in str(stop.value)
    assert not (tmp_path / "x.yaml").exists()


def test_the_installed_script_runs_an_interview(tmp_path: Path) -> None:
    exe = shutil.which("isp-advisor")
    if exe is None:
        pytest.skip("isp-advisor is not installed (pip install -e .)")
    answers = (
        ["scripted", "Clinic", "", "", "2", "mixed", "", "consult", "involve"]
        + ["."] * 4
        + ["n"] * 5
        + ["."] * 3
        + [""]
    )
    proc = subprocess.run(
        [exe, "interview", "-o", "s.yaml", *RULES],
        input=feed(answers),
        text=True,
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
        env={**os.environ, "ISP_ADVISOR_RULES": ""},
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    case = load_case(tmp_path / "s.yaml")
    assert case.stage == "installation" and case.challenge is not None and case.challenge.type == "mixed"
    assert "Start here (the first 30 days)" in proc.stdout and "isp-advisor plan s.yaml" in proc.stdout


# A whole session that skips everything after the case id (sections with '.', CFIR domains with n).
SKIP_ALL = ["."] * 7 + ["n"] * 5 + ["."] * 3 + [""]


def test_a_json_output_file_gets_json(runner: Any, tmp_path: Path) -> None:
    import json

    target = tmp_path / "x.json"
    answers = ["json-case", "Clinic", "", "", "2"] + ["."] * 6 + ["n"] * 5 + ["."] * 3 + [""]
    res = runner.invoke(main, ["interview", "-o", str(target), *RULES], input=feed(answers))
    assert res.exit_code == 0, res.output
    text = target.read_text()
    assert not text.startswith("#")
    data = json.loads(text)
    assert data == {"case_id": "json-case", "site": "Clinic", "stage": "installation"}
    assert list(data) == ["case_id", "site", "stage"]  # contract order, as in the YAML
    assert text == json.dumps(data, indent=2) + "\n"
    assert load_case(target).stage == "installation"


def test_a_json_from_file_is_edited_in_place_as_json(runner: Any, tmp_path: Path) -> None:
    import json

    start = tmp_path / "case.json"
    start.write_text('{"case_id": "c1", "site": "Old name"}\n')
    answers = ["<", "New name", "", "", "install"] + ["."] * 6 + ["n"] * 5 + ["."] * 3 + [""]
    res = runner.invoke(main, ["interview", "--from", str(start), *RULES], input=feed(answers))
    assert res.exit_code == 0, res.output
    assert json.loads(start.read_text()) == {"case_id": "c1", "site": "New name", "stage": "installation"}
    # and the next load works, which is the point
    res = runner.invoke(main, ["interview", "--from", str(start), *RULES], input=feed(SKIP_ALL))
    assert res.exit_code == 0, res.output
    assert load_case(start).site == "New name"


def test_yaml_is_still_written_for_other_names(tmp_path: Path) -> None:
    from engine.io.casewriter import write_case

    for name in ("c.yaml", "c.yml", "c"):
        write_case(tmp_path / name, {"case_id": "c1", "stage": "installation"})
        assert (tmp_path / name).read_text().startswith("# ISP Advisor case file")
        assert yaml.safe_load((tmp_path / name).read_text()) == {"case_id": "c1", "stage": "installation"}


def test_stopping_at_replace_it_does_not_claim_the_other_file(runner: Any, tmp_path: Path) -> None:
    with contextlib.chdir(tmp_path):
        Path("site-a.yaml").write_text("case_id: keep-me\n")
        # input ends (like Ctrl-C) at "site-a.yaml already exists. Replace it?"
        res = runner.invoke(main, ["interview", *RULES], input=feed(["site-a"]))
        assert res.exit_code == 130
        assert "site-a.yaml already exists. Replace it?" in res.output
        assert "saved in" not in res.output and "--from site-a.yaml" not in res.output
        assert "nothing was saved" in res.output
        assert Path("site-a.yaml").read_text() == "case_id: keep-me\n"
        with pytest.raises(InterviewStopped) as stop:
            run_interview(Scripted(["site-a"]))
        assert stop.value.path is None
        assert Path("site-a.yaml").read_text() == "case_id: keep-me\n"


def test_stopping_after_the_first_save_still_says_where(tmp_path: Path) -> None:
    with contextlib.chdir(tmp_path):
        Path("site-a.yaml").write_text("case_id: keep-me\n")
        with pytest.raises(InterviewStopped) as stop:
            run_interview(Scripted(["site-a", "y"]))  # replace it: from then on the file is ours
        assert stop.value.path == Path("site-a.yaml") and "--from site-a.yaml" in str(stop.value)
        assert load_case("site-a.yaml").case_id == "site-a"


@pytest.mark.parametrize(
    "path, typed",
    [
        ("leadership.transition", "1"),
        ("leadership.transition", "0"),
        ("leadership.transition", "TRUE"),
        ("leadership.transition", "y"),
        ("leadership.transition", "No"),
        ("cfir.innovation.cost", "+1"),
        ("cfir.innovation.cost", "-2"),
        ("cfir.innovation.cost", "Mixed"),
        ("cfir.innovation.cost", "m"),
        ("equity.priority_populations", "a; b ;"),
    ],
)
def test_the_interview_and_whatif_read_values_alike(path: str, typed: str) -> None:
    from engine.model.facts import parse_value
    from engine.practitioner.whatif import parse_assignment

    value = parse_value(path, typed)
    assert _question(path).convert(typed) == value
    assert parse_assignment(f"{path}={typed}").value == value


# ---------------------------------------------------------------- issue 15: ?, <, progress, resume, --quick


def _all_questions() -> list[Any]:
    from engine.practitioner.interview import BARRIERS, CASE_ID, FACILITATORS, gate_question

    qs = [CASE_ID, BARRIERS, FACILITATORS, cfir_question("innovation.cost", -1), cfir_question("innovation.cost", 1)]
    for s in sections():
        qs += list(s.questions)
        if s.domain:
            qs.append(gate_question(s))
    return qs


@pytest.mark.parametrize("q", _all_questions(), ids=lambda q: q.path)
def test_question_mark_explains_every_question(q: Any) -> None:
    assert q.convert("?") is HELP and q.convert(" ? ") is HELP
    text = q.explain()
    assert "'<' goes back" in text
    assert len(text.splitlines()[0]) > 30, "each question says what it means, not only the keys"


def test_question_mark_is_never_saved_as_an_answer(runner: Any, tmp_path: Path) -> None:
    target = tmp_path / "q.yaml"
    answers = (
        [
            "?",
            "qm",
            "?",
            "Clinic",
            "?",
            "",
            "?",
            "",
            "?",
            "2",  # case id, site, innovation, setting, stage
            "?",
            "mixed",
            "?",
            "",  # challenge type, summary
            "3",
            "4",
            "",
            "",
            "",
            ".",
            "?",
            "y",
            ".",  # ... leadership transition: ? then y
            "?",
            "A; B",
            "?",
            "y",
            "?",
            "n",
            ".",  # equity list and yes/no
            "?",
            "y",
            "?",
            "+1",
            ".",
        ]
        + ["n"] * 4
        + ["."] * 3
        + ["?", "Notes here"]
    )  # a CFIR gate and rating; notes
    res = runner.invoke(main, ["interview", "-o", str(target), *RULES], input=feed(answers))
    assert res.exit_code == 0, res.output
    assert "is not an answer" not in res.output and "Error" not in res.output
    data = yaml.safe_load(target.read_text())
    assert data == {
        "case_id": "qm",
        "site": "Clinic",
        "stage": "installation",
        "challenge": {"type": "mixed"},
        "cfir": {"innovation.source": 1},
        "engagement": {"level": "consult", "target": "involve"},
        "leadership": {"transition": True},
        "equity": {
            "priority_populations": ["A", "B"],
            "disparities_identified": True,
            "structural_racism_acknowledged": False,
        },
        "notes": "Notes here",
    }
    assert "?" not in target.read_text().split("\n", 2)[2]
    assert glossary.QUESTION_HELP["equity.structural_racism_acknowledged"] in res.output
    assert glossary.QUESTION_HELP["site"] in res.output


def _prompts(said: list[str]) -> list[str]:
    return [s for s in said if s.startswith("PROMPT ")]


class Recording(Scripted):
    """A scripted console that also records each prompt as shown."""

    def ask(self, question: Any, default: str) -> Any:
        self.said.append(f"PROMPT {question.prompt} [{default}]")
        return super().ask(question, default)


def test_every_prompt_says_where_it_is(tmp_path: Path) -> None:
    con = Recording(
        [
            "p1",
            "Site",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "y",
            "-1",
        ]
    )
    with pytest.raises(InterviewStopped):
        run_interview(con, output=tmp_path / "p.yaml")
    prompts = _prompts(con.said)
    assert prompts[0].startswith("PROMPT [Case · 1 of ~")
    assert prompts[1].startswith("PROMPT [Site and innovation · 2 of ~")
    assert all(re.match(r"PROMPT \[[^]]+ · \d+ of ~\d+\] ", p) for p in prompts)
    assert any(p.startswith("PROMPT [Innovation · ") and "Innovation Source" in p for p in prompts)
    numbers = [int(re.search(r" (\d+) of", p).group(1)) for p in prompts]  # type: ignore[union-attr]
    assert numbers == list(range(1, len(prompts) + 1))


def test_back_goes_to_the_previous_question_and_changes_its_answer(tmp_path: Path) -> None:
    out = tmp_path / "b.yaml"
    con = Recording(["b1", "Wrong site", "<", "Right site", "Innov", "<", "<", "", "", "1", "<", "", "2", "."])
    with pytest.raises(InterviewStopped):
        run_interview(con, output=out)
    assert load_case(out).model_dump(exclude_none=True) == {
        "case_id": "b1",
        "site": "Right site",
        "innovation": "Innov",
        "setting": "health_care",
        "stage": "installation",
    }
    prompts = [p.split("] ", 1)[1] for p in _prompts(con.said)]
    assert prompts[1:7] == [
        "Site (organisation or team) []",
        "Innovation (what is being implemented) []",
        "Site (organisation or team) [Wrong site]",
        "Innovation (what is being implemented) []",
        "Setting []",
        "Innovation (what is being implemented) [Innov]",
    ]
    assert prompts[7] == "Site (organisation or team) [Right site]"
    # '<' at the first question after the case id says so instead of leaving the interview
    con = Recording(["b2", "<"])
    with pytest.raises(InterviewStopped):
        run_interview(con, output=tmp_path / "b2.yaml", force=True)
    assert "This is the first question." in con.said


def test_resume_after_stopping_mid_domain_asks_the_constructs_never_reached(tmp_path: Path) -> None:
    out = tmp_path / "mid.yaml"
    innovation = [q.path for q in sections()[7].questions]
    assert innovation[:4] == [
        "cfir.innovation.source",
        "cfir.innovation.evidence_base",
        "cfir.innovation.relative_advantage",
        "cfir.innovation.adaptability",
    ]
    first = ["mid", *["."] * 7, "y", "+1", "", "-1"]  # rate source, skip evidence (Enter), rate advantage, stop
    with pytest.raises(InterviewStopped) as stop:
        run_interview(Recording(first), output=out)
    assert stop.value.path == out
    assert load_case(out).cfir == {"innovation.source": 1, "innovation.relative_advantage": -1}
    con = Recording(["+2"])
    with pytest.raises(InterviewStopped):
        run_interview(con, start=load_case(out), from_path=out)
    [resumed] = [s for s in con.said if s.startswith("Resuming")]
    assert "at CFIR: Innovation" in resumed
    first_prompt = _prompts(con.said)[0]
    assert "Innovation Adaptability" in first_prompt, "not the construct skipped with Enter, nor a 'Change?' gate"
    assert load_case(out).cfir == {
        "innovation.source": 1,
        "innovation.relative_advantage": -1,
        "innovation.adaptability": 2,
    }
    # without the progress file (a case written by hand) it resumes at the first question without a value
    (tmp_path / ".mid.yaml.interview").unlink()
    con = Recording([])
    with pytest.raises(InterviewStopped):
        run_interview(con, start=load_case(out), from_path=out)
    assert "Site (organisation or team)" in _prompts(con.said)[0]


QUICK = [
    "qk",
    "Quick Clinic",
    "Depression care",
    "inst",
    "adaptive",
    "consult",
    "collaborate",
    "high",
    "solo",
    "low",
    "",
    "moderate",
    "low",
    "",
    "Spanish-speaking patients",
    "y",
    "n",
    "complexty",  # did you mean, asked again
    "complexity; available resources",  # two barriers
    "-3",  # not a barrier rating, asked again
    "-2",
    "",  # complexity -2, available resources: Enter keeps -1
    "tension for change, complexity",  # complexity is a barrier already: left out
    "+2",
]


def test_quick_mode_asks_the_core_facts_and_rates_only_named_constructs(runner: Any, tmp_path: Path) -> None:
    target = tmp_path / "quick.yaml"
    res = runner.invoke(main, ["interview", "--quick", "-o", str(target), *RULES], input=feed(QUICK))
    assert res.exit_code == 0, res.output
    case = load_case(target)
    assert case.cfir == {
        "innovation.complexity": -2,
        "inner_setting.available_resources": -1,
        "inner_setting.tension_for_change": 2,
    }
    assert case.stage == "installation" and case.power is not None and case.power.decision_making == "solo_leader"
    assert case.capacity is not None and case.capacity.model_dump(exclude_none=True) == {
        "general": "moderate",
        "analytic": "low",
    }
    assert case.equity is not None and case.equity.structural_racism_acknowledged is False
    out = res.output
    assert "did you mean 'Innovation Complexity' (innovation.complexity)?" in out
    assert "'-3' is not a rating for a barrier: type -1 or -2" in out
    assert "Named on both sides" in out
    # no full-mode question is asked (the plan's closing "not stated" line may name the fields)
    assert case.site == "Quick Clinic" and case.innovation == "Depression care"  # the report's title (issue 26)
    assert "Rate them?" not in out and not re.search(r"\[Leadership ·", out)
    assert len(re.findall(r"\[[^]]+ · \d+ of ~\d+\]", out)) == len(QUICK)  # every prompt, re-asks too
    assert "Wrote " in out and not (tmp_path / ".quick.yaml.interview").exists()


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("complexity", "innovation.complexity"),
        ("Innovation Complexity", "innovation.complexity"),
        ("inner_setting.available_resources", "inner_setting.available_resources"),
        ("available-resources", "inner_setting.available_resources"),
        ("Innovation Sauce", None),
        ("IT infrastructure", "inner_setting.structural_characteristics.it_infrastructure"),
        ("Information Technology Infrastructure", "inner_setting.structural_characteristics.it_infrastructure"),
        ("tension for change", "inner_setting.tension_for_change"),
    ],
)
def test_construct_names_and_ids_are_understood(typed: str, expected: str | None) -> None:
    from engine.practitioner.interview import construct_id

    if expected is None:
        with pytest.raises(InvalidAnswer):
            construct_id(typed)
    else:
        assert construct_id(typed) == expected


def test_an_ambiguous_or_unknown_construct_is_refused_with_choices() -> None:
    from engine.practitioner.interview import construct_id

    with pytest.raises(InvalidAnswer, match="could be .*process.assessing_needs.deliverers.*type the id"):
        construct_id("deliverers")
    with pytest.raises(InvalidAnswer, match="is not a CFIR construct.*type \\? to list them"):
        construct_id("weather")


def test_a_quick_interview_resumes_as_quick(tmp_path: Path) -> None:
    out = tmp_path / "qr.yaml"
    with pytest.raises(InterviewStopped) as stop:
        run_interview(Recording(QUICK[:19]), output=out, quick=True)  # stopped at the first barrier's rating
    assert "--quick" in str(stop.value)
    con = Recording(["-1", "", "", ""])
    case, _ = run_interview(con, start=load_case(out), from_path=out)
    assert case.cfir == {"innovation.complexity": -1, "inner_setting.available_resources": -1}
    assert "Innovation Complexity (barrier" in _prompts(con.said)[0]


def test_bytes_that_are_not_utf8_are_refused_not_saved(tmp_path: Path) -> None:
    out = tmp_path / "u.yaml"
    con = Recording(["u1", "Caf\udce9", "Café"])
    with pytest.raises(InterviewStopped):
        run_interview(con, output=out)
    assert any("not UTF-8" in s for s in con.said)
    assert load_case(out).site == "Café"
    assert "\\udc" not in out.read_text().lower() and "Caf\udce9" not in out.read_text(errors="surrogateescape")


@pytest.mark.parametrize("encoding", ["utf-8:strict", "utf-8:surrogateescape"])
def test_the_installed_script_refuses_bytes_that_are_not_utf8(tmp_path: Path, encoding: str) -> None:
    exe = shutil.which("isp-advisor")
    if exe is None:
        pytest.skip("isp-advisor is not installed (pip install -e .)")
    proc = subprocess.run(
        [exe, "interview", "-o", "u.yaml", *RULES],
        input=b"u1\nCaf\xe9\nCafe\n",
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
        env={**os.environ, "ISP_ADVISOR_RULES": "", "PYTHONIOENCODING": encoding},
    )
    assert proc.returncode == 130, proc.stderr  # input ends after the site: stopped, answers saved
    assert b"not UTF-8 text" in proc.stdout + proc.stderr and b"Traceback" not in proc.stderr
    assert load_case(tmp_path / "u.yaml").site == "Cafe"
