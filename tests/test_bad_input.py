"""Every command that reads a case refuses bad input the same way: located message, exit 2, no traceback."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from cli import main
from engine.io.documents import MAX_BYTES

RULES = ["--rules", str(FIXTURES / "practitioner")]
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b]\n"

# name -> (file name, content (bytes, str, or None for "do not create"), message fragments)
BAD: dict[str, tuple[str, Any, list[str]]] = {
    "malformed_yaml": ("c.yaml", "case_id: x\nstage: [installation\n", ["invalid YAML"]),
    "malformed_json": ("c.json", '{"case_id": "x",}', ["c.json:1", "invalid JSON"]),
    "empty": ("c.yaml", "", ["file is empty", "case_id"]),
    "unknown_key": (
        "c.yaml",
        "case_id: x\nstge: installation\n",
        ["c.yaml:2", "unknown key 'stge'", "did you mean 'stage'?"],
    ),
    "wrong_enum": (
        "c.yaml",
        "case_id: x\nengagement: {level: partner}\n",
        ["engagement.level", "'partner' is not allowed", "allowed: ignore, inform, consult"],
    ),
    "rating_out_of_range": (
        "c.yaml",
        "case_id: x\ncfir: {innovation.complexity: 3}\n",
        ["cfir.innovation.complexity", "rating 3 is out of range"],
    ),
    "unknown_cfir_id": (
        "c.yaml",
        "case_id: x\ncfir: {innovation.complexty: -1}\n",
        ["unknown CFIR 2.0 construct id 'innovation.complexty'", "did you mean 'innovation.complexity'?"],
    ),
    "python_tag": (
        "c.yaml",
        "case_id: !!python/object/apply:os.system ['echo pwned > PWNED']\n",
        ["YAML tag not allowed"],
    ),
    "alias_bomb": ("c.yaml", BOMB, ["anchors and aliases", "not allowed"]),
    "not_utf8": ("c.yaml", b"case_id: x\nsite: Caf\xe9\n", ["c.yaml:2", "not UTF-8", "save the file as UTF-8"]),
    "missing": ("nope.yaml", None, ["nope.yaml", "no such file"]),
    "directory": ("adir", "DIR", ["adir", "is a directory"]),
    "too_large": ("c.yaml", "case_id: x\nnotes: '" + "x" * MAX_BYTES + "'\n", [f"the limit is {MAX_BYTES:,} bytes"]),
    "mixed_valid_and_invalid": (
        "c.yaml",
        "case_id: x\nsite: Fine\nstage: instalation\nrelationships: {trust: low}\n"
        "power: {differential: huge}\ncfir: {innovation.cost: 9}\n",
        ["c.yaml:3: stage", "power.differential", "cfir.innovation.cost"],
    ),
}

COMMANDS = {
    "recommend": lambda p: ["recommend", p],
    "explain": lambda p: ["explain", p, "PX-ADAPTIVE"],
    "why-not": lambda p: ["why-not", p, "PX-ADAPTIVE"],
    "whatif": lambda p: ["whatif", p, "--set", "stage=installation"],
    "interview": lambda p: ["interview", "--from", p],
}


def make(tmp_path: Path, name: str) -> str:
    fname, content, _ = BAD[name]
    path = tmp_path / fname
    if content == "DIR":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("name", sorted(BAD))
def test_cli_runner(runner: Any, tmp_path: Path, name: str, command: str) -> None:
    path = make(tmp_path, name)
    res = runner.invoke(main, [*COMMANDS[command](path), *RULES])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    for fragment in BAD[name][2]:
        assert fragment in res.output
    assert not (tmp_path / "PWNED").exists() and not Path("PWNED").exists()


def test_mixed_file_reports_every_problem_at_once(runner: Any, tmp_path: Path) -> None:
    res = runner.invoke(main, ["recommend", make(tmp_path, "mixed_valid_and_invalid"), *RULES])
    assert res.output.count("error: ") == 3


# Smoke runs of the installed script: the entry point, real stderr and exit codes. Every bad input
# on every command is checked in-process above (test_cli_runner); these few launches check that
# the script behaves the same (launching it for each case was most of the suite's CPU time).
SMOKE = [("python_tag", "recommend"), ("not_utf8", "why-not"), ("malformed_json", "whatif")]


@pytest.mark.parametrize(("name", "command"), SMOKE)
def test_installed_script(tmp_path: Path, name: str, command: str) -> None:
    exe = shutil.which("isp-advisor")
    if exe is None:
        pytest.skip("isp-advisor is not installed (pip install -e .)")
    path = make(tmp_path, name)
    proc = subprocess.run(
        [exe, *COMMANDS[command](path), *RULES], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert proc.returncode == 2, (command, proc.stderr)
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    for fragment in BAD[name][2]:
        assert fragment in proc.stderr, (command, proc.stderr)
    assert not (tmp_path / "PWNED").exists()
