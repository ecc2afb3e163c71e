"""Every command's --help shows its examples as written: one command a line, never rewrapped."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from cli import main


def commands(group: click.Group = main, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for name, cmd in sorted(group.commands.items()):
        out.append((*prefix, name))
        if isinstance(cmd, click.Group):
            out += commands(cmd, (*prefix, name))
    return out


@pytest.mark.parametrize("path", commands(), ids=" ".join)
def test_examples_are_shown_one_command_a_line(path: tuple[str, ...]) -> None:
    res = CliRunner().invoke(main, [*path, "--help"], env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    if "Example:" not in res.output:
        return
    block = res.output.split("Example:", 1)[1].split("\nOptions:", 1)[0]
    lines = [line.strip() for line in block.splitlines() if line.strip()]
    assert lines, path
    assert all(line.startswith("isp-advisor ") for line in lines), lines


def test_most_commands_have_examples() -> None:
    with_examples = [p for p in commands() if "Example:" in CliRunner().invoke(main, [*p, "--help"]).output]
    assert len(with_examples) >= 15
