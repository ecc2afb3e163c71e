"""Issue 26, the rough edges a new user met: how the interview ends, what `--quick` asks, and the
terminal plan in plain words (rule ids only under --explain)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli import main
from engine import load_case
from engine.model.results import Result
from engine.practitioner.interview import closing_lines, run_interview
from engine.render.plantext import held_line, plan_refs, reasons_line
from tests.conftest import CASES, FIXTURES
from tests.helpers import Scripted

RULES = ["--rules", str(FIXTURES / "practitioner")]
RIVERSIDE = CASES / "riverside-fqhc.yaml"
RED_CEDAR = CASES / "red-cedar-tribal-youth.yaml"


def feed(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def rule_ids(result: Result) -> set[str]:
    """Every rule id a result could print: placed items, merged and folded rules, held-back items."""
    ids: set[str] = set()
    for rec, place in result.placed():
        ids.update(rec.rule_ids)
        ids.update(r for a in place.also for r in a.rule_ids)
    if result.plan is not None:
        ids.update(h.rule_id for h in result.plan.held_back)
    return ids


def ids_in(text: str, ids: set[str]) -> set[str]:
    """The rule ids that occur in `text` as whole tokens (after undoing the wrapping of long ids)."""
    flat = re.sub(r"([-.])\s*\n[\s|]*", r"\1", text)
    return {i for i in ids if re.search(rf"(?<![\w.-]){re.escape(i)}(?![\w-])", flat)}


# ---------------------------------------------------------------- the interview's ending


def _interview_riverside(runner: Any, tmp_path: Path) -> tuple[str, Path]:
    """Resume the shipped Riverside case, answer the question it raises, skip everything else."""
    case = tmp_path / "riverside.yaml"
    shutil.copyfile(RIVERSIDE, case)
    out = tmp_path / "out.yaml"
    res = runner.invoke(main, ["interview", "--from", str(case), "-o", str(out)], input=feed(["n"] + ["."] * 80))
    assert res.exit_code == 0, res.output
    return res.output, out


def test_the_interview_ends_with_start_here_and_the_commands_for_the_rest(
    runner: Any, tmp_path: Path, shipped_engine: Any
) -> None:
    output, written = _interview_riverside(runner, tmp_path)
    result = shipped_engine.evaluate(load_case(written))
    now = [rec.title for rec, place in result.placed() if place.horizon == "now"]
    assert len(now) == 5
    ending = output[output.index(f"Wrote {written}.") :].splitlines()
    assert len(ending) < 30, "the ending fits on one screen: nothing scrolls Start here away"
    assert "== Detail by category ==" not in output and "rule:" not in output
    # the Start-here items by title, in order, then the commands that show the rest, naming the file
    head = next(i for i, line in enumerate(ending) if line.startswith("Start here (the first 30 days)"))
    items = ending[head + 1 :]
    joined = " ".join(line.strip() for line in items)
    for n, title in enumerate(now, 1):
        assert f"{n}. {title}" in joined
    numbered = [line for line in items if re.match(r"\s+\d+\. ", line)]
    assert len(numbered) == 5
    last = ending[-3:]
    assert last[0].strip().startswith(f"isp-advisor recommend {written}")
    assert last[1].strip().startswith(f"isp-advisor plan {written}")
    assert f"isp-advisor recommend {written} --format html -o riverside-fqhc-report.html" in last[2]
    assert not ids_in("\n".join(ending), rule_ids(result))


def test_each_start_here_item_takes_one_or_two_lines_and_paths_are_quoted(shipped_engine: Any) -> None:
    result = shipped_engine.evaluate(load_case(RIVERSIDE))
    lines = closing_lines(result, "my cases/riverside.yaml", "riverside-fqhc", width=40)
    assert all(len(line) <= 40 for line in lines[: lines.index("")])
    starts = [i for i, line in enumerate(lines) if re.match(r"\s+\d+\. ", line)]
    assert len(starts) == 5
    spans = [b - a for a, b in zip(starts, [*starts[1:], lines.index("")], strict=True)]
    assert all(1 <= s <= 2 for s in spans), spans
    assert any(line.endswith("…") for line in lines), "a title longer than two lines is cut, visibly"
    assert lines[-3].strip().startswith("isp-advisor recommend 'my cases/riverside.yaml'")


def test_an_empty_plan_says_how_to_go_on() -> None:
    lines = closing_lines(Result(case_id="x", engine={}, recommendations=()), "x.yaml", "x")
    assert "No recommendations yet" in lines[0] and "isp-advisor interview --from x.yaml" in lines[1]
    assert lines[-2].strip().startswith("isp-advisor plan x.yaml")


# ---------------------------------------------------------------- --quick asks the names the report uses

QUICK = [
    "qk",
    "Riverside CHC",
    "Collaborative care",
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
    "complexity",
    "-2",
    "tension for change",
    "+2",
]


def test_quick_asks_the_site_and_the_program_and_writes_them(runner: Any, tmp_path: Path) -> None:
    target = tmp_path / "quick.yaml"
    res = runner.invoke(main, ["interview", "--quick", "-o", str(target), *RULES], input=feed(QUICK))
    assert res.exit_code == 0, res.output
    case = load_case(target)
    assert (case.site, case.innovation) == ("Riverside CHC", "Collaborative care")
    assert case.stage == "installation"
    assert case.cfir == {"innovation.complexity": -2, "inner_setting.tension_for_change": 2}
    saved = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert saved["site"] == "Riverside CHC" and saved["innovation"] == "Collaborative care"
    assert "Error" not in res.output


def test_quick_asks_the_names_right_after_the_case_id(tmp_path: Path) -> None:
    class Recording(Scripted):
        def ask(self, question: Any, default: str) -> Any:
            self.said.append(f"PROMPT {question.prompt}")
            return super().ask(question, default)

    con = Recording(["q2", "Westside Clinic", "Diabetes self-management"])
    with pytest.raises(Exception, match="interview stopped"):
        run_interview(con, output=tmp_path / "q2.yaml", quick=True)
    prompts = [s for s in con.said if s.startswith("PROMPT ")]
    assert prompts[1].startswith("PROMPT [Site and innovation · 2 of ~") and "Site" in prompts[1]
    assert prompts[2].startswith("PROMPT [Site and innovation · 3 of ~") and "Innovation" in prompts[2]
    case = load_case(tmp_path / "q2.yaml")
    assert (case.site, case.innovation) == ("Westside Clinic", "Diabetes self-management")


# ---------------------------------------------------------------- the plan in words


def test_an_item_that_waits_for_another_names_it_by_its_place(shipped_engine: Any) -> None:
    result = shipped_engine.evaluate(load_case(RIVERSIDE))
    refs = plan_refs(result)
    ids = rule_ids(result)
    waiting = [place for _, place in result.placed() if any(r["factor"] == "after" for r in place.reasons)]
    assert waiting
    for place in waiting:
        plain = reasons_line(place, refs)
        assert re.search(r"after item \d+", plain) and not ids_in(plain, ids)
        assert ids_in(reasons_line(place), ids), "without refs (--explain, the reports) the rule id stays"
    # every rule behind a placed item points at that item
    for rec, place in result.placed():
        assert {refs[r] for r in rec.rule_ids} == {f"item {place.rank}"}


@pytest.mark.parametrize("case", [RIVERSIDE, RED_CEDAR], ids=lambda p: p.stem)
def test_held_back_items_read_by_title_without_rule_ids(shipped_engine: Any, case: Path) -> None:
    result = shipped_engine.evaluate(load_case(case))
    assert result.plan is not None and result.plan.held_back
    refs, ids = plan_refs(result), rule_ids(result)
    for held in result.plan.held_back:
        plain = held_line(held, refs)
        assert plain.startswith(held.recommendation.title + ": ")
        assert not ids_in(plain, ids), plain
        assert held_line(held).startswith(held.rule_id + ": ")


@pytest.mark.parametrize("case", [RIVERSIDE, RED_CEDAR], ids=lambda p: p.stem)
def test_the_terminal_plan_names_no_rule_unless_explain_is_asked(runner: Any, shipped_engine: Any, case: Path) -> None:
    result = shipped_engine.evaluate(load_case(case))
    ids = rule_ids(result)
    plain = runner.invoke(main, ["recommend", str(case)])
    assert plain.exit_code == 0, plain.output
    explained = runner.invoke(main, ["recommend", str(case), "--explain"])
    assert explained.exit_code == 0, explained.output
    items = {r for rec, _ in result.placed() for r in rec.rule_ids}
    assert result.plan is not None
    items |= {h.rule_id for h in result.plan.held_back}
    assert ids_in(explained.output, ids) >= items, "--explain still names the rules behind each item"
    assert not ids_in(plain.output, ids)
    assert "rule:" not in plain.output and "merged)" not in plain.output
