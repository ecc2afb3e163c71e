"""Printers: each turns a Result (plain data) into one output format, and nothing else."""

from __future__ import annotations

from collections.abc import Callable

from ..results import Result
from .jsonout import render_json
from .markdown import render_markdown
from .table import render_table

Renderer = Callable[..., str]

RENDERERS: dict[str, Renderer] = {
    "table": render_table,
    "markdown": render_markdown,
    "json": render_json,
}


def render(result: Result, fmt: str = "table", *, explain: bool = False, categories: tuple[str, ...] = ()) -> str:
    """Render a result in `fmt`, optionally with proofs and only some categories."""
    return RENDERERS[fmt](result, explain=explain, categories=categories)


__all__ = ["RENDERERS", "render", "render_json", "render_markdown", "render_table"]
