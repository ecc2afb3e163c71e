"""recommend on a terminal: colour (priority, horizon) unless NO_COLOR; long output through the pager;
piped output plain and never paged; --quiet for scripts. Runs the CLI with its stdout on a pty."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import CASES, ROOT

RIVERSIDE = str(CASES / "riverside-fqhc.yaml")
ESC = "\x1b["

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")


def _run(args: list[str], *, tty: bool, env: dict[str, str]) -> str:
    """The CLI's stdout, with stdout a pty (tty=True) or a pipe."""
    full = {
        **{k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PAGER")},
        "COLUMNS": "100",
        "LINES": "40",
        **env,
    }
    cmd = [sys.executable, "-c", "from cli import main; main()", *args]
    if not tty:
        return subprocess.run(
            cmd, cwd=ROOT, env=full, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
        ).stdout
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=full,
        stdin=slave,
        stdout=slave,  # click pages only with a tty stdin
        stderr=subprocess.DEVNULL,
    )
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(master, 1 << 16)
        except OSError:  # the child closed the pty
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_terminal_gets_colour_and_the_pager_for_long_output(tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    out = _run(["recommend", RIVERSIDE], tty=True, env={"PAGER": f"tee {paged}"})
    assert paged.exists(), "long output on a terminal goes through $PAGER"
    text = paged.read_text(encoding="utf-8")
    assert ESC + "31m" in text and "high" in text  # high priority in red
    assert ESC + "32m" in text and "== Start here" in text  # the now horizon in green
    assert "Start here" in out


def test_no_color_turns_colour_off_on_a_terminal(tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    _run(["recommend", RIVERSIDE], tty=True, env={"PAGER": f"tee {paged}", "NO_COLOR": "1"})
    text = paged.read_text(encoding="utf-8")
    assert "== Start here" in text and ESC not in text


def test_short_output_is_not_paged(tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    out = _run(["recommend", RIVERSIDE, "--top", "1", "--by", "category"], tty=True, env={"PAGER": f"tee {paged}"})
    assert not paged.exists() and "Ask the community before any further decision" in out


def test_piped_output_is_plain_and_never_paged(tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    out = _run(["recommend", RIVERSIDE], tty=False, env={"PAGER": f"tee {paged}"})
    assert not paged.exists() and ESC not in out and "== Start here" in out


def test_quiet_never_pages_nor_colours_nor_says_wrote(tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    out = _run(["recommend", RIVERSIDE, "--quiet"], tty=True, env={"PAGER": f"tee {paged}"})
    assert not paged.exists() and ESC not in out and "== Start here" in out
    target = tmp_path / "r.md"
    res = CliRunner().invoke(main, ["recommend", RIVERSIDE, "-f", "markdown", "-o", str(target), "-q"])
    assert res.exit_code == 0 and res.stderr == "" and target.read_text().startswith("# Recommendations")
    res = CliRunner().invoke(main, ["recommend", RIVERSIDE, "-f", "markdown", "-o", str(tmp_path / "s.md")])
    assert f"wrote {tmp_path / 's.md'}" in res.stderr
