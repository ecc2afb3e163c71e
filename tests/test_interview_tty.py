"""The interview on a real terminal: the installed `isp-advisor` script driven through a pty (pexpect).

Covers what only a terminal shows: '?' on a choice and a yes/no question, '<' back, a quick
interview from start to end, Ctrl-C in the middle of the CFIR ratings and `--from` resuming at
the construct never reached, a JSON output file, and bytes that are not UTF-8.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from engine.practitioner import glossary
from tests.conftest import FIXTURES

pexpect = pytest.importorskip("pexpect")

EXE = shutil.which("isp-advisor")
pytestmark = pytest.mark.skipif(EXE is None, reason="isp-advisor is not installed (pip install -e .)")
RULES = ["--no-shipped", "--rules", str(FIXTURES / "practitioner")]  # independent of edits to the shipped packs
ENV = {
    **os.environ,
    "ISP_ADVISOR_RULES": "",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "NO_COLOR": "1",
    "TERM": "dumb",
    "COLUMNS": "120",
}


def spawn(cwd: Path, *args: str) -> Any:
    assert EXE is not None
    return pexpect.spawn(
        EXE,
        ["interview", *args, *RULES],
        cwd=str(cwd),
        env=ENV,
        encoding="utf-8",
        codec_errors="replace",
        timeout=60,
        dimensions=(40, 120),
    )


def prompt(child: Any, text: str) -> None:
    """Wait for the prompt whose question contains `text` (after its '[Section · n of ~N]' progress)."""
    child.expect(r"\[[^\]\r\n]+ · \d+ of ~\d+\] [^\r\n]*" + re.escape(text) + r"[^\r\n]*: $")


def answer(child: Any, text: str, reply: str) -> None:
    prompt(child, text)
    child.sendline(reply)


def test_a_quick_interview_with_help_back_ctrl_c_and_resume(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--quick", "-o", "site.json")
    answer(child, "Case id", "tty-site")
    answer(child, "Site (organisation or team)", "Tty Clinic")  # the report's title (issue 26)
    answer(child, "Innovation (what is being implemented)", "Depression care")
    answer(child, "Implementation stage", "?")
    child.expect_exact(glossary.QUESTION_HELP["stage"])
    child.expect_exact("'<' goes back one question")
    answer(child, "Implementation stage", "inst")
    answer(child, "Challenge type", "adaptive")
    answer(child, "Engagement now", "consult")
    answer(child, "Engagement wanted", "<")  # back one question
    prompt(child, "Engagement now [consult]")
    child.sendline("")  # Enter keeps [consult]
    answer(child, "Engagement wanted", "collaborate")
    answer(child, "Power differential", "high")
    answer(child, "Who makes the decisions", "solo")
    answer(child, "Trust between", "low")
    for reply in ("", "moderate", "low", ""):  # the four capacities
        answer(child, "capacity", reply)
    prompt(child, "Priority populations")
    os.write(child.child_fd, b"Caf\xe9 patients\r")  # Latin-1 bytes, not UTF-8
    child.expect_exact("not UTF-8 text")
    answer(child, "Priority populations", "Café patients")
    answer(child, "Have disparities been identified?", "?")  # ? on a yes/no question
    child.expect_exact(glossary.QUESTION_HELP["equity.disparities_identified"])
    answer(child, "Have disparities been identified?", "y")
    answer(child, "Is structural racism acknowledged?", "n")
    answer(child, "main barriers", "complexty")
    child.expect_exact("did you mean 'Innovation Complexity'")
    answer(child, "main barriers", "complexity; available resources")
    answer(child, "Innovation Complexity (barrier", "-2")
    prompt(child, "Available Resources (barrier")
    child.sendintr()  # Ctrl-C in the middle of the ratings
    child.expect_exact("interview stopped")
    child.expect_exact("--from site.json")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    saved = json.loads((tmp_path / "site.json").read_text(encoding="utf-8"))
    assert saved["cfir"] == {"innovation.complexity": -2}
    assert saved["equity"]["priority_populations"] == ["Café patients"]

    child = spawn(tmp_path, "--from", "site.json")  # quick again: the progress file says so
    child.expect_exact("Resuming site.json at CFIR barriers")
    answer(child, "Available Resources (barrier", "")  # Enter takes [-1]
    answer(child, "main facilitators", "tension for change")
    answer(child, "Tension for Change (facilitator", "+2")
    child.expect_exact("Wrote site.json.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    case = json.loads((tmp_path / "site.json").read_text(encoding="utf-8"))
    assert case["cfir"] == {
        "innovation.complexity": -2,
        "inner_setting.tension_for_change": 2,
        "inner_setting.available_resources": -1,
    }
    assert case["engagement"] == {"level": "consult", "target": "collaborate"}
    assert case["site"] == "Tty Clinic" and case["innovation"] == "Depression care"
    assert not (tmp_path / ".site.json.interview").exists()


def test_ctrl_c_in_a_cfir_domain_resumes_at_the_construct_never_reached(tmp_path: Path) -> None:
    child = spawn(tmp_path, "-o", "full.yaml")
    answer(child, "Case id", "tty-full")
    for text in (
        "Site",
        "Challenge type",
        "Engagement now",
        "Power differential",
        "Intervention",
        "leadership transition",
        "Priority populations",
    ):
        answer(child, text, ".")  # skip the seven sections
    answer(child, "Rate them?", "y")
    answer(child, "Innovation Source", "+1")
    answer(child, "Innovation Evidence-Base", "")  # skipped on purpose
    answer(child, "Innovation Relative Advantage", "?")
    child.expect_exact(glossary.CFIR_GLOSSES["innovation.relative_advantage"])
    answer(child, "Innovation Relative Advantage", "-1")
    prompt(child, "Innovation Adaptability")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130

    child = spawn(tmp_path, "--from", "full.yaml")
    child.expect_exact("Resuming full.yaml at CFIR: Innovation")
    answer(child, "Innovation Adaptability", "<")  # back: the rating given before
    prompt(child, "Innovation Relative Advantage")
    child.sendline("")  # keeps [-1]
    answer(child, "Innovation Adaptability", "+2")
    answer(child, "Innovation Trialability", ".")  # rest of the domain
    for _ in range(4):
        answer(child, "Rate them?", "n")
    for text in ("Who is involved", "How many sites", "Date of this assessment"):
        answer(child, text, ".")  # skip the three sections after CFIR
    answer(child, "Anything else", "")
    child.expect_exact("Wrote full.yaml.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    text = (tmp_path / "full.yaml").read_text(encoding="utf-8")
    assert "innovation.source: 1\n" in text and "innovation.relative_advantage: -1\n" in text
    assert "innovation.adaptability: 2\n" in text and "evidence_base" not in text
