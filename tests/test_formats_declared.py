"""Output formats are declared once (engine/render/formats.py): the CLI's choices are read from there and
every declared format renders (issue 24)."""

from __future__ import annotations

import click
import pytest

from cli import main
from engine.render import formats


def _choices(*path: str) -> list[str]:
    cmd: click.Command = main
    for name in path:
        assert isinstance(cmd, click.Group)
        cmd = cmd.commands[name]
    (fmt,) = [p for p in cmd.params if p.name == "fmt"]
    assert isinstance(fmt.type, click.Choice)
    return list(fmt.type.choices)


def test_the_cli_offers_exactly_the_declared_formats() -> None:
    assert _choices("recommend") == [*formats.REPORT_FORMATS, *formats.DOCUMENT_FORMATS]
    assert _choices("plan") == [*formats.PLAN_FORMATS, *formats.DOCUMENT_FORMATS]
    assert _choices("compare") == list(formats.COMPARE_FORMATS)
    assert _choices("sweep") == list(formats.SWEEP_FORMATS)


@pytest.mark.parametrize("fmt", formats.PLAN_FORMATS)
def test_every_plan_format_renders(fmt: str, shipped_engine: object) -> None:
    from engine import load_case
    from engine.plan.planspec import build_plan_spec
    from engine.render.planformats import render_plan
    from tests.conftest import CASES

    case = load_case(CASES / "riverside-fqhc.yaml")
    spec = build_plan_spec(shipped_engine.evaluate(case), case, shipped_engine.base)  # type: ignore[attr-defined]
    assert "Riverside" in render_plan(spec, fmt, case) or fmt in ("json", "csv")
